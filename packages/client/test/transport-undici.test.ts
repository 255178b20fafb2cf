// The Node transport (undici's dispatch() with a handler of ours) reading answers' bodies, against local
// servers: the connection waits while the reader does (backpressure), a reader that leaves early lets the
// body go, a discarded body keeps its connection, and an abort or a stall while the body streams in is
// the typed error naming what fired.

import type { IncomingMessage, ServerResponse } from "node:http";
import { type LoopbackServer, listenLoopback } from "@dataloop-ts/core/node";
import { afterEach, describe, expect, it } from "vitest";
import { DataloopConnectionError } from "../src/errors.js";
import type { TransportRequest } from "../src/transport.js";
import { undiciTransport } from "../src/transport-undici.js";

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const sockets = new Set<IncomingMessage["socket"]>();
  let closed = 0;
  const server = await listenLoopback((req, res) => {
    if (!sockets.has(req.socket)) {
      sockets.add(req.socket);
      req.socket.once("close", () => closed++);
    }
    handler(req, res);
  });
  servers.push(server);
  return { url: server.url, closed: () => closed };
}

const get = (url: string, extra: Partial<TransportRequest> = {}): TransportRequest => ({
  method: "GET",
  url,
  headers: {},
  body: undefined,
  signal: undefined,
  timeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  ...extra,
});

const CHUNK = Buffer.alloc(64 * 1024, 7);

describe("undici transport: reading an answer's body", () => {
  it("a reader that waits holds the connection: the gateway cannot send the body ahead of it, and every byte comes in order", async () => {
    const total = 64 * 1024 * 1024;
    let written = 0;
    let stalled: () => void = () => {};
    const isStalled = new Promise<void>((resolve) => {
      stalled = resolve;
    });
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { "content-length": String(total) });
      const pump = () => {
        while (written < total) {
          const chunk = Buffer.alloc(CHUNK.length, (written / CHUNK.length) % 251);
          written += chunk.length;
          if (!res.write(chunk)) {
            // Told to wait: the client's side is full. No drain within 150 ms: it is not reading.
            const timer = setTimeout(stalled, 150);
            res.once("drain", () => {
              clearTimeout(timer);
              pump();
            });
            return;
          }
        }
        res.end();
        stalled(); // sent whole: nothing held it back
      };
      pump();
    });
    const answer = await undiciTransport().send(get(`${url}/big`));
    const chunks = answer.chunks()[Symbol.asyncIterator]();
    const first = await chunks.next();
    expect(first.done).toBe(false);
    await isStalled;
    // What the socket buffers hold, and the transport's read-ahead: far from the whole body.
    expect(written).toBeLessThan(total / 2);
    let got = (first.value as Uint8Array).byteLength;
    let ordered = true;
    for (let r = await chunks.next(); !r.done; r = await chunks.next()) {
      const at = got;
      got += r.value.byteLength;
      // Each 64 KiB block of the body is filled with its index: a byte out of place shows.
      const block = Math.floor(at / CHUNK.length) % 251;
      if (r.value[0] !== block) ordered = false;
    }
    expect(got).toBe(total);
    expect(ordered).toBe(true);
  });

  it("a reader that leaves the loop early lets the body go, and the next request still gets through", async () => {
    let closedEarly = false;
    const { url } = await serve((req, res) => {
      if (req.url === "/small") return res.end("ok");
      res.writeHead(200, { "content-length": String(CHUNK.length * 1000) });
      res.on("close", () => {
        closedEarly = !res.writableFinished;
      });
      const pump = () => {
        while (res.write(CHUNK));
        res.once("drain", pump);
      };
      pump();
    });
    const transport = undiciTransport();
    const answer = await transport.send(get(`${url}/big`));
    for await (const _ of answer.chunks()) break;
    const next = await transport.send(get(`${url}/small`));
    expect(await next.text()).toBe("ok");
    await expect.poll(() => closedEarly).toBe(true);
  });

  it("a discarded body keeps its connection: ten answers discarded while their bodies come in close none", async () => {
    const { url, closed } = await serve((req, res) => {
      if (req.url !== "/first") return res.end("second");
      // Half now, half a moment later: the body is still coming in when it is discarded.
      res.writeHead(200, { "content-length": "20000" });
      res.write("x".repeat(10_000), () => setTimeout(() => res.end("y".repeat(10_000)), 5));
    });
    const transport = undiciTransport();
    for (let i = 0; i < 10; i++) {
      const first = await transport.send(get(`${url}/first`));
      first.discard();
      const second = await transport.send(get(`${url}/second`));
      expect(await second.text()).toBe("second");
    }
    // Let go instead, each discarded answer's connection was closed (10).
    expect(closed()).toBe(0);
  });

  it("the caller's abort while the body streams in fails the reader as aborted", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { "content-length": "1000000" });
      res.write("first bytes"); // and nothing more
    });
    const controller = new AbortController();
    const answer = await undiciTransport().send(get(`${url}/`, { signal: controller.signal }));
    const chunks = answer.chunks()[Symbol.asyncIterator]();
    await chunks.next();
    const failed = chunks.next();
    controller.abort(new Error("the user's own"));
    const error = await failed.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataloopConnectionError);
    expect((error as DataloopConnectionError).kind).toBe("aborted");
  });

  it("a body that stalls fails the reader by bodyTimeoutMs, the error naming it", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { "content-length": "1000000" });
      res.write("first bytes");
    });
    const answer = await undiciTransport().send(get(`${url}/`, { bodyTimeoutMs: 100 }));
    const error = await (async () => {
      for await (const _ of answer.chunks());
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataloopConnectionError);
    expect((error as DataloopConnectionError).deadline).toBe("bodyTimeoutMs");
    expect((error as DataloopConnectionError).hint).toContain("bodyTimeoutMs");
  });

  it("an async iterable body is sent as it is, chunk after chunk", async () => {
    const { url } = await serve((req, res) => {
      const parts: Buffer[] = [];
      req.on("data", (c: Buffer) => parts.push(c));
      req.on("end", () => res.end(Buffer.concat(parts)));
    });
    async function* body() {
      yield new TextEncoder().encode("one,");
      yield new TextEncoder().encode("two");
    }
    const answer = await undiciTransport().send({
      ...get(`${url}/echo`),
      method: "POST",
      body: body() as unknown as TransportRequest["body"],
    });
    expect(await answer.text()).toBe("one,two");
  });

  it("a 307 to an async iterable body is the answer: its chunks were read once, it is not sent again", async () => {
    const seen: string[] = [];
    const { url } = await serve((req, res) => {
      seen.push(req.url ?? "");
      req.resume();
      req.on("end", () =>
        req.url === "/here" ? res.writeHead(307, { location: "/there" }).end() : res.end("there"),
      );
    });
    async function* body() {
      yield new TextEncoder().encode("once");
    }
    const answer = await undiciTransport().send({
      ...get(`${url}/here`),
      method: "POST",
      body: body() as unknown as TransportRequest["body"],
    });
    expect(answer.status).toBe(307);
    expect(answer.header("location")).toBe("/there");
    answer.discard();
    expect(seen).toEqual(["/here"]);
  });
});
