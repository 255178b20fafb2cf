// The mock gateway's start-up (cold: repair + examples + Prism bundling; warm: from the cache) and
// its throughput. Run: pnpm --filter @dataloop-ts/mock bench
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { specFiles } from "@dataloop-ts/spec";
import { startMockGateway } from "../dist/index.js";
import { buildMockSpec } from "../dist/spec.js";

// A cache of the bench's own, so that "cold" is cold and the user's cache is left alone.
const cacheDir = mkdtempSync(join(tmpdir(), "mock-bench-"));
process.on("exit", () => rmSync(cacheDir, { recursive: true, force: true }));
const options = { cacheDir };
const clearCache = () => {
  for (const f of readdirSync(cacheDir)) if (f.startsWith("mock-")) rmSync(join(cacheDir, f));
};
// The longest the caller's event loop stood still during `fn`: what a test process's own timers
// and sockets would suffer while the mock starts.
const stall = async (fn) => {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  // Let the histogram's timer run once first: a block that starts at once would otherwise go unseen.
  await new Promise((r) => setTimeout(r, 50));
  const result = await fn();
  h.disable();
  return { result, ms: Math.round(h.max / 1e6) };
};
clearCache();
const cold = await stall(() => startMockGateway(options));
await cold.result.stop();
// Side by side: the same cold preparation on the caller's thread (how it ran before the worker).
clearCache();
const inThread = await stall(() =>
  buildMockSpec({
    source: specFiles.upstream,
    bytes: readFileSync(specFiles.upstream),
    repairedPath: specFiles.repaired,
    cacheFile: join(cacheDir, "mock-bench-in-thread.json"),
  }),
);
clearCache();
const warm = [];
let warmStall = 0;
for (let i = 0; i < 5; i++) {
  const { result: g, ms } = await stall(() => startMockGateway(options));
  warm.push(g.startup.ms);
  warmStall = Math.max(warmStall, ms);
  await g.stop();
}
warm.sort((a, b) => a - b);

const g = await startMockGateway(options);
const { id_token } = await (
  await fetch(`${g.gateUrl}/token?default`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      username: g.defaultBot.username,
      password: g.defaultBot.password,
      type: "user_credentials",
    }),
  })
).json();
const routes = ["/projects/p1", "/users/me", "/datasets/d1", "/pipelines/pl1", "/orgs"];
const headers = { authorization: `Bearer ${id_token}` };
for (const r of routes) await (await fetch(g.apiUrl + r, { headers })).arrayBuffer(); // warm Prism's validators
const CONCURRENCY = 16;
const TOTAL = Number(process.env.BENCH_REQUESTS ?? 2000);
const latencies = [];
let next = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < TOTAL) {
      const i = next++;
      const t = performance.now();
      const res = await fetch(g.apiUrl + routes[i % routes.length], { headers });
      const text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status} ${text.slice(0, 200)}`);
      latencies.push(performance.now() - t);
    }
  }),
);
const seconds = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
const rss = Math.round(process.memoryUsage().rss / 1e6);
await g.stop();
console.log("mock gateway bench (token route + JWT check + in-process Prism)");
console.log(`  start-up cold (repair + examples + Prism bundling): ${cold.result.startup.ms} ms`);
console.log(
  `  longest event-loop stall of the caller: cold ${cold.ms} ms (the same work on the caller's thread: ${inThread.ms} ms, ${(inThread.ms / Math.max(cold.ms, 1)).toFixed(0)}× longer); warm ${warmStall} ms`,
);
console.log(
  `  start-up warm (from the cache), median of 5:     ${warm[2]} ms  (target ≤ 3000: ${warm[2] <= 3000 ? "met" : "NOT met"}; Prism CLI on the raw spec: 6–8.5 s here)`,
);
console.log(
  `  throughput, concurrency ${CONCURRENCY}: ${(TOTAL / seconds).toFixed(0)} req/s; p50 ${latencies[Math.floor(TOTAL / 2)].toFixed(1)} ms, p99 ${latencies[Math.floor(TOTAL * 0.99)].toFixed(1)} ms; RSS ${rss} MB`,
);
