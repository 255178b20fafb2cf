// The request path under a hostile gateway: what a body's size, a redirect or a signal must not change.

import { truncateSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LoopbackServer, listenLoopback } from "@dataloop-ts/core/node";
import { afterEach, describe, expect, it } from "vitest";
import { createDataloopClient, DataloopConnectionError, UnsafePathParameterError } from "../src/index.js";
import { downloadFile, uploadFile } from "../src/node.js";

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function api(reply: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void) {
  const server = await listenLoopback((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => reply(req, res, Buffer.concat(chunks)));
  });
  servers.push(server);
  return server;
}
const client = (url: string) =>
  createDataloopClient({ gateUrl: url, auth: { getToken: async () => "t0ken" }, retry: false });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("a caller's signal after the answer's headers", () => {
  for (const [what, bytes] of [
    ["a small body", 1000],
    ["a body over 64 KiB", 100 * 1024],
  ] as const) {
    it(`aborted while the answer's body stalls, ends the read (${what} sent)`, async () => {
      const server = await api((_q, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.write("first bytes");
        // …and nothing more, ever.
      });
      const abort = new AbortController();
      const { data } = await client(server.url).PATCH("/items/{id}", {
        params: { path: { id: "i" } },
        body: { name: "x".repeat(bytes) } as never,
        parseAs: "stream",
        signal: abort.signal,
      });
      const reader = (data as ReadableStream<Uint8Array>).getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toBe("first bytes");
      abort.abort();
      const error = await failure(reader.read());
      expect(error).toBeInstanceOf(DataloopConnectionError);
      expect((error as DataloopConnectionError).kind).toBe("aborted");
    }, 10_000);
  }
});

