// Annotations at scale (not a test). Wall times on a shared machine say little (load 16 on 2 cores
// made JSON.parse of the 25 MB file take 1.7 s), so the CPU time of each process is printed too. Run: cd packages/client && node bench/annotations.bench.mjs (after `scripts/pnpm build`: the client's
// and the CLI's dist).
//  1. A COCO file of 100 000 annotations (polygons and boxes over 10 000 images) → Dataloop JSON (one
//     JSON line per item, to a file) and back → COCO, each way in its own process, with its time and
//     peak RSS against the COCO file's size.
//  2. The same through the CLI: `dataloop annotations convert FILE --from coco --to dataloop` and back
//     (offline), each a fresh process with its time and peak RSS against the same targets; then
//     `dataloop annotations upload FILE --format coco` and `download --format coco` against the bench's
//     gateway (a child process), which carry the HTTP of 100 000 annotations besides the conversion.
//  3. 100 000 annotations over 10 000 items uploaded to that gateway: uploadAnnotations vs raw undici
//     `request` (the client's transport on Node is undici) and raw fetch POSTing the same batches at the
//     same concurrency, and the client's dl.POST.
import { execFile, spawn } from "node:child_process";
import { readFileSync, rmSync, statSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

const ANNOTATIONS = Number(process.env.BENCH_ANNOTATIONS ?? 100_000);
const PER_ITEM = 10;
const ITEMS = ANNOTATIONS / PER_ITEM;
const CONCURRENCY = 8;
const [role, ...args] = process.argv.slice(2);
const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function toDataloop(cocoPath, outPath) {
  const { cocoToDataloop } = await import("../dist/annotations/index.js");
  const { writeChunksAtomic, openCocoFile } = await import("../dist/annotations/node.js");
  const started = performance.now();
  const conversion = cocoToDataloop(await openCocoFile(cocoPath));
  await writeChunksAtomic(
    outPath,
    (async function* () {
      for await (const item of conversion.items) yield `${JSON.stringify(item)}\n`;
    })(),
  );
  return { ms: performance.now() - started, issues: conversion.issues.length };
}

async function toCoco(jsonlPath, outPath) {
  const { dataloopToCoco } = await import("../dist/annotations/index.js");
  const { writeChunksAtomic, readItemJsons } = await import("../dist/annotations/node.js");
  const started = performance.now();
  const conversion = dataloopToCoco(readItemJsons(jsonlPath));
  await writeChunksAtomic(outPath, conversion.items);
  return { ms: performance.now() - started, issues: conversion.issues.length };
}

// The gateway of the bench, in its own process: it answers POST /items/{id}/annotations (with ids) and
// DQL queries (items, annotations by itemId, keyset paging by id). It keeps the annotations of the
// items it knows (the COCO file's images, for the CLI's upload then download); the upload contenders
// post to other item ids, answered but not kept, so that all rounds cost the server the same.
async function serve() {
  // Imported here: node:http loads Node's own undici, a cost the converter processes should not carry.
  const { createServer } = await import("node:http");
  let id = 0;
  const pad = (n) => n.toString(16).padStart(12, "0");
  const items = [];
  const kept = new Map();
  for (let i = 1; i <= ITEMS; i++) {
    const item = {
      id: `i${pad(i)}`,
      type: "file",
      filename: `/images/${i}.jpg`,
      datasetId: "d1",
      metadata: { system: { width: 1920, height: 1080 } },
    };
    items.push(item);
    kept.set(item.id, []);
  }
  const send = (res, status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };
  const query = ({ resource = "items", filter = {}, pageSize = 1000 }) => {
    const and = filter.$and ?? [];
    const after = and.find((c) => c.id?.$gt)?.id.$gt ?? "";
    let found;
    if (resource === "annotations") {
      const ids = and.find((c) => c.itemId?.$in)?.itemId.$in ?? [];
      found = ids.flatMap((i) => kept.get(i) ?? []).sort((a, b) => (a.id < b.id ? -1 : 1));
    } else found = items;
    found = found.filter((e) => e.id > after);
    return {
      items: found.slice(0, pageSize),
      totalItemsCount: found.length,
      hasNextPage: found.length > pageSize,
    };
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      if (req.url.endsWith("/query")) return send(res, 200, query(body));
      const itemId = decodeURIComponent(/\/items\/([^/]+)\/annotations$/.exec(req.url)?.[1] ?? "");
      const created = (Array.isArray(body) ? body : [body]).map((a) => ({
        ...a,
        id: `a${pad(++id)}`,
        itemId,
      }));
      kept.get(itemId)?.push(...created);
      send(res, 200, created);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
}

if (role === "serve") await serve();
else if (role === "to-dataloop" || role === "to-coco") {
  const result = await (role === "to-dataloop" ? toDataloop : toCoco)(args[0], args[1]);
  const cpu = process.cpuUsage();
  process.stdout.write(
    JSON.stringify({
      ...result,
      cpuMs: (cpu.user + cpu.system) / 1000,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    }),
  );
} else await main();

function cocoFile() {
  const images = [];
  const annotations = [];
  let n = 0;
  for (let i = 1; i <= ITEMS; i++) {
    images.push({ id: i, file_name: `images/${i}.jpg`, width: 1920, height: 1080 });
    for (let k = 0; k < PER_ITEM; k++) {
      const x = (i * 7 + k * 13) % 1800;
      const y = (i * 3 + k * 11) % 1000;
      const base = { id: ++n, image_id: i, category_id: (k % 5) + 1, iscrowd: 0 };
      if (k % 2)
        annotations.push({
          ...base,
          bbox: [x + 0.5, y + 0.25, 40.125, 30.75],
          area: 40.125 * 30.75,
          segmentation: [],
        });
      else {
        const flat = [];
        for (let p = 0; p < 8; p++)
          flat.push(x + 20 + 15 * Math.cos(p / 1.27), y + 20 + 15 * Math.sin(p / 1.27));
        annotations.push({ ...base, segmentation: [flat], area: 700, bbox: [x + 5, y + 5, 30, 30] });
      }
    }
  }
  const categories = ["person", "car", "猫", "bicycle", "dog"].map((name, i) => ({ id: i + 1, name }));
  return { images, annotations, categories };
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "annotations-bench-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const run = promisify(execFile);
  const self = new URL(import.meta.url).pathname;

  // 1. Converters, each way in a fresh process (peak RSS is per process).
  const cocoPath = join(dir, "coco.json");
  await writeFile(cocoPath, JSON.stringify(cocoFile()));
  const size = statSync(cocoPath).size;
  const rssOf = async (code) =>
    Number((await run(process.execPath, ["--input-type=module", "-e", code])).stdout);
  const peak = "process.stdout.write(String(process.resourceUsage().maxRSS * 1024))";
  const baseline = await rssOf(peak);
  // What loading the SDK's modules costs a process before any work (they are the same in every run).
  const loaded = await rssOf(
    `await import(${JSON.stringify(new URL("../dist/annotations/index.js", import.meta.url).href)}); await import(${JSON.stringify(new URL("../dist/annotations/node.js", import.meta.url).href)}); ${peak}`,
  );
  const jsonl = join(dir, "items.jsonl");
  const there = JSON.parse((await run(process.execPath, [self, "to-dataloop", cocoPath, jsonl])).stdout);
  const back = JSON.parse(
    (await run(process.execPath, [self, "to-coco", jsonl, join(dir, "back.json")])).stdout,
  );
  console.log(
    `COCO file: ${ANNOTATIONS} annotations, ${mb(size)}; a node process peaks at ${mb(baseline)} RSS empty, ${mb(loaded)} with the SDK's annotations modules loaded`,
  );
  const line = (name, r) =>
    console.log(
      `  ${name.padEnd(30)} ${(r.ms / 1000).toFixed(2)} s wall, ${(r.cpuMs / 1000).toFixed(2)} s CPU (≤ 2 s)  peak RSS ${mb(r.maxRssBytes)} = ${(r.maxRssBytes / size).toFixed(2)}× the file (≤ 3×); above an empty node ${((r.maxRssBytes - baseline) / size).toFixed(2)}×, above the loaded modules ${((r.maxRssBytes - loaded) / size).toFixed(2)}×${r.issues !== undefined ? `; ${r.issues} issues` : ""}`,
    );
  line("COCO → Dataloop JSON", there);
  line("Dataloop JSON → COCO", back);

  // 2. The same through the CLI, against the bench's gateway: `annotations upload --format coco` (the
  // COCO file converted as it is uploaded) and `annotations download --format coco` (the dataset's
  // annotations back into a COCO file), each a fresh `dataloop` process whose CPU and peak RSS a
  // preloaded module reports at exit.
  const child = spawn(process.execPath, [self, "serve"], { stdio: ["ignore", "pipe", "inherit"] });
  process.on("exit", () => child.kill());
  const port = await new Promise((resolve) =>
    child.stdout.once("data", (d) => resolve(Number(String(d).trim()))),
  );
  const gateUrl = `http://127.0.0.1:${port}`;
  const usage = join(dir, "usage.mjs");
  await writeFile(
    usage,
    `import { writeFileSync } from "node:fs";
const started = performance.now();
process.on("exit", () => {
  const cpu = process.cpuUsage();
  writeFileSync(process.env.BENCH_USAGE_OUT, JSON.stringify({ ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
});`,
  );
  const cli = async (argv) => {
    const out = join(dir, "usage.json");
    const { stdout } = await run(
      process.execPath,
      [
        "--import",
        pathToFileURL(usage).href,
        new URL("../../cli/dist/main.js", import.meta.url).pathname,
        ...argv,
        "--json",
      ],
      {
        env: {
          ...process.env,
          DATALOOP_GATE: gateUrl,
          DATALOOP_API_KEY: "bench-key",
          DATALOOP_TS_HOME: join(dir, "home"),
          BENCH_USAGE_OUT: out,
        },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return { ...JSON.parse(readFileSync(out, "utf8")), result: JSON.parse(stdout) };
  };
  const cliJsonl = join(dir, "cli-items.jsonl");
  const convertThere = await cli([
    "annotations",
    "convert",
    cocoPath,
    "--from",
    "coco",
    "--to",
    "dataloop",
    "--out",
    cliJsonl,
  ]);
  const convertBack = await cli([
    "annotations",
    "convert",
    cliJsonl,
    "--from",
    "dataloop",
    "--to",
    "coco",
    "--out",
    join(dir, "cli-back.json"),
  ]);
  const up = await cli(["annotations", "upload", cocoPath, "--dataset", "d1", "--format", "coco"]);
  const down = await cli([
    "annotations",
    "download",
    "--dataset",
    "d1",
    "--out",
    join(dir, "cli-out"),
    "--format",
    "coco",
  ]);
  for (const [verb, r] of [
    ["convert coco → dataloop", convertThere],
    ["convert dataloop → coco", convertBack],
    ["upload", up],
    ["download", down],
  ])
    if (r.result.annotations !== ANNOTATIONS || r.result.failed)
      throw new Error(`CLI ${verb}: ${JSON.stringify(r.result).slice(0, 500)}`);
  console.log("Through the CLI, offline (dataloop annotations convert FILE --from … --to … --out …):");
  line("convert COCO → Dataloop JSON", { ...convertThere, issues: convertThere.result.issues.length });
  line("convert Dataloop JSON → COCO", { ...convertBack, issues: convertBack.result.issues.length });
  console.log(
    `Through the CLI (dataloop annotations … --format coco, against the bench's gateway in another process):`,
  );
  line("upload COCO (convert + send)", { ...up, issues: up.result.issues.length });
  line("download COCO (fetch + convert)", { ...down, issues: down.result.issues.length });
  // The network commands against the offline conversion of the same data (the larger of the two ways):
  // what holding a page of annotations, not the dataset's, should cost.
  const offline = Math.max(convertThere.maxRssBytes, convertBack.maxRssBytes);
  console.log(
    `  peak RSS against the offline convert's (${mb(offline)}): upload ${(up.maxRssBytes / offline).toFixed(2)}×, download ${(down.maxRssBytes / offline).toFixed(2)}× (target < 2×)`,
  );

  // 3. Uploads.
  const { createDataloopClient } = await import("../dist/index.js");
  const { uploadAnnotations, buildAnnotation } = await import("../dist/annotations/index.js");
  const entries = Array.from({ length: ITEMS }, (_, i) => ({
    itemId: `item${i}`,
    annotations: Array.from({ length: PER_ITEM }, (_, k) =>
      k % 2
        ? buildAnnotation({
            type: "box",
            label: "car",
            coordinates: [
              { x: k, y: i },
              { x: k + 10, y: i + 10 },
            ],
          })
        : buildAnnotation({
            type: "segment",
            label: "猫",
            coordinates: [
              { x: k, y: i },
              { x: k + 5, y: i },
              { x: k, y: i + 5 },
            ],
          }),
    ),
  }));
  const dl = createDataloopClient({ gateUrl, auth: { getToken: async () => "bench-token" } });
  const sdk = async () => {
    const started = performance.now();
    const summary = await uploadAnnotations(dl, "d1", entries, { concurrency: CONCURRENCY });
    if (summary.failed || summary.annotations !== ANNOTATIONS)
      throw new Error(`SDK upload: ${JSON.stringify(summary.results.find((r) => !r.ok)?.error)}`);
    return performance.now() - started;
  };
  // Raw: the same bodies (client ids included) as one JSON array per item, fetch at the same concurrency.
  const bodies = entries.map((e) => ({
    itemId: e.itemId,
    body: JSON.stringify(
      e.annotations.map((a) => ({ ...a, metadata: { system: { clientId: crypto.randomUUID() } } })),
    ),
  }));
  /** Each job sent by one of CONCURRENCY workers, as uploadAnnotations runs its own; the time it took (ms). */
  const timedPool = async (jobs, send) => {
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < jobs.length) await send(jobs[next++]);
      }),
    );
    return performance.now() - started;
  };
  const raw = () =>
    timedPool(bodies, async ({ itemId, body }) => {
      const res = await fetch(`${gateUrl}/api/v1/items/${itemId}/annotations`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer bench-token" },
        body,
      });
      const created = await res.json();
      if (!res.ok || created.length !== PER_ITEM) throw new Error(`raw upload: ${res.status}`);
    });
  // Raw undici `request` (what the client's transport on Node is built on): the fair raw contender.
  const { request, Agent } = await import("undici");
  const agent = new Agent({ connections: CONCURRENCY });
  const rawUndici = () =>
    timedPool(bodies, async ({ itemId, body }) => {
      const res = await request(`${gateUrl}/api/v1/items/${itemId}/annotations`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer bench-token" },
        body,
        dispatcher: agent,
      });
      const created = await res.body.json();
      if (res.statusCode !== 200 || created.length !== PER_ITEM)
        throw new Error(`raw upload: ${res.statusCode}`);
    });
  // The client's own request path with the same bodies: what uploadAnnotations adds is the difference.
  const parsed = bodies.map((b) => ({ itemId: b.itemId, body: JSON.parse(b.body) }));
  const post = () =>
    timedPool(parsed, ({ itemId, body }) =>
      dl.POST("/items/{itemId}/annotations", { params: { path: { itemId } }, body }),
    );
  const contenders = {
    "raw fetch": raw,
    "raw undici request": rawUndici,
    "dl.POST": post,
    uploadAnnotations: sdk,
  };
  const times = Object.fromEntries(Object.keys(contenders).map((k) => [k, { wall: [], cpu: [] }]));
  for (const f of Object.values(contenders)) await f(); // warm up (JIT, keep-alive sockets)
  for (let r = 0; r < 3; r++)
    for (const [name, f] of Object.entries(contenders)) {
      const cpu0 = process.cpuUsage();
      times[name].wall.push(await f());
      const cpu = process.cpuUsage(cpu0);
      times[name].cpu.push((cpu.user + cpu.system) / 1000);
    }
  const best = (xs) => Math.min(...xs);
  console.log(
    `Upload ${ANNOTATIONS} annotations over ${ITEMS} items, concurrency ${CONCURRENCY}, best of 3 (the server in another process); target: uploadAnnotations ≤ 1.2× raw undici request:`,
  );
  const ratio = (t, name, what) => (best(t[what]) / best(times[name][what])).toFixed(2);
  for (const [name, t] of Object.entries(times))
    console.log(
      `  ${name.padEnd(20)} ${(best(t.wall) / 1000).toFixed(2)} s wall = ${ratio(t, "raw undici request", "wall")}× undici, ${ratio(t, "raw fetch", "wall")}× fetch; ${(best(t.cpu) / 1000).toFixed(2)} s CPU = ${ratio(t, "raw undici request", "cpu")}× undici, ${ratio(t, "raw fetch", "cpu")}× fetch`,
    );
  await agent.close();
  child.kill();
}
