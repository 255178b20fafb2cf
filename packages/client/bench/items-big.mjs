// One big transfer in a fresh process, for bench/items-big.bench.mjs:
// `upload client|undici|stream|formData SINK FILE OUT`, `download client|undici|fetch SINK FILE OUT`.
// Prints {ms, rssMb, cpuMs}: the time, how far this process's peak RSS rose above where it started, and
// the CPU time it spent (user and system) on the transfer.
import { createReadStream, createWriteStream, openAsBlob } from "node:fs";
import { stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { Agent } from "undici";
import { createDataloopClient } from "../dist/index.js";
import { downloadFile, uploadFile } from "../dist/node.js";

const [what, who, sink, file, out] = process.argv.slice(2);
const dl = createDataloopClient({
  gateUrl: sink,
  auth: { getToken: async () => "bench-token" },
});
const headers = { authorization: "Bearer bench-token" };
const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
const uploadPath = "/api/v1/datasets/d/items?mode=skip";
/** The gateway's multipart form around the file, as the client makes it: head, the file, tail. */
const formOf = () => {
  const boundary = `----bench-${crypto.randomUUID()}`;
  return {
    head:
      `--${boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\nfile\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="path"\r\n\r\n/bench/big.bin\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
      "Content-Type: application/octet-stream\r\n\r\n",
    tail: `\r\n--${boundary}--\r\n`,
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
};
const run = {
  "upload client": () => uploadFile(dl, "d", file, { remotePath: "/bench/big.bin" }),
  // The wire, as near as Node gets: undici's `request()` sending the same form, the file read as it
  // is sent (its length declared: the sender knows the file's size).
  "upload undici": async () => {
    const { head, tail, contentType } = formOf();
    const size = (await stat(file)).size;
    async function* form() {
      yield Buffer.from(head);
      yield* createReadStream(file);
      yield Buffer.from(tail);
    }
    const { body } = await dispatcher.request({
      origin: sink,
      path: uploadPath,
      method: "POST",
      body: form(),
      headers: {
        ...headers,
        "content-type": contentType,
        "content-length": String(Buffer.byteLength(head) + size + Buffer.byteLength(tail)),
      },
    });
    await body.json();
  },
  // What a careful hand would write with fetch: the form as a stream, the file read as it is sent.
  "upload stream": async () => {
    const { head, tail, contentType } = formOf();
    async function* form() {
      yield new TextEncoder().encode(head);
      for await (const chunk of createReadStream(file)) yield chunk;
      yield new TextEncoder().encode(tail);
    }
    await (
      await fetch(`${sink}${uploadPath}`, {
        method: "POST",
        body: ReadableStream.from(form()),
        duplex: "half",
        redirect: "error", // with "follow", fetch keeps the whole body in case it must send it again
        headers: { ...headers, "content-type": contentType },
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
    await (await fetch(`${sink}${uploadPath}`, { method: "POST", body: form, headers })).json();
  },
  "download client": () => downloadFile(dl, "i1", out),
  // The wire: undici's `request()`, its body piped into the file.
  "download undici": async () => {
    const { body } = await dispatcher.request({
      origin: sink,
      path: "/api/v1/items/i1/stream",
      method: "GET",
      headers,
    });
    await pipeline(body, createWriteStream(out));
  },
  "download fetch": async () => {
    const r = await fetch(`${sink}/api/v1/items/i1/stream`, { headers });
    await pipeline(r.body, createWriteStream(out));
  },
}[`${what} ${who}`];
if (!run) throw new Error(`no contender "${what} ${who}"`);
// The base after the HTTP stacks are loaded and have made one call each (undici's, which the client
// and the undici contenders use, and fetch's): what the transfer adds, not the runtime.
await (
  await dispatcher.request({ origin: sink, path: uploadPath, method: "POST", body: "{}", headers })
).body.text();
await (await fetch(`${sink}${uploadPath}`, { method: "POST", body: "{}", headers })).text();
globalThis.gc?.();
const base = process.memoryUsage().rss;
const cpu = process.cpuUsage();
const started = performance.now();
await run();
const ms = performance.now() - started;
const { user, system } = process.cpuUsage(cpu);
console.log(
  JSON.stringify({
    ms,
    rssMb: (process.resourceUsage().maxRSS * 1024 - base) / 1e6,
    cpuMs: (user + system) / 1000,
  }),
);
await dispatcher.close();