describe("bodies around the one-write size", () => {
  it("a body sent again after a 307 or 308 arrives whole, with its byte length, however near 64 KiB", async () => {
    const seen: Array<{ length: string | undefined; te: string | undefined; bytes: number; text: string }> =
      [];
    const server = await api((req, res, body) => {
      if (req.url?.startsWith("/api/v1/items/")) {
        const status = req.url.endsWith("a") ? 307 : 308;
        return res.writeHead(status, { location: "/api/v1/there" }).end();
      }
      seen.push({
        length: req.headers["content-length"],
        te: req.headers["transfer-encoding"],
        bytes: body.byteLength,
        text: body.toString("utf8"),
      });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    // Characters ≤ 64 Ki whose UTF-8 bytes are more (é is two bytes), and bytes at 64 KiB and one over.
    const names = ["é".repeat(40_000), "x".repeat(65_536 - 11), "x".repeat(65_537 - 11)];
    for (const [i, name] of names.entries()) {
      await client(server.url).PATCH("/items/{id}", {
        params: { path: { id: i % 2 ? "a" : "b" } },
        body: { name } as never,
      });
    }
    expect(seen.map((s) => s.text)).toEqual(names.map((name) => JSON.stringify({ name })));
    for (const s of seen)
      expect(s.length === undefined ? s.te : Number(s.length)).toBe(
        s.length === undefined ? "chunked" : s.bytes,
      );
    expect(seen.map((s) => s.bytes)).toEqual([80_011, 65_536, 65_537]);
  });
});

describe("a file that changes while it is uploaded", () => {
  it("one that shrinks mid-send fails that attempt; the next sends it whole as it is now, its length declared", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dataloop-shrink-"));
    const file = join(dir, "big.bin");
    await writeFile(file, Buffer.alloc(8 << 20, 7));
    const seen: Array<{ length: string | undefined; bytes: number }> = [];
    let first = true;
    const server = await listenLoopback((req, res) => {
      let bytes = 0;
      req.on("data", (c: Buffer) => {
        if (first) {
          first = false;
          truncateSync(file, 1000);
        }
        bytes += c.byteLength;
      });
      const done = () => {
        seen.push({ length: req.headers["content-length"], bytes });
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ id: "i1", metadata: { system: { size: 1000 } } }));
      };
      req.on("end", done);
      req.on("aborted", () => seen.push({ length: req.headers["content-length"], bytes: -1 }));
    });
    servers.push(server);
    try {
      const dl = createDataloopClient({
        gateUrl: server.url,
        auth: { getToken: async () => "t0ken" },
        retry: { attempts: 3, baseDelayMs: 1 },
      });
      const { item } = await uploadFile(dl, "d", file, { remotePath: "/big.bin" });
      expect(item.id).toBe("i1");
      const last = seen.at(-1);
      expect(seen.length).toBeGreaterThanOrEqual(2);
      expect(Number(last?.length)).toBe(last?.bytes);
      expect(last?.bytes).toBeLessThan(2000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 20_000);
});

describe("framing headers the caller passes", () => {
  it("a Content-Length that is not the body's, or a Transfer-Encoding, gives way to the body's own length", async () => {
    const seen: Array<{ length: string | undefined; bytes: number }> = [];
    const server = await api((req, res, body) => {
      seen.push({ length: req.headers["content-length"], bytes: body.byteLength });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    const calls = [
      [{ "content-length": "5" }, 100],
      [{ "Content-Length": "999999" }, 100],
      [{ "content-length": "5" }, 100_000],
      [{ "transfer-encoding": "chunked" }, 100],
      [{ "Transfer-Encoding": "chunked" }, 100_000],
    ] as const;
    for (const [headers, size] of calls) {
      const { data } = await client(server.url).PATCH("/items/{id}", {
        params: { path: { id: "i" } },
        body: { name: "x".repeat(size) } as never,
        headers,
      });
      expect(data).toEqual({});
    }
    expect(seen.map((s) => s.bytes)).toEqual(calls.map(([, size]) => size + 11));
    for (const s of seen) expect(Number(s.length)).toBe(s.bytes);
  });
});

describe("a path parameter that is a dot segment", () => {
  it("'.' or '..' is refused typed before a request: DELETE …/items/.. would reach DELETE /datasets/{id}", async () => {
    const urls: string[] = [];
    const server = await api((req, res) => {
      urls.push(req.url ?? "");
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    for (const id of ["..", "."]) {
      const error = await failure(
        client(server.url).DELETE("/datasets/{datasetId}/items/{id}", {
          params: { path: { datasetId: "d1", id } },
        }),
      );
      expect(error).toBeInstanceOf(UnsafePathParameterError);
      expect(error).toMatchObject({ code: "UNSAFE_PATH_PARAMETER", parameter: "id" });
    }
    // A dot inside a value is a value: sent.
    await client(server.url).DELETE("/datasets/{datasetId}/items/{id}", {
      params: { path: { datasetId: "d1", id: "..a" } },
    });
    expect(urls).toEqual(["/api/v1/datasets/d1/items/..a"]);
  });
});

describe("a download cut off mid-body", () => {
  it("a reset after megabytes sent in many writes: the next attempt asks from the bytes the part holds, and the file is the item", async () => {
    const item = Buffer.from(Array.from({ length: 6 << 20 }, (_, i) => (i * 31 + 7) % 251));
    const ranges: Array<string | undefined> = [];
    const server = await listenLoopback((req, res) => {
      ranges.push(req.headers.range);
      const from = Number(/bytes=(\d+)-/.exec(req.headers.range ?? "")?.[1] ?? 0);
      if (ranges.length === 1) {
        // 4 MiB in 16 KiB writes, then the connection reset mid-body.
        res.writeHead(200, { "content-length": String(item.length), etag: '"v1"' });
        let at = 0;
        const more = () => {
          while (at < 4 << 20) {
            const ok = res.write(item.subarray(at, at + (16 << 10)));
            at += 16 << 10;
            if (!ok) return res.once("drain", more);
          }
          res.socket?.resetAndDestroy();
        };
        return more();
      }
      res
        .writeHead(206, { "content-range": `bytes ${from}-${item.length - 1}/${item.length}`, etag: '"v1"' })
        .end(item.subarray(from));
    });
    servers.push(server);
    const dir = await mkdtemp(join(tmpdir(), "dataloop-reset-"));
    try {
      const out = join(dir, "item.bin");
      const dl = createDataloopClient({ gateUrl: server.url, auth: { getToken: async () => "t0ken" } });
      const got = await downloadFile(dl, "i1", out, { size: item.length, attempts: 2, baseDelayMs: 1 });
      expect(got.bytes).toBe(item.length);
      expect(ranges).toHaveLength(2);
      const from = Number(/bytes=(\d+)-/.exec(ranges[1] ?? "")?.[1]);
      expect(from).toBeGreaterThan(0);
      expect((await readFile(out)).equals(item)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
