// downloadItems over a long query: 100,000 items (BENCH_ITEMS), 1000 per page, each a 16-byte stream,
// from a local server; prints the client process's peak RSS growth beside the bar (under 100 MB). The
// query is read as the download queue drains, so the growth stays bounded whatever the query's length.
//
// Every part runs in a process of its own, so that what is measured is one process's memory: the
// server (a child: its garbage, 100,000 answers and 100 JSON pages, used to be counted against the
// client when both shared one heap), the client (`downloadItems`, a child), and, side by side, the
// same 100,000 GETs (same server, concurrency 8) without the client, each in a fresh child: undici's
// `request()` with the body read as the client's transport reads it (its async iterator), undici's
// `dispatch()` with a bare handler (the layer under `request()`), and `node:http` with a keep-alive
// agent. Those are the floor under the client's figure for one GET per item on this Node: the client
// cannot grow less than the HTTP layer it sends through. BENCH_FLOORS=0 runs the client alone.
// Each line: RSS growth at its peak (sampled every 50 ms from a GC'd start), V8's heap spaces at that
// peak (the young generation vs old space: V8 grows the young generation when much survives its
// scavenges, up to 2 × 64 MB here), the array buffers at that peak (downloadItems holds what it keeps
// of each item in typed arrays: src/packed.ts), the GCs by kind, and the heap and buffers left after a
// full GC (what is kept). The client's line is the downloadItems call; the line under it goes on to
// read `summary.results` (made into objects when first read), from the same start.
// Run: cd packages/client && npx tsc -p tsconfig.build.json && node bench/items-query.bench.mjs
import { fork } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { getHeapSpaceStatistics } from "node:v8";
import { listenLoopback } from "@dataloop-ts/core/node";
import { Agent } from "undici";

const ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000);
const PAGE = 1000;
const CONCURRENCY = 8;
const BAR_MB = 100;
const MB = 1024 ** 2;
const role = process.argv[2];
const idOf = (i) => i.toString(16).padStart(24, "0");

/**
 * Runs `work` with the process's memory watched; the figures go to the parent. `work` gives a line,
 * what it keeps (the summary): held over the last full GC, so that `kept` counts it, and `next`: what
 * a caller does next with it (reading `summary.results`), watched on from the same start.
 */
async function measured(work) {
  const gcs = { minor: 0, major: 0, other: 0 };
  // perf_hooks' gc kinds: 1 minor (scavenge), 4 major (mark-compact), others incremental or weak callbacks.
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = e.detail?.kind;
      if (kind === 1) gcs.minor++;
      else if (kind === 4) gcs.major++;
      else gcs.other++;
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  const spaces = () => Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
  globalThis.gc();
  const base = process.memoryUsage().rss;
  let peak = { rss: base, heapTotal: 0, arrayBuffers: 0, spaces: spaces() };
  const sample = () => {
    const m = process.memoryUsage();
    if (m.rss > peak.rss)
      peak = { rss: m.rss, heapTotal: m.heapTotal, arrayBuffers: m.arrayBuffers, spaces: spaces() };
  };
  const sampler = setInterval(sample, 50);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { note, keep, next } = await work();
  sample();
  const first = peak;
  // Reading the results: held packed while the batch runs, they are made into objects here.
  const nextNote = next?.();
  clearInterval(sampler);
  sample();
  const seconds = (performance.now() - started) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  observer.disconnect();
  globalThis.gc();
  process.send({
    note,
    growthMB: (first.rss - base) / MB,
    heapMB: first.heapTotal / MB,
    youngMB: ((first.spaces.new_space ?? 0) + (first.spaces.new_large_object_space ?? 0)) / MB,
    oldMB: ((first.spaces.old_space ?? 0) + (first.spaces.large_object_space ?? 0)) / MB,
    buffersMB: first.arrayBuffers / MB,
    nextNote,
    nextGrowthMB: (peak.rss - base) / MB,
    // What is kept counts the buffers too: a batch holds what it keeps of each item in typed arrays.
    keptMB: (process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers) / MB,
    kept: keep?.results?.length,
    gcs,
    seconds,
    cpuSeconds: (user + system) / 1e6,
  });
}

