// Annotations at scale (not a test). Wall times on a shared machine say little (load 16 on 2 cores
// made JSON.parse of the 25 MB file take 1.7 s), so the CPU time of each process is printed too. Run: node bench/annotations.bench.mjs (after the client's build).
//  1. A COCO file of 100 000 annotations (polygons and boxes over 10 000 images) → Dataloop JSON (one
//     JSON line per item, to a file) and back → COCO, each way in its own process, with its time and
//     peak RSS against the COCO file's size.
//  2. 100 000 annotations over 10 000 items uploaded to a local server (a child process, so that its
//     work is not counted in ours): uploadAnnotations vs raw fetch POSTing the same batches at the same
//     concurrency.
import { execFile, spawn } from "node:child_process";
import { rmSync, statSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

function serve() {
  let id = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const created = (Array.isArray(body) ? body : [body]).map((a) => ({ ...a, id: (++id).toString(16) }));
      const text = JSON.stringify(created);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
}

if (role === "serve") serve();
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

  // 1. Converters.
  const cocoPath = join(dir, "coco.json");
  await writeFile(cocoPath, JSON.stringify(cocoFile()));
  const size = statSync(cocoPath).size;
  const baseline = JSON.parse(
    (
      await run(process.execPath, [
        "-e",
        "process.stdout.write(String(process.resourceUsage().maxRSS * 1024))",
      ])
    ).stdout,
  );
  const jsonl = join(dir, "items.jsonl");
  const there = JSON.parse((await run(process.execPath, [self, "to-dataloop", cocoPath, jsonl])).stdout);
  const back = JSON.parse(
    (await run(process.execPath, [self, "to-coco", jsonl, join(dir, "back.json")])).stdout,
  );
  console.log(
    `COCO file: ${ANNOTATIONS} annotations, ${mb(size)}; an empty node process peaks at ${mb(baseline)} RSS`,
  );
  for (const [name, r] of [
    ["COCO → Dataloop JSON", there],
    ["Dataloop JSON → COCO", back],
  ])
    console.log(
      `  ${name.padEnd(22)} ${(r.ms / 1000).toFixed(2)} s wall, ${(r.cpuMs / 1000).toFixed(2)} s CPU (≤ 2 s)  peak RSS ${mb(r.maxRssBytes)} = ${(r.maxRssBytes / size).toFixed(2)}× the file (≤ 3×), ${((r.maxRssBytes - baseline) / size).toFixed(2)}× above an empty node; ${r.issues} issues`,
    );

  // 2. Uploads.
  const child = spawn(process.execPath, [self, "serve"], { stdio: ["ignore", "pipe", "inherit"] });
  process.on("exit", () => child.kill());
  const port = await new Promise((resolve) =>
    child.stdout.once("data", (d) => resolve(Number(String(d).trim()))),
  );
  const gateUrl = `http://127.0.0.1:${port}`;
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
  const raw = async () => {
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < bodies.length) {
          const { itemId, body } = bodies[next++];
          const res = await fetch(`${gateUrl}/api/v1/items/${itemId}/annotations`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: "Bearer bench-token" },
            body,
          });
          const created = await res.json();
          if (!res.ok || created.length !== PER_ITEM) throw new Error(`raw upload: ${res.status}`);
        }
      }),
    );
    return performance.now() - started;
  };
  // The client's own request path with the same bodies: what uploadAnnotations adds is the difference.
  const parsed = bodies.map((b) => ({ itemId: b.itemId, body: JSON.parse(b.body) }));
  const post = async () => {
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < parsed.length) {
          const { itemId, body } = parsed[next++];
          await dl.POST("/items/{itemId}/annotations", { params: { path: { itemId } }, body });
        }
      }),
    );
    return performance.now() - started;
  };
  const contenders = { raw, "dl.POST": post, uploadAnnotations: sdk };
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
    `Upload ${ANNOTATIONS} annotations over ${ITEMS} items, concurrency ${CONCURRENCY}, best of 3 (the server in another process):`,
  );
  for (const [name, t] of Object.entries(times))
    console.log(
      `  ${name.padEnd(18)} ${(best(t.wall) / 1000).toFixed(2)} s wall = ${(best(t.wall) / best(times.raw.wall)).toFixed(2)}× raw (≤ 1.2×); ${(best(t.cpu) / 1000).toFixed(2)} s CPU = ${(best(t.cpu) / best(times.raw.cpu)).toFixed(2)}× raw`,
    );
  child.kill();
}
