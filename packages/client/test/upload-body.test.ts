// An upload's body as it goes to the wire: on Node a file's form is an async iterable (the file's Node
// stream inside a generator of the form), a web stream elsewhere. What that must not change, against
// local gateways that misbehave on purpose: a middleware reading the request, a redirect, a retry's
// count of bytes, a web stream without an async iterator (Safari's).

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { type LoopbackServer, listenLoopback } from "@dataloop-ts/core/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDataloopClient, DataloopApiError, type StreamSource, uploadItem } from "../src/index.js";
import { fileSource, uploadFile } from "../src/node.js";

interface Seen {
  url: string;
  length: string | undefined;
  bytes: number;
  body: Buffer;
}

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dataloop-upload-body-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A gateway that reads each request whole, records it, then lets `reply` answer. */
async function gateway(reply: (req: IncomingMessage, res: ServerResponse, n: number, seen: Seen) => void) {
  const seen: Seen[] = [];
  const server = await listenLoopback((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const one = { url: req.url ?? "", length: req.headers["content-length"], bytes: body.byteLength, body };
      seen.push(one);
      reply(req, res, seen.length, one);
    });
  });
  servers.push(server);
  return { url: server.url, seen };
}
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
/** The file part's bytes of a form: between its part head and the closing boundary. */
const filePart = (form: Buffer) => {
  const start = form.indexOf("\r\n\r\n", form.indexOf('name="file"')) + 4;
  const end = form.lastIndexOf("\r\n--");
  return form.subarray(start, end);
};
const client = (url: string, retry: false | { attempts: number; baseDelayMs: number } = false) =>
  createDataloopClient({ gateUrl: url, auth: { getToken: async () => "t0ken" }, retry });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("a file's form on the wire", () => {
  it("a middleware that reads a clone of an upload's request (a logger) leaves the form whole, its length declared", async () => {
    const file = join(dir, "logged.bin");
    const bytes = Buffer.alloc(600_000, 3);
    await writeFile(file, bytes);
    const api = await gateway((_req, res, _n, seen) =>
      json(res, 200, { id: "l", metadata: { system: { size: filePart(seen.body).byteLength } } }),
    );
    const dl = client(api.url);
    let logged = 0;
    dl.use({
      async onRequest({ request }) {
        logged = (await request.clone().arrayBuffer()).byteLength;
      },
    });
    const { item } = await uploadFile(dl, "d", file, { remotePath: "/logged.bin" });
    expect(item.id).toBe("l");
    expect(api.seen).toHaveLength(1);
    const [sent] = api.seen;
    expect(filePart(sent?.body ?? Buffer.alloc(0)).equals(bytes)).toBe(true);
    expect(Number(sent?.length)).toBe(sent?.bytes);
    expect(logged).toBe(sent?.bytes);
  });

  it("an upload answered 307 is not sent again to where it points (the file is read once per attempt): the 307 is the answer", async () => {
    const file = join(dir, "moved.bin");
    await writeFile(file, Buffer.alloc(200_000, 5));
    const api = await gateway((req, res) =>
      req.url?.startsWith("/api/v1/datasets/")
        ? res.writeHead(307, { location: "/elsewhere" }).end()
        : json(res, 200, { id: "x" }),
    );
    const error = await failure(uploadFile(client(api.url), "d", file, { remotePath: "/moved.bin" }));
    expect(error).toBeInstanceOf(DataloopApiError);
    expect((error as DataloopApiError).status).toBe(307);
    expect(api.seen.map((s) => s.url.split("?")[0])).toEqual(["/api/v1/datasets/d/items"]);
  });

  it("a file source counts what its last attempt read: after a 503 and a retry, the file's size once", async () => {
    const file = join(dir, "counted.bin");
    await writeFile(file, Buffer.alloc(700_000, 9));
    const api = await gateway((_req, res, n, seen) =>
      n === 1
        ? json(res, 503, { message: "busy" })
        : json(res, 200, { id: "c", metadata: { system: { size: filePart(seen.body).byteLength } } }),
    );
    const source = fileSource(file);
    const { item } = await uploadItem(client(api.url, { attempts: 2, baseDelayMs: 0 }), "d", source, {
      remotePath: "/counted.bin",
    });
    expect(item.id).toBe("c");
    expect(api.seen.map((s) => filePart(s.body).byteLength)).toEqual([700_000, 700_000]);
    expect(source.bytesRead()).toBe(700_000);
  });

  it("a stream source's openChunks (an async iterable) is what is sent, opened anew for each attempt; its open is not called", async () => {
    const api = await gateway((_req, res, n, seen) =>
      n === 1
        ? json(res, 503, { message: "busy" })
        : json(res, 200, { id: "g", metadata: { system: { size: filePart(seen.body).byteLength } } }),
    );
    let opened = 0;
    const source = {
      open: (): ReadableStream<Uint8Array> => {
        throw new Error("open() called where openChunks() is there");
      },
      async *openChunks() {
        opened++;
        yield new TextEncoder().encode("from ");
        yield new TextEncoder().encode("a generator");
      },
      openedLength: () => 16,
    };
    const { item } = await uploadItem(client(api.url, { attempts: 2, baseDelayMs: 0 }), "d", source, {
      remotePath: "/gen.txt",
    });
    expect(item.id).toBe("g");
    expect(opened).toBe(2);
    expect(api.seen.map((s) => filePart(s.body).toString())).toEqual([
      "from a generator",
      "from a generator",
    ]);
    expect(api.seen.every((s) => Number(s.length) === s.bytes)).toBe(true);
  });

  it("a web stream without an async iterator (Safari's) is read through its reader, whole and in order", async () => {
    const parts = ["first ", "second ", "third"];
    const api = await gateway((_req, res, _n, seen) =>
      json(res, 200, { id: "s", metadata: { system: { size: filePart(seen.body).byteLength } } }),
    );
    const { item } = await uploadItem(
      client(api.url),
      "d",
      {
        open: () => {
          let i = 0;
          const stream = new ReadableStream<Uint8Array>({
            pull(controller) {
              const part = parts[i++];
              if (part === undefined) controller.close();
              else controller.enqueue(new TextEncoder().encode(part));
            },
          });
          // As Safari's web streams are: no `Symbol.asyncIterator`.
          Object.defineProperty(stream, Symbol.asyncIterator, { value: undefined });
          return stream;
        },
      },
      { remotePath: "/safari.txt" },
    );
    expect(item.id).toBe("s");
    expect(filePart(api.seen[0]?.body ?? Buffer.alloc(0)).toString()).toBe(parts.join(""));
  });

  it("a file opened for attempts the gateway cut off before reading them is let go of after each, not left to a GC", async () => {
    const file = join(dir, "cut-off.bin");
    await writeFile(file, Buffer.alloc(2 * 1024 * 1024, 3));
    let requests = 0;
    // Every request is met with a reset of its connection, before a byte of its body is read.
    const server = await listenLoopback((req) => {
      requests++;
      req.socket.destroy();
    });
    servers.push(server);
    // The file source as it is, each attempt's Node stream (what holds the file open) kept to look at.
    const opened: Readable[] = [];
    const source = (): StreamSource => {
      const base = fileSource(file);
      return {
        ...base,
        async openChunks() {
          const stream = (await base.openChunks?.()) as Readable;
          opened.push(stream);
          return stream;
        },
      };
    };
    const dl = client(server.url, { attempts: 3, baseDelayMs: 0 });
    for (let i = 0; i < 2; i++) {
      const error = await failure(uploadItem(dl, "d", source(), { remotePath: "/cut-off.bin" }));
      expect((error as { code?: string }).code).toBe("CONNECTION_ERROR");
    }
    expect(requests).toBe(6);
    expect(opened).toHaveLength(6);
    // Destroyed: its file is closed now, not when a GC finds the stream.
    expect(opened.map((s) => s.destroyed)).toEqual(Array(6).fill(true));
  });
});
