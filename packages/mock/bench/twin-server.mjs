// The gateway under the twin bench, in a process of its own (a child of twin.bench.mjs): the load
// generator's fetch and JSON parsing then run on their own event loop and heap, as a test's client
// does against `dataloop-mock`, and the figures measure the gateway, not the two sharing one thread.
// argv[2]: the startMockGateway options as JSON, plus `heldItems` (that many items made here, see
// twin-fixtures.mjs, instead of sending them over IPC). Answers IPC messages: "usage" → its CPU time,
// RSS and GC pauses since the last "usage"; "stop" → stops the gateway and exits.
import { subscribe } from "node:diagnostics_channel";
import { PerformanceObserver, performance } from "node:perf_hooks";
import { startMockGateway } from "../dist/index.js";
import { heldItemsFixtures } from "./twin-fixtures.mjs";

const { heldItems, ...options } = JSON.parse(process.argv[2] ?? "{}");
let gcPauses = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push(entry.duration);
}).observe({ entryTypes: ["gc"] });

// The gateway's own view of each API request: from its arrival (headers parsed) to the answer's
// last byte handed to the socket — what the gateway adds, apart from the client and the network.
// Prism's server in this process answers on another port and is not counted.
const arrived = new WeakMap();
let served = [];
let gatewayPort = 0;
subscribe("http.server.request.start", ({ request, response }) => {
  if (request.socket.localPort === gatewayPort && request.url.startsWith("/api/v1/"))
    arrived.set(response, performance.now());
});
subscribe("http.server.response.finish", ({ response }) => {
  const t = arrived.get(response);
  if (t !== undefined) served.push(performance.now() - t);
});
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;

const fixtures = heldItems ? { fixtures: heldItemsFixtures(heldItems) } : {};
const t0 = performance.now();
const gateway = await startMockGateway({ ...options, ...fixtures });
const startMs = performance.now() - t0;
gatewayPort = Number(new URL(gateway.gateUrl).port);
process.send({
  ready: {
    apiUrl: gateway.apiUrl,
    gateUrl: gateway.gateUrl,
    defaultBot: gateway.defaultBot,
    startMs,
    rssMb: Math.round(process.memoryUsage().rss / 1e6),
  },
});
process.on("message", (message) => {
  if (message === "usage") {
    const pauses = gcPauses;
    gcPauses = [];
    const times = served.sort((a, b) => a - b);
    served = [];
    process.send({
      usage: {
        cpu: process.cpuUsage(),
        rssMb: Math.round(process.memoryUsage().rss / 1e6),
        gcCount: pauses.length,
        gcMs: pauses.reduce((a, b) => a + b, 0),
        gcMaxMs: pauses.reduce((a, b) => Math.max(a, b), 0),
        served: { count: times.length, p50: quantile(times, 0.5), p99: quantile(times, 0.99) },
      },
    });
  } else if (message === "stop") gateway.stop().then(() => process.exit(0));
});
