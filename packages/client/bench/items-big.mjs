// One big transfer in a fresh process, for bench/items.bench.mjs: `upload|download client|fetch SINK FILE OUT`.
// Prints {ms, rssMb}: the time, and how far this process's peak RSS rose above where it started.
import { createWriteStream, openAsBlob } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createDataloopClient } from "../dist/index.js";
import { downloadFile, uploadFile } from "../dist/node.js";

const [what, who, sink, file, out] = process.argv.slice(2);
const dl = createDataloopClient({
  gateUrl: sink,
  auth: { getToken: async () => "bench-token" },
});
const headers = { authorization: "Bearer bench-token" };
const run = {
  "upload client": () => uploadFile(dl, "d", file, { remotePath: "/bench/big.bin" }),
  "upload fetch": async () => {
    const form = new FormData();
    form.append("type", "file");
    form.append("path", "/bench/big.bin");
    form.append("file", await openAsBlob(file), "big.bin");
    await (
      await fetch(`${sink}/api/v1/datasets/d/items?mode=skip`, { method: "POST", body: form, headers })
    ).json();
  },
  "download client": () => downloadFile(dl, "i1", out),
  "download fetch": async () => {
    const r = await fetch(`${sink}/api/v1/items/i1/stream`, { headers });
    await pipeline(Readable.fromWeb(r.body), createWriteStream(out));
  },
}[`${what} ${who}`];
// The base after fetch itself is loaded and has made one call: what the transfer adds, not the runtime.
await (
  await fetch(`${sink}/api/v1/datasets/d/items?mode=skip`, { method: "POST", body: "{}", headers })
).text();
globalThis.gc?.();
const base = process.memoryUsage().rss;
const started = performance.now();
await run();
const ms = performance.now() - started;
console.log(JSON.stringify({ ms, rssMb: (process.resourceUsage().maxRSS * 1024 - base) / 1e6 }));
