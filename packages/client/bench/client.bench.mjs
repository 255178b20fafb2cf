// An authenticated GET of a small JSON object on loopback, every contender side by side in one run
// (interleaved request by request): undici's `request` (the wire, as near as Node gets), node:http,
// the platform fetch, bare openapi-fetch, axios, ky, got, and this client (its whole loop: token,
// retry policy, deadlines, typed errors, parsed JSON). Run: pnpm --filter @dataloop-ts/client bench
import http from "node:http";
import axios from "axios";
import got from "got";
import ky from "ky";
import createClient from "openapi-fetch";
import { Agent, request as undiciRequest } from "undici";
import { interleave, SIZE, startJsonApi } from "../../../scripts/bench/harness.mjs";
import { createDataloopClient } from "../dist/index.js";

const { rounds: ROUNDS, perRound: PER_ROUND } = SIZE;
const api = await startJsonApi();
const { gateUrl, apiUrl: base } = api;
// A realistic JWT-sized token (the gateway's are ~900 bytes), sent by every contender.
const token = `eyJ${"a".repeat(300)}.eyJ${"b".repeat(500)}.${"c".repeat(86)}`;
const authorization = `Bearer ${token}`;

const dl = createDataloopClient({ gateUrl, auth: { apiKey: token } });
const bare = createClient({ baseUrl: base, headers: { Authorization: authorization } });
const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
const keepAlive = new http.Agent({ keepAlive: true });
const axiosClient = axios.create({ baseURL: base, headers: { Authorization: authorization } });
const kyClient = ky.create({ prefix: base, headers: { Authorization: authorization }, retry: 0 });
const gotClient = got.extend({
  prefixUrl: base,
  headers: { Authorization: authorization },
  agent: { http: keepAlive },
  retry: { limit: 0 },
});

const httpGet = (path) =>
  new Promise((resolve, reject) => {
    http
      .get(`${base}${path}`, { agent: keepAlive, headers: { Authorization: authorization } }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () => resolve(JSON.parse(text)));
      })
      .on("error", reject);
  });

const contenders = {
  "undici request": async (i) => {
    const { body } = await undiciRequest(`${base}/projects/p${i}`, {
      dispatcher,
      headers: { authorization },
    });
    return body.json();
  },
  "node:http": (i) => httpGet(`/projects/p${i}`),
  "raw fetch": async (i) => (await fetch(`${base}/projects/p${i}`, { headers: { authorization } })).json(),
  "bare openapi-fetch": (i) =>
    bare.GET("/projects/{projectId}", { params: { path: { projectId: `p${i}` } } }),
  axios: (i) => axiosClient.get(`/projects/p${i}`),
  ky: (i) => kyClient.get(`projects/p${i}`).json(),
  got: (i) => gotClient.get(`projects/p${i}`).json(),
  "dataloop client": (i) => dl.GET("/projects/{projectId}", { params: { path: { projectId: `p${i}` } } }),
};
const m = await interleave(contenders, { rounds: ROUNDS, perRound: PER_ROUND });
console.log(
  `client bench: ${ROUNDS} rounds × ${PER_ROUND} sequential authenticated GETs on loopback, medians`,
);
const wire = m["undici request"];
for (const [k, v] of Object.entries(m))
  console.log(`  ${k.padEnd(20)} ${v.toFixed(1).padStart(7)} µs/request  ${(v / wire).toFixed(2)}× undici`);
const client = m["dataloop client"];
const vsWire = client / wire;
const others = Object.entries(m).filter(
  ([k]) => k !== "dataloop client" && k !== "undici request" && k !== "node:http",
);
const slower = others.filter(([, v]) => v <= client).map(([k]) => k);
console.log(
  `  client / undici request: ${vsWire.toFixed(3)}×  (target ≤ 1.5: ${vsWire <= 1.5 ? "met" : "NOT met"})`,
);
console.log(
  `  faster than raw fetch and every other client: ${slower.length === 0 ? "met" : `NOT met (${slower.join(", ")})`}`,
);
api.close();
await dispatcher.close();
keepAlive.destroy();
