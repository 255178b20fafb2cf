// The full client stack (auth + retry + timeout + errors) next to bare openapi-fetch and raw fetch,
// per request on loopback, interleaved in one run. Run: pnpm --filter @dataloop-ts/client bench
import createClient from "openapi-fetch";
import { interleave, SIZE, startJsonApi } from "../../../scripts/bench/harness.mjs";
import { createDataloopClient } from "../dist/index.js";

const { rounds: ROUNDS, perRound: PER_ROUND } = SIZE;
const api = await startJsonApi();
const { gateUrl, apiUrl: base } = api;
// A realistic JWT-sized token (the gateway's are ~900 bytes), sent by every contender that authenticates.
const token = `eyJ${"a".repeat(300)}.eyJ${"b".repeat(500)}.${"c".repeat(86)}`;

const dl = createDataloopClient({ gateUrl, auth: { apiKey: token } });
const bare = createClient({ baseUrl: base, headers: { Authorization: `Bearer ${token}` } });
const contenders = {
  "raw fetch": async (i) =>
    (await fetch(`${base}/projects/p${i}`, { headers: { Authorization: `Bearer ${token}` } })).json(),
  "bare openapi-fetch": (i) =>
    bare.GET("/projects/{projectId}", { params: { path: { projectId: `p${i}` } } }),
  "dataloop client": (i) => dl.GET("/projects/{projectId}", { params: { path: { projectId: `p${i}` } } }),
};
const m = await interleave(contenders, { rounds: ROUNDS, perRound: PER_ROUND });
console.log(
  `client bench: ${ROUNDS} rounds × ${PER_ROUND} sequential authenticated GETs on loopback, medians`,
);
for (const [k, v] of Object.entries(m))
  console.log(`  ${k.padEnd(20)} ${v.toFixed(1).padStart(7)} µs/request`);
const vsRaw = m["dataloop client"] / m["raw fetch"];
const vsBare = m["dataloop client"] / m["bare openapi-fetch"];
console.log(
  `  client / raw fetch:          ${vsRaw.toFixed(3)}×  (target ≤ 1.2: ${vsRaw <= 1.2 ? "met" : "NOT met"})`,
);
console.log(
  `  client / bare openapi-fetch: ${vsBare.toFixed(3)}×  (target ≤ 1.1: ${vsBare <= 1.1 ? "met" : "NOT met"})`,
);
api.close();
