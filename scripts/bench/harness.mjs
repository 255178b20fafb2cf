// Shared by the packages' benches. Contenders take turns request by request, in an order shuffled
// afresh for each request (a fixed seed: every run the same), so that the machine's drifting load falls
// on all of them alike, and so does the work a contender leaves behind when its promise resolves (its
// socket's release, its timers, its garbage) on whichever contender runs next. A fixed rotation gave
// each contender the same predecessor every time: the one after `got` paid for `got`'s tail (the client
// bench, 2 × 1000 requests: the client 1.55× undici `request` right after `got`, 0.78× with `undici
// request` right after `got` instead). Round 0 warms up.

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A small seeded generator (mulberry32): the same orders on every run. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs every contender `rounds × perRound` times, interleaved; returns each one's median µs. */
export async function interleave(contenders, { rounds, perRound }) {
  const order = Object.entries(contenders);
  const samples = Object.fromEntries(order.map(([name]) => [name, []]));
  const random = seeded(0x5eed);
  for (let round = 0; round <= rounds; round++) {
    for (let i = 0; i < perRound; i++) {
      // Fisher–Yates: each contender follows each other equally often.
      for (let k = order.length - 1; k > 0; k--) {
        const j = Math.floor(random() * (k + 1));
        [order[k], order[j]] = [order[j], order[k]];
      }
      for (const [name, run] of order) {
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
