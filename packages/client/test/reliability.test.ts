// What a hostile gateway does to a client (resets, stalls, echoed secrets), and what the client promises:
// every failure one of the documented error classes, the retry budget kept, no token in any error.
import type { IncomingMessage, ServerResponse } from "node:http";
import { inspect } from "node:util";
import { type LoopbackServer, listenLoopback } from "@dataloop-ts/core/node";
import { afterEach, describe, expect, it } from "vitest";
import {
  createDataloopClient,
  DataloopApiError,
  type DataloopClientOptions,
  DataloopConnectionError,
  DataloopError,
} from "../src/index.js";

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

/** A loopback API whose `n`th request (from 1) `reply` answers; it counts the requests. */
async function api(reply: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
  const state = { calls: 0 };
  const server = await listenLoopback((req, res) => {
    req.resume();
    req.on("end", () => reply(req, res, ++state.calls));
  });
  servers.push(server);
  return {
    url: server.url,
    get calls() {
      return state.calls;
    },
  };
}
const reset = (res: ServerResponse) => res.socket?.destroy();
const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

const OPAQUE = "opaque-token-4f1c9b7e2a";
const client = (url: string, extra: Partial<DataloopClientOptions> = {}) =>
  createDataloopClient({ gateUrl: url, auth: { getToken: async () => OPAQUE }, ...extra });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("every failure a user sees is a documented error class", () => {
  it("a reset after a 503 (the retry's own send fails) is a DataloopConnectionError, not a TypeError", async () => {
    const server = await api((_q, res, n) => (n === 1 ? json(res, 503, {}) : reset(res)));
    const error = await failure(
      client(server.url, { retry: { attempts: 2, baseDelayMs: 1 } }).GET("/users/me"),
    );
    expect(error).toBeInstanceOf(DataloopConnectionError);
    expect(error).toMatchObject({ kind: "network", code: "CONNECTION_ERROR" });
  });

  it("a body that breaks off mid-way is a DataloopConnectionError", async () => {
    const server = await api((_q, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"id":"p1","name":"');
      setTimeout(() => reset(res), 20);
    });
    const error = await failure(client(server.url, { retry: false }).GET("/users/me"));
    expect(error).toBeInstanceOf(DataloopConnectionError);
    expect((error as DataloopConnectionError).kind).toBe("network");
  });

  it("a body that stalls is cut off after bodyTimeoutMs, as a DataloopConnectionError of kind timeout", async () => {
    const server = await api((_q, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"id":');
      // …and nothing more, ever (the server stops it after the test).
    });
    const error = await failure(client(server.url, { retry: false, bodyTimeoutMs: 300 }).GET("/users/me"));
    expect(error).toBeInstanceOf(DataloopConnectionError);
    expect(error).toMatchObject({ kind: "timeout", deadline: "bodyTimeoutMs" });
  });

  it("read as a stream, a body that stalls fails the reader with a typed timeout too", async () => {
    const server = await api((_q, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.write("first bytes");
    });
    const { data } = await client(server.url, { retry: false, bodyTimeoutMs: 300 }).GET(
      "/items/{id}/stream",
      {
        params: { path: { id: "i" } },
        parseAs: "stream",
      },
    );
    const reader = (data as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("first bytes");
    const error = await reader.read().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataloopConnectionError);
    expect((error as DataloopConnectionError).kind).toBe("timeout");
  });

  it("with throwOnError: false a network failure is still a DataloopConnectionError", async () => {
    const server = await api((_q, res) => reset(res));
    const error = await failure(client(server.url, { throwOnError: false, retry: false }).GET("/users/me"));
    expect(error).toBeInstanceOf(DataloopConnectionError);
  });
});

describe("no state stranded by a failure", () => {
  it("100 retried 1 MB PUTs that end in network errors leave the heap as it was", async () => {
    const server = await api((_q, res) => reset(res));
    const script = `
      const { createDataloopClient } = await import(${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)});
      const dl = createDataloopClient({ gateUrl: process.argv[1], auth: { getToken: async () => "t0ken-for-the-leak-test" }, retry: { attempts: 3, baseDelayMs: 1 } });
      const body = { name: "x".repeat(1_000_000) };
      const put = () => dl.PUT("/projects/{projectId}", { params: { path: { projectId: "p" } }, body }).catch(() => {});
      for (let i = 0; i < 10; i++) await put(); // warm up
      globalThis.gc(); const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < 100; i++) await put();
      await new Promise((r) => setTimeout(r, 100)); globalThis.gc(); globalThis.gc();
      console.log(JSON.stringify({ grewMb: (process.memoryUsage().heapUsed - before) / 1e6 }));`;
    // Not execFileSync: the server answering it lives in this process and must keep running.
    const { execFile } = await import("node:child_process");
    const out = await new Promise<string>((done, fail) =>
      execFile(
        process.execPath,
        ["--expose-gc", "--input-type=module", "-e", script, server.url],
        { encoding: "utf8", timeout: 120_000 },
        (error, stdout, stderr) => (error ? fail(new Error(`${error.message}\n${stderr}`)) : done(stdout)),
      ),
    );
    const { grewMb } = JSON.parse(out.trim().split("\n").pop() ?? "{}") as { grewMb: number };
    // Before the fix, each failure stranded the auth middleware's copy of the body: ~300 MB here.
    expect(grewMb).toBeLessThan(20);
    expect(server.calls).toBeGreaterThanOrEqual(330); // 110 PUTs, 3 attempts each
  });
});

describe("the retry budget", () => {
  it("a reset, then 503s: `attempts` requests in all, never more", async () => {
    const server = await api((_q, res, n) => (n === 1 ? reset(res) : json(res, 503, { message: "busy" })));
    const error = await failure(
      client(server.url, { retry: { attempts: 3, baseDelayMs: 1 } }).GET("/users/me"),
    );
    expect(error).toBeInstanceOf(DataloopApiError);
    expect(server.calls).toBe(3);
  });
});

describe("secrets in errors", () => {
  it("a 403 that echoes the Bearer token (opaque or JWT) shows it in no field, string or inspection of the error", async () => {
    const jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln";
    const server = await api((req, res) =>
      json(res, 403, {
        message: `forbidden for ${req.headers.authorization}`,
        echo: { authorization: req.headers.authorization, other: `Bearer ${jwt}` },
      }),
    );
    const error = (await failure(client(server.url, { retry: false }).GET("/users/me"))) as DataloopApiError;
    expect(error).toBeInstanceOf(DataloopError);
    expect(error.status).toBe(403);
    for (const view of [
      error.message,
      error.stack ?? "",
      JSON.stringify(error),
      inspect(error, { depth: 9 }),
      JSON.stringify(error.body),
    ]) {
      expect(view).not.toContain(OPAQUE);
      expect(view).not.toContain(jwt);
    }
    expect(JSON.stringify(error.body)).toContain("[redacted]");
  });
});

describe("logging", () => {
  it("an error answer gets its ← line too, before it is thrown", async () => {
    const server = await api((_q, res) => json(res, 404, { message: "no such project" }));
    const lines: string[] = [];
    await failure(
      client(server.url, { retry: false, logger: { debug: (l) => lines.push(l) } }).GET("/users/me"),
    );
    expect(lines.filter((l) => l.startsWith("dataloop "))).toEqual([
      "dataloop → GET /api/v1/users/me",
      expect.stringMatching(/^dataloop ← 404 GET \/api\/v1\/users\/me \d+ ms$/),
    ]);
  });
});
