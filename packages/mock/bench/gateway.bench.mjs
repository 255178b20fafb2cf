// The mock gateway's start-up (cold: repair + examples + Prism bundling; warm: from the cache) and
// its throughput. Run: pnpm --filter @dataloop-ts/mock bench
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { findProject } from "@dataloop-ts/codegen";
import { startMockGateway } from "../dist/index.js";

const project = findProject();
const clearCache = () => {
  for (const f of readdirSync(project.cacheDir)) if (f.startsWith("mock-")) rmSync(join(project.cacheDir, f));
};
clearCache();
const cold = await startMockGateway({ project });
await cold.stop();
const warm = [];
for (let i = 0; i < 5; i++) {
  const g = await startMockGateway({ project });
  warm.push(g.startup.ms);
  await g.stop();
}
warm.sort((a, b) => a - b);

const g = await startMockGateway({ project });
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
for (const r of routes) await (await fetch(g.url + r, { headers })).arrayBuffer(); // warm Prism's validators
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
      const res = await fetch(g.url + routes[i % routes.length], { headers });
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
console.log(`  start-up cold (repair + examples + Prism bundling): ${cold.startup.ms} ms`);
console.log(
  `  start-up warm (from specs/.cache), median of 5:     ${warm[2]} ms  (target ≤ 3000: ${warm[2] <= 3000 ? "met" : "NOT met"}; Prism CLI on the raw spec: 6–8.5 s here)`,
);
console.log(
  `  throughput, concurrency ${CONCURRENCY}: ${(TOTAL / seconds).toFixed(0)} req/s; p50 ${latencies[Math.floor(TOTAL / 2)].toFixed(1)} ms, p99 ${latencies[Math.floor(TOTAL * 0.99)].toFixed(1)} ms; RSS ${rss} MB`,
);