/** `count` GETs of item streams, `CONCURRENCY` at a time, each by `get`. */
async function gets(count, get) {
  let next = 0;
  const worker = async () => {
    while (next < count) await get(idOf(next++));
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { note: `${count} GETs` };
}

if (role === "serve") {
  // The gateway: a 16-byte body per item, and the query's pages by keyset (`id > last`).
  const BODY = Buffer.from("sixteen bytes!!\n");
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
  process.send({ url: server.url });
  process.on("disconnect", () => server.stop().then(() => process.exit(0)));
} else if (role === "client") {
  const url = process.argv[3];
  const { createDataloopClient } = await import("../dist/index.js");
  const { downloadItems } = await import("../dist/node.js");
  // Files land in memory-backed /dev/shm where there is one (the disk's write-back is not what is measured).
  const outDir = await mkdtemp(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "items-query-bench-"));
  process.on("exit", () => rmSync(outDir, { recursive: true, force: true }));
  const dl = createDataloopClient({ gateUrl: url, auth: { getToken: async () => "t0ken-bench" } });
  await measured(async () => {
    let total;
    const summary = await downloadItems(dl, "d", outDir, {
      concurrency: CONCURRENCY,
      onProgress: (p) => {
        total ??= p.total;
      },
    });
    return {
      note: `${summary.done} done, ${summary.failed} failed, total from the first page ${total}`,
      keep: summary,
      // As the CLI does at the end: its failures picked out of every result.
      next: () =>
        `${summary.results.filter((r) => !r.ok).length} failures among ${summary.results.length} results`,
    };
  });
  process.disconnect();
} else if (role === "undici-request") {
  const url = new URL(process.argv[3]);
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  await measured(() =>
    gets(ITEMS, async (id) => {
      const { body } = await agent.request({
        origin: url.origin,
        path: `/items/${id}/stream`,
        method: "GET",
      });
      for await (const _ of body);
    }),
  );
  process.disconnect();
} else if (role === "undici-dispatch") {
  const url = new URL(process.argv[3]);
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  await measured(() =>
    gets(
      ITEMS,
      (id) =>
        new Promise((resolve, reject) =>
          agent.dispatch(
            { origin: url.origin, path: `/items/${id}/stream`, method: "GET" },
            {
              onRequestStart() {},
              onResponseStart() {},
              onResponseData() {},
              onResponseEnd: () => resolve(),
              onResponseError: (_, error) => reject(error),
            },
          ),
        ),
    ),
  );
  process.disconnect();
} else if (role === "node-http") {
  const url = new URL(process.argv[3]);
  const agent = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY });
  await measured(() =>
    gets(
      ITEMS,
      (id) =>
        new Promise((resolve, reject) =>
          httpRequest(`${url.origin}/items/${id}/stream`, { agent }, (res) => {
            res.on("data", () => {});
            res.on("end", resolve);
            res.on("error", reject);
          })
            .on("error", reject)
            .end(),
        ),
    ),
  );
  process.disconnect();
} else {
  const self = fileURLToPath(import.meta.url);
  const server = fork(self, ["serve"], { execArgv: [], stdio: "inherit" });
  const url = await new Promise((resolve, reject) => {
    server.once("message", (m) => resolve(m.url));
    server.once("exit", (code) => reject(new Error(`the bench's server exited (${code})`)));
  });
  /** One part in a fresh process (--expose-gc: the start is measured after a full GC). */
  const run = (part) =>
    new Promise((resolve, reject) => {
      const child = fork(self, [part, url], { execArgv: ["--expose-gc"], stdio: "inherit" });
      let figures;
      child.on("message", (m) => {
        figures = m;
      });
      child.once("exit", (code) =>
        figures
          ? resolve(figures)
          : reject(new Error(`the bench's ${part} exited (${code}) without figures`)),
      );
    });
  const line = (name, f) =>
    `${name.padEnd(36)} ${f.growthMB.toFixed(1).padStart(6)} MB   heap ${f.heapMB.toFixed(0).padStart(4)} MB (young ${f.youngMB.toFixed(0).padStart(3)}, old ${f.oldMB.toFixed(0).padStart(3)}), buffers ${f.buffersMB.toFixed(0).padStart(3)} MB  ` +
    `kept ${f.keptMB.toFixed(1).padStart(5)} MB  GCs ${f.gcs.minor}/${f.gcs.major}  ${f.seconds.toFixed(1).padStart(5)} s, CPU ${f.cpuSeconds.toFixed(1)} s`;
  console.log(
    `downloadItems, ${ITEMS.toLocaleString("en")} items (query pages of ${PAGE}, concurrency ${CONCURRENCY}); each part in its own process, the server in another.\n` +
      `${"".padEnd(36)} RSS growth peak (heap and buffers at the peak)               kept after GC, GCs scavenge/mark-compact`,
  );
  const client = await run("client");
  console.log(line("client downloadItems", client));
  console.log(
    `  ${client.note}; kept after GC (heap and buffers): the summary's ${client.kept} results and the client`,
  );
  console.log(
    `  then summary.results read (${client.nextNote}): RSS growth ${client.nextGrowthMB.toFixed(1)} MB from the same start`,
  );
  console.log(
    `  bar: RSS growth under ${BAR_MB} MB — ${client.growthMB < BAR_MB ? "met" : "NOT MET"} (${client.growthMB.toFixed(1)} MB)`,
  );
  if (process.env.BENCH_FLOORS !== "0") {
    console.log(
      `the same ${ITEMS.toLocaleString("en")} GETs without the client (the floor under its figure):`,
    );
    for (const [part, name] of [
      ["undici-request", "undici request(), body iterated"],
      ["undici-dispatch", "undici dispatch(), bare handler"],
      ["node-http", "node:http, keep-alive agent"],
    ]) {
      const f = await run(part);
      console.log(`${line(name, f)}   client/this ${(client.growthMB / f.growthMB).toFixed(2)}`);
    }
  }
  server.disconnect();
}
