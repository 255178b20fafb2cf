import type { IncomingMessage, ServerResponse } from "node:http";
import { retryAfterMs } from "@dataloop-ts/core";
import { type LoopbackServer, listenLoopback } from "@dataloop-ts/mock";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createDataloopClient,
  DataloopApiError,
  type DataloopClientOptions,
  DataloopConnectionError,
  paginate,
} from "../src/index.js";

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

type Reply = (req: IncomingMessage, res: ServerResponse, call: number, body: string) => void;
/** A loopback API whose answers the test scripts; it records every request. */
async function api(reply: Reply) {
  const seen: Array<{ method: string; url: string; auth?: string; body: string; at: number }> = [];
  const server = await listenLoopback((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        auth: req.headers.authorization,
        body,
        at: Date.now(),
      });
      reply(req, res, seen.length, body);
    });
  });
  servers.push(server);
  return { server, seen };
}
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));

const TOKEN = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0In0.sig";
const client = (url: string, extra: Partial<DataloopClientOptions> = {}) =>
  createDataloopClient({ gateUrl: url, auth: { getToken: async () => TOKEN }, ...extra });

describe("retries", () => {
  it("503, then 429 with Retry-After: 1, then 200: the GET succeeds on the third attempt, after waiting", async () => {
    const { server, seen } = await api((_q, res, call) => {
      if (call === 1) return json(res, 503, { message: "busy" });
      if (call === 2) return json(res, 429, { message: "slow down" }, { "retry-after": "1" });
      json(res, 200, { id: "p1", name: "project" });
    });
    const dl = client(server.url, { retry: { baseDelayMs: 10 } });
    // The waits asked of the timers, not the time that passed (a busy machine adds to the latter).
    const waits = vi.spyOn(globalThis, "setTimeout");
    const { data } = await dl.GET("/projects/{projectId}", { params: { path: { projectId: "p1" } } });
    const asked = waits.mock.calls.map((c) => c[1]);
    waits.mockRestore();
    expect(data?.name).toBe("project");
    expect(seen).toHaveLength(3);
    expect(asked).toContain(1000); // honoured Retry-After
    expect(seen.every((s) => s.auth === `Bearer ${TOKEN}`)).toBe(true);
  });

  it("a POST is not retried unless opted in", async () => {
    const { server, seen } = await api((_q, res) => json(res, 503, { message: "busy" }));
    const error = await client(server.url, { retry: { baseDelayMs: 1 } })
      .POST("/projects", { body: { name: "x" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataloopApiError);
    expect((error as DataloopApiError).status).toBe(503);
    expect(seen).toHaveLength(1);
  });

  it("a POST is retried with the same body when opted in", async () => {
    const { server, seen } = await api((_q, res, call) =>
      call < 3 ? json(res, 502, {}) : json(res, 200, { id: "p" }),
    );
    const dl = client(server.url, { retry: { baseDelayMs: 1, retryNonIdempotent: true } });
    const { response } = await dl.POST("/projects", { body: { name: "same body" } });
    expect(response.status).toBe(200);
    expect(seen.map((s) => s.body)).toEqual(Array(3).fill(JSON.stringify({ name: "same body" })));
  });

  it("attempts are bounded: the last error status is thrown", async () => {
    const { server, seen } = await api((_q, res) => json(res, 500, { message: "down" }));
    const error = await client(server.url, { retry: { attempts: 4, baseDelayMs: 1 } })
      .GET("/users/me")
      .catch((e: unknown) => e);
    expect((error as DataloopApiError).status).toBe(500);
    expect(seen).toHaveLength(4);
  });

  it("network errors are retried, then reported as a DataloopConnectionError", async () => {
    const { server } = await api(() => {});
    await server.stop();
    const error = await client(server.url, { retry: { attempts: 2, baseDelayMs: 1 } })
      .GET("/users/me")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataloopConnectionError);
    expect((error as DataloopConnectionError).kind).toBe("network");
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(retryAfterMs("2")).toBe(2000);
    expect(retryAfterMs(new Date(Date.now() + 3000).toUTCString())).toBeGreaterThan(1000);
    expect(retryAfterMs("soon")).toBeUndefined();
  });
});

describe("typed errors", () => {
  it("an error status is a DataloopApiError with status, method, path, route, body and request id — no token", async () => {
    const { server } = await api((_q, res) =>
      json(res, 404, { status: 404, message: "Project not found" }, { "x-request-id": "req-123" }),
    );
    const error = await client(server.url)
      .GET("/projects/{projectId}", { params: { path: { projectId: "nope" } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataloopApiError);
    const e = error as DataloopApiError;
    expect(e).toMatchObject({
      status: 404,
      method: "GET",
      path: "/api/v1/projects/nope",
      route: "/projects/{projectId}",
      requestId: "req-123",
      body: { status: 404, message: "Project not found" },
    });
    expect(e.message).toBe(
      "GET /api/v1/projects/nope failed with HTTP 404: Project not found (request id req-123)",
    );
    const everything = [e.message, JSON.stringify(e), String(e.stack)].join("\n");
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toMatch(/authorization|Bearer/i);
  });

  it("throwOnError: false keeps openapi-fetch's { error }", async () => {
    const { server } = await api((_q, res) => json(res, 400, { message: "bad" }));
    const { error, response } = await client(server.url, { throwOnError: false }).GET("/users/me");
    expect(response.status).toBe(400);
    expect(error).toEqual({ message: "bad" });
  });
});

describe("timeouts and cancellation", () => {
  it("a call that outlives timeoutMs is a DataloopConnectionError of kind timeout", async () => {
    const { server } = await api(() => {}); // never answers
    const error = await client(server.url, { timeoutMs: 200, retry: false })
      .GET("/users/me")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataloopConnectionError);
    expect(error).toMatchObject({ kind: "timeout", deadline: "timeoutMs" });
  });

  it("the caller's own signal still aborts", async () => {
    const { server } = await api(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await client(server.url)
      .GET("/users/me", { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataloopConnectionError);
    expect((error as DataloopConnectionError).kind).toBe("aborted");
  });
});

describe("logging", () => {
  it("one redacted line per request and answer, when asked", async () => {
    const { server } = await api((_q, res) => json(res, 200, {}));
    const lines: string[] = [];
    await client(server.url, { logger: { debug: (l) => lines.push(l) } }).GET("/users/me");
    // The client's logger is the session's too: the login shows, between request and answer.
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe("dataloop → GET /api/v1/users/me");
    expect(lines[1]).toMatch(/^auth: logged in \(first use\) for custom; expires /);
    expect(lines[2]).toMatch(/^dataloop ← 200 GET \/api\/v1\/users\/me \d+ ms$/);
  });
});

describe("paginate", () => {
  it("walks every page until hasNextPage is false", async () => {
    const { server, seen } = await api((req, res) => {
      const page = Number(new URL(req.url ?? "", "http://x").searchParams.get("pageOffset"));
      json(res, 200, {
        items: [`a${page}`, `b${page}`],
        totalItemsCount: 6,
        totalPagesCount: 3,
        hasNextPage: page < 2,
      });
    });
    const dl = client(server.url);
    const items: unknown[] = [];
    for await (const item of paginate((pageOffset) =>
      dl
        .GET("/datasets/{datasetId}/items", { params: { path: { datasetId: "d" }, query: { pageOffset } } })
        .then((r) => r.data),
    ))
      items.push(item);
    expect(items).toEqual(["a0", "b0", "a1", "b1", "a2", "b2"]);
    expect(seen).toHaveLength(3);
  });

  it("stops at maxPages even if the server always says there is more", async () => {
    let calls = 0;
    const items: number[] = [];
    for await (const n of paginate(async () => ({ items: [++calls], hasNextPage: true }), { maxPages: 5 }))
      items.push(n);
    expect(items).toEqual([1, 2, 3, 4, 5]);
  });
});
