// Items at scale, side by side in one run on loopback against a local sink (it reads every byte and
// answers as the gateway does): 1000 × 100 KB uploads through the client vs the same multipart POSTs
// with raw fetch at the same concurrency; then a 1 GB upload and a 1 GB download through the client
// vs raw fetch, with the process's peak RSS growth. Run: pnpm --filter @dataloop-ts/client bench
import { execFile } from "node:child_process";
import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listenLoopback } from "@dataloop-ts/core/node";
import { createDataloopClient, uploadItems } from "../dist/index.js";

const FILES = Number(process.env.BENCH_FILES ?? 1000);
const BIG = Number(process.env.BENCH_BIG_MB ?? 1024) * 1024 * 1024;
const CONCURRENCY = 8;
const dir = await mkdtemp(join(tmpdir(), "items-bench-"));
process.on("exit", () => void rm(dir, { recursive: true, force: true }));

let n = 0;
const sink = await listenLoopback((req, res) => {
  if (req.method === "GET") {
    // A download: BIG bytes in 64 kB chunks, made as they are sent.
    const chunk = Buffer.alloc(64 * 1024, 7);
    let left = BIG;
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(BIG) });
    const more = () => {
      while (left > 0) {
        const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= part.length;
        if (!res.write(part)) return res.once("drain", more);
      }
      res.end();
    };
    return more();
  }
  req.on("data", () => {});
  req.on("end", () =>
    res
      .writeHead(200, { "content-type": "application/json", "x-item-op": "created" })
      .end(JSON.stringify({ id: `i${++n}`, type: "file", metadata: { system: { size: 0 } } })),
  );
});
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
const viaClient = () =>
  uploadItems(
    dl,
    "d",
    Array.from({ length: FILES }, (_, i) => ({ source: small, remotePath: `/bench/${i}.bin` })),
    { concurrency: CONCURRENCY },
  );
const viaFetch = async () => {
  let next = 0;
  const worker = async () => {
    while (next < FILES) {
      const i = next++;
      const form = new FormData();
      form.append("type", "file");
      form.append("path", `/bench/${i}.bin`);
      form.append("file", new Blob([small]), `${i}.bin`);
      const r = await fetch(url, {
        method: "POST",
        body: form,
        headers: { authorization: "Bearer bench-token" },
      });
      await r.json();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
};
const times = { client: [], fetch: [] };
for (let round = 0; round < 3; round++) {
  // Round 0 warms up; the order alternates so the machine's drift falls on both.
  const order =
    round % 2
      ? [
          ["fetch", viaFetch],
          ["client", viaClient],
        ]
      : [
          ["client", viaClient],
          ["fetch", viaFetch],
        ];
  for (const [name, fn] of order) {
    const { ms } = await measure(fn);
    if (round > 0) times[name].push(ms);
  }
}
const avg = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const c = avg(times.client);
const f = avg(times.fetch);
console.log(`items bench: ${FILES} × 100 kB uploads at concurrency ${CONCURRENCY}, loopback`);
console.log(`  client (uploadItems)   ${c.toFixed(0)} ms`);
console.log(`  raw fetch + FormData   ${f.toFixed(0)} ms`);
console.log(`  ratio: ${(c / f).toFixed(3)}×  (target ≤ 1.1: ${c / f <= 1.1 ? "met" : "NOT met"})`);

// 2. One big file, up and down, each contender in a fresh process (the sink stays here): what the
// sender's own RSS grows by, measured where nothing else has run before.
const big = join(dir, "big.bin");
await writeFile(big, "");
await truncate(big, BIG);
const mb = BIG / 1024 / 1024;
const child = (what, who) =>
  new Promise((done, fail) =>
    execFile(
      process.execPath,
      [
        new URL("./items-big.mjs", import.meta.url).pathname,
        what,
        who,
        sink.url,
        big,
        join(dir, `down-${who}.bin`),
      ],
      { encoding: "utf8", timeout: 300_000 },
      (error, stdout, stderr) =>
        error ? fail(new Error(`${error.message}\n${stderr}`)) : done(JSON.parse(stdout)),
    ),
  );
// Alternating order, twice each, the output removed after each run: a second 1 GB written to disk
// right after the first would otherwise pay for the first one's write-back.
async function sideBySide(what) {
  const runs = { fetch: [], client: [] };
  for (const who of ["fetch", "client", "client", "fetch"]) {
    runs[who].push(await child(what, who));
    await rm(join(dir, `down-${who}.bin`), { force: true });
  }
  const mean = (rs) => ({ ms: avg(rs.map((r) => r.ms)), rssMb: Math.max(...rs.map((r) => r.rssMb)) });
  return { fetch: mean(runs.fetch), client: mean(runs.client) };
}
const up = await sideBySide("upload");
const down = await sideBySide("download");
const line = (what, r) =>
  `  ${what}: client ${(mb / (r.client.ms / 1000)).toFixed(0)} MB/s, RSS +${r.client.rssMb.toFixed(0)} MB` +
  ` (target < 100: ${r.client.rssMb < 100 ? "met" : "NOT met"}); raw fetch ${(mb / (r.fetch.ms / 1000)).toFixed(0)} MB/s, +${r.fetch.rssMb.toFixed(0)} MB;` +
  ` throughput ${((r.fetch.ms / r.client.ms) * 100).toFixed(0)}% of raw fetch (target ≥ 90%: ${r.fetch.ms / r.client.ms >= 0.9 ? "met" : "NOT met"})`;
console.log(`${mb} MB file, loopback, each in a fresh process:`);
console.log(line("upload  ", up));
console.log(line("download", down));
await sink.stop();
