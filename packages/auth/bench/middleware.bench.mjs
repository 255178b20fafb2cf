// Per-request cost of the auth middleware next to bare openapi-fetch and raw fetch, on loopback,
// measured interleaved in one run. Run: pnpm --filter @dataloop-ts/auth bench
import { performance } from "node:perf_hooks";
import createClient from "openapi-fetch";
import { interleave, median, SIZE, startJsonApi } from "../../../scripts/bench/harness.mjs";
// The light mock by path, built by `pnpm bench`'s own `turbo run build`: not a dependency of auth, so
// that auth's tests and build never wait for the mock's.
import { startEchoGateway } from "../../mock/dist/light.js";
import { createAuth, passwordAuth } from "../dist/index.js";

// The API answers without checking tokens: we measure the client side, not the server's JWT check.
const { rounds: ROUNDS, perRound: PER_ROUND } = SIZE;
const api = await startJsonApi();
const base = api.apiUrl;

const gateway = await startEchoGateway({ users: [{ username: "bench@example.com", password: "bench-pw" }] });
const auth = createAuth(passwordAuth({ email: "bench@example.com", password: "bench-pw" }), {
  gateUrl: gateway.gateUrl,
});
await auth.token();

const bare = createClient({ baseUrl: base });
const withEmpty = createClient({ baseUrl: base });
withEmpty.use({ onRequest() {}, onResponse() {} });
// What a user without our middleware writes: the same JWT, fixed in the client's headers.
const withStatic = createClient({
  baseUrl: base,
  headers: { Authorization: `Bearer ${await auth.token()}` },
});
const withAuth = createClient({ baseUrl: base });
withAuth.use(auth.middleware);

const contenders = {
  "raw fetch": async (i) => (await fetch(`${base}/projects/p${i}`)).json(),
  "openapi-fetch": (i) => bare.GET("/projects/{projectId}", { params: { path: { projectId: `p${i}` } } }),
  "openapi-fetch + empty middleware": (i) =>
    withEmpty.GET("/projects/{projectId}", { params: { path: { projectId: `p${i}` } } }),
  "openapi-fetch + static Bearer": (i) =>
    withStatic.GET("/projects/{projectId}", { params: { path: { projectId: `p${i}` } } }),
  "openapi-fetch + auth": (i) =>
    withAuth.GET("/projects/{projectId}", { params: { path: { projectId: `p${i}` } } }),
};
const m = await interleave(contenders, { rounds: ROUNDS, perRound: PER_ROUND });

// The middleware's own work when no refresh is due: onRequest + onResponse on a ready request
// (both return synchronously then), next to the one thing any Bearer middleware must do: headers.set.
const mw = auth.middleware;
const ok = new Response("{}", { status: 200 });
const N = 300_000;
const reqs = Array.from({ length: 1000 }, (_, i) => new Request(`${base}/x/${i}`));
const params = { id: "x", schemaPath: "/x", params: {}, options: {} };
const hooks = [];
const sets = [];
const header = `Bearer ${await auth.token()}`;
for (let round = 0; round < 5; round++) {
  let t = performance.now();
  for (let i = 0; i < N; i++) {
    const request = reqs[i % 1000];
    mw.onRequest({ request, ...params });
    mw.onResponse({ request, response: ok, ...params });
  }
  hooks.push(((performance.now() - t) * 1000) / N);
  t = performance.now();
  for (let i = 0; i < N; i++) reqs[i % 1000].headers.set("Authorization", header);
  sets.push(((performance.now() - t) * 1000) / N);
}
const perCall = median(hooks);
const setCost = median(sets);

console.log(`auth middleware bench: ${ROUNDS} rounds × ${PER_ROUND} sequential GETs on loopback, medians`);
for (const [k, v] of Object.entries(m))
  console.log(`  ${k.padEnd(34)} ${v.toFixed(1).padStart(7)} µs/request`);
const overBare = m["openapi-fetch + auth"] / m["openapi-fetch + static Bearer"];
console.log(`  openapi-fetch / raw fetch:        ${(m["openapi-fetch"] / m["raw fetch"]).toFixed(3)}×`);
console.log(
  `  +auth / openapi-fetch with the same JWT fixed: ${overBare.toFixed(3)}×  (target ≤ 1.05: ${overBare <= 1.05 ? "met" : "NOT met"})`,
);
console.log(
  `  +auth / bare openapi-fetch (no token sent):   ${(m["openapi-fetch + auth"] / m["openapi-fetch"]).toFixed(3)}×`,
);
console.log(
  `  +auth / raw fetch:                ${(m["openapi-fetch + auth"] / m["raw fetch"]).toFixed(3)}×`,
);
console.log(
  `  middleware hooks, no refresh due: ${perCall.toFixed(2)} µs/call  (target ≤ 2: ${perCall <= 2 ? "met" : "NOT met"})`,
);
console.log(
  `    of which Headers.set(JWT):      ${setCost.toFixed(2)} µs (undici validates the value; any Bearer middleware pays it)`,
);
console.log(`  token calls during the bench:     ${gateway.route.calls.total} (1 login)`);
api.close();
await gateway.stop();
