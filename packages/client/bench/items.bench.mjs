// Items at scale, side by side in one run on loopback against a local sink (it reads every byte and
// answers as the gateway does): 1000 × 100 KB uploads through the client vs the same multipart POSTs
// with undici's `request()` and raw fetch at the same concurrency. The 1 GB upload and download:
// bench/items-big.bench.mjs. Run: pnpm --filter @dataloop-ts/client bench
import { listenLoopback } from "@dataloop-ts/core/node";
import { Agent } from "undici";
import { createDataloopClient, uploadItems } from "../dist/index.js";
import { answerUpload } from "./upload-sink.mjs";

const FILES = Number(process.env.BENCH_FILES ?? 1000);
const CONCURRENCY = 8;

const sink = await listenLoopback(answerUpload);
const dl = createDataloopClient({
  gateUrl: sink.url,
  auth: { getToken: async () => "bench-token" },
});
const url = `${sink.url}/api/v1/datasets/d/items?mode=skip`;

/** Peak RSS growth (MB) while `fn` runs, sampled every 20 ms, and its time (ms). */
async function measure(fn) {
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = performance.now();
  await fn();
  const ms = performance.now() - started;
  clearInterval(timer);
  return { ms, rssMb: (Math.max(peak, process.memoryUsage().rss) - base) / 1e6 };
}

// 1. Many small uploads.
const small = Buffer.alloc(100 * 1024, 1);
let failed = 0;
const viaClient = async () => {
  const summary = await uploadItems(
    dl,
    "d",
    Array.from({ length: FILES }, (_, i) => ({ source: small, remotePath: `/bench/${i}.bin` })),
    { concurrency: CONCURRENCY },
  );
  failed += summary.failed; // every upload must have gone through, size-checked, to count
};
/** Raw fetch at the same concurrency, each POST's body made by `body(i)`. */
const rawFetch = (body) => async () => {
  let next = 0;
  const worker = async () => {
    while (next < FILES) {
      const i = next++;
      const { form, headers } = body(i);
      const r = await fetch(url, {
        method: "POST",
        body: form,
        headers: { authorization: "Bearer bench-token", ...headers },
      });
      await r.json();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
};
// What a user writes by hand: FormData.
const viaFormData = rawFetch((i) => {
  const form = new FormData();
  form.append("type", "file");
  form.append("path", `/bench/${i}.bin`);
  form.append("file", new Blob([small]), `${i}.bin`);
  return { form, headers: {} };
});
// The very bytes the client sends: the same multipart form, made as one Blob of its parts.
const sameBytes = (i) => {
  const b = `----bench-${crypto.randomUUID()}`;
  const field = (name, value) =>
    `--${b}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = `${field("type", "file")}${field("path", `/bench/${i}.bin`)}--${b}\r\nContent-Disposition: form-data; name="file"; filename="${i}.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return {
    form: new Blob([head, new Blob([small]), `\r\n--${b}--\r\n`]),
    headers: { "content-type": `multipart/form-data; boundary=${b}` },
  };
};
const viaSameBytes = rawFetch(sameBytes);
// The same bytes through undici's `request()` (the wire, as near as Node gets), at the same concurrency.
const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
const viaUndici = async () => {
  let next = 0;
  const worker = async () => {
    while (next < FILES) {
      const i = next++;
      const { form, headers } = sameBytes(i);
      const { body } = await dispatcher.request({
        origin: sink.url,
        path: "/api/v1/datasets/d/items?mode=skip",
        method: "POST",
        body: new Uint8Array(await form.arrayBuffer()),
        headers: { authorization: "Bearer bench-token", ...headers },
      });
      await body.json();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
};
const contenders = [
  ["client", viaClient],
  ["undici", viaUndici],
  ["sameBytes", viaSameBytes],
  ["formData", viaFormData],
];
const times = { client: [], undici: [], sameBytes: [], formData: [] };
for (let round = 0; round < 7; round++) {
  // Round 0 warms up; the order rotates so the machine's drift falls on every contender.
  const order = contenders.map((_, k) => contenders[(k + round) % contenders.length]);
  for (const [name, fn] of order) {
    const { ms } = await measure(fn);
    if (round > 0) times[name].push(ms);
  }
}
if (failed) throw new Error(`${failed} uploads through the client failed: the figures would not count`);
// The median round of each: one round that a neighbour on this shared machine slowed does not move it.
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const c = median(times.client);
const u = median(times.undici);
const same = median(times.sameBytes);
const f = median(times.formData);
console.log(
  `items bench: ${FILES} × 100 kB uploads at concurrency ${CONCURRENCY}, loopback, median of 6 rounds`,
);
console.log(`  client (uploadItems)                      ${c.toFixed(0)} ms`);
console.log(`  undici request, the same multipart bytes  ${u.toFixed(0)} ms`);
console.log(`  raw fetch, the same multipart bytes       ${same.toFixed(0)} ms`);
console.log(`  raw fetch + FormData                      ${f.toFixed(0)} ms`);
console.log(
  `  client / undici request: ${(c / u).toFixed(3)}×  (target ≤ 1.2: ${c / u <= 1.2 ? "met" : "NOT met"});` +
    ` to raw fetch, the same bytes: ${(c / same).toFixed(3)}×; to FormData: ${(c / f).toFixed(3)}×`,
);
await dispatcher.close();
await sink.stop();
