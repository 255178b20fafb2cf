// Shared by the packages' benches. Contenders take turns request by request (who goes first
// rotating), so the machine's drifting load falls on all of them alike. Round 0 warms up.

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs every contender `rounds × perRound` times, interleaved; returns each one's median µs. */
export async function interleave(contenders, { rounds, perRound }) {
  const order = Object.entries(contenders);
  const samples = Object.fromEntries(order.map(([name]) => [name, []]));
  for (let round = 0; round <= rounds; round++) {
    for (let i = 0; i < perRound; i++) {
      const turn = i % order.length;
      for (const [name, run] of [...order.slice(turn), ...order.slice(0, turn)]) {
        const t = performance.now();
        await run(i);
        if (round > 0) samples[name].push((performance.now() - t) * 1000);
      }
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, median(xs)]));
}

/** Rounds and requests per round, from BENCH_ROUNDS / BENCH_REQUESTS (defaults 10 × 1000). */
export const SIZE = {
  rounds: Number(process.env.BENCH_ROUNDS ?? 10),
  perRound: Number(process.env.BENCH_REQUESTS ?? 1000),
};

/**
 * A loopback API that answers every request with one small JSON project, checking nothing: the
 * benches measure the client side. `close()` stops it.
 */
export async function startJsonApi() {
  const { listenLoopback } = await import("@dataloop-ts/core/node");
  const body = JSON.stringify({ id: "p1", name: "project" });
  const server = await listenLoopback((req, res) => {
    req.resume();
    res
      .writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
      .end(body);
  });
  return { gateUrl: server.url, apiUrl: `${server.url}/api/v1`, close: () => server.stop() };
}
