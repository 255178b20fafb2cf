// downloadItems over a long query: 100,000 items (BENCH_ITEMS), 1000 per page, each a 16-byte stream,
// from a local server; prints the process's peak RSS growth. The query is read as the download queue
// drains, so the growth stays bounded (under 100 MB is the bar) whatever the query's length.
// Run: cd packages/client && npx tsc -p tsconfig.build.json && node --expose-gc bench/items-query.bench.mjs
import { existsSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listenLoopback } from "@dataloop-ts/core/node";
import { createDataloopClient } from "../dist/index.js";
import { downloadItems } from "../dist/node.js";

const ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000);
const PAGE = 1000;
const BODY = Buffer.from("sixteen bytes!!\n");
// Files land in memory-backed /dev/shm where there is one (the disk's write-back is not what is measured).
const outDir = await mkdtemp(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "items-query-bench-"));
process.on("exit", () => rmSync(outDir, { recursive: true, force: true }));

const idOf = (i) => i.toString(16).padStart(24, "0");
const server = await listenLoopback((req, res) => {
  if (req.method === "GET") return res.writeHead(200, { "content-length": String(BODY.length) }).end(BODY);
  let text = "";
  req.on("data", (c) => {
    text += c;
  });
  req.on("end", () => {
    const after = (JSON.parse(text).filter?.$and ?? []).find((c) => c.id?.$gt)?.id?.$gt;
    const from = after ? Number.parseInt(after, 16) + 1 : 0;
    const items = [];
    for (let i = from; i < Math.min(ITEMS, from + PAGE); i++)
      items.push({
        id: idOf(i),
        type: "file",
        // 100 files a folder, as a dataset of images is laid out.
        filename: `/d${Math.floor(i / 100)}/item-${i}.txt`,
        metadata: { system: { size: BODY.length, mimetype: "text/plain" } },
      });
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ items, totalItemsCount: ITEMS, hasNextPage: from + PAGE < ITEMS }));
  });
});

const dl = createDataloopClient({ gateUrl: server.url, auth: { getToken: async () => "t0ken-bench" } });
globalThis.gc?.();
const base = process.memoryUsage().rss;
let peak = base;
let peakHeap = 0;
let peakBuffers = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  peakHeap = Math.max(peakHeap, m.heapTotal);
  peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
}, 50);
const started = performance.now();
let total;
const summary = await downloadItems(dl, "d", outDir, {
  concurrency: 8,
  onProgress: (p) => {
    total ??= p.total;
  },
});
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
globalThis.gc?.();
const heapAfter = process.memoryUsage().heapUsed;
await server.stop();
console.log(
  `downloadItems, ${ITEMS.toLocaleString("en")} items (query pages of ${PAGE}): ${summary.done} done, ${summary.failed} failed, total from the first page ${total}; ` +
    `RSS growth peak ${((peak - base) / 1024 ** 2).toFixed(1)} MB (heap: peak ${(peakHeap / 1024 ** 2).toFixed(1)} MB, after a GC ${(heapAfter / 1024 ** 2).toFixed(1)} MB; buffers peak ${(peakBuffers / 1024 ** 2).toFixed(1)} MB); ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
