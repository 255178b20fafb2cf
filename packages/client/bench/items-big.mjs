// One big transfer in a fresh process, for bench/items.bench.mjs: `upload client|stream|formData SINK FILE OUT`, `download client|fetch …`.
// Prints {ms, rssMb}: the time, and how far this process's peak RSS rose above where it started.
import { createReadStream, createWriteStream, openAsBlob } from "node:fs";
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
  // What a careful hand would write: the multipart form as a stream, the file read as it is sent.
  "upload stream": async () => {
    const boundary = `----bench-${crypto.randomUUID()}`;
    const head =
      `--${boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\nfile\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="path"\r\n\r\n/bench/big.bin\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
      "Content-Type: application/octet-stream\r\n\r\n";
    async function* form() {
      yield new TextEncoder().encode(head);
      for await (const chunk of createReadStream(file)) yield chunk;
      yield new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
    }
    await (
      await fetch(`${sink}/api/v1/datasets/d/items?mode=skip`, {
        method: "POST",
        body: ReadableStream.from(form()),
        duplex: "half",
        redirect: "error", // with "follow", fetch keeps the whole body in case it must send it again
        headers: { ...headers, "content-type": `multipart/form-data; boundary=${boundary}` },
      })
    ).json();
  },
  // What most hands write: FormData with a file-backed Blob, fetch's default redirect ("follow", for
  // which undici keeps the whole body in case it must send it again).
  "upload formData": async () => {
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
    await pipeline(r.body, createWriteStream(out));
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
