// The gateway under the twin bench, in a process of its own (a child of twin.bench.mjs): the load
// generator's fetch and JSON parsing then run on their own event loop and heap, as a test's client
// does against `dataloop-mock`, and the figures measure the gateway, not the two sharing one thread.
// argv[2]: the startMockGateway options as JSON, plus `heldItems` (that many items made here, see
// twin-fixtures.mjs, instead of sending them over IPC). Answers IPC messages: "usage" → its CPU time,
// RSS and GC pauses since the last "usage"; "stop" → stops the gateway and exits.
import { PerformanceObserver, performance } from "node:perf_hooks";
import { startMockGateway } from "../dist/index.js";
import { heldItemsFixtures } from "./twin-fixtures.mjs";

const { heldItems, ...options } = JSON.parse(process.argv[2] ?? "{}");
let gcPauses = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push(entry.duration);
}).observe({ entryTypes: ["gc"] });

const fixtures = heldItems ? { fixtures: heldItemsFixtures(heldItems) } : {};
const t0 = performance.now();
const gateway = await startMockGateway({ ...options, ...fixtures });
const startMs = performance.now() - t0;
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
    process.send({
      usage: {
        cpu: process.cpuUsage(),
        rssMb: Math.round(process.memoryUsage().rss / 1e6),
        gcCount: pauses.length,
        gcMs: pauses.reduce((a, b) => a + b, 0),
        gcMaxMs: pauses.reduce((a, b) => Math.max(a, b), 0),
      },
    });
  } else if (message === "stop") gateway.stop().then(() => process.exit(0));
});
