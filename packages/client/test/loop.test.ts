// The one call loop against local gateways that misbehave on purpose: renewal after a 401 (uploads
// included), one retry budget per call, which calls retry, deadlines by the option that fired, typed
// errors for malformed answers, and the user's middleware seeing every attempt. Each rule runs on both
// transports: undici's (the default on Node) and fetch's (a fetch of one's own). Deadlines are short
// against gateways that never answer: the tests assert which deadline fired, never how long it took.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LoopbackServer, listenLoopback } from "@dataloop-ts/core/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createDataloopClient,
  DataloopApiError,
  type DataloopClientOptions,
  DataloopConnectionError,
  DataloopError,
  DataloopResponseError,
  downloadItem,
  queryDataset,
  uploadItem,
} from "../src/index.js";
import { uploadFile } from "../src/node.js";

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  body: string;
}
type Reply = (req: IncomingMessage, res: ServerResponse, n: number, body: string) => void;

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dataloop-loop-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A gateway that reads each request whole, records it, then lets `reply` answer (or not). */
async function gateway(reply: Reply) {
  const seen: Seen[] = [];
  const server = await listenLoopback((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("latin1");
      seen.push({ method: req.method ?? "", url: req.url ?? "", auth: req.headers.authorization, body });
      reply(req, res, seen.length, body);
    });
  });
  servers.push(server);
  return { url: server.url, seen };
}
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
const malformed = (res: ServerResponse) =>
  res.writeHead(200, { "content-type": "application/json" }).end('{"id": "i1", "na');
const reset = (res: ServerResponse) => res.socket?.destroy();
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

const TRANSPORTS = {
  undici: {},
  "fetch (one's own)": { fetch: (request: Request) => globalThis.fetch(request) },
} satisfies Record<string, Partial<DataloopClientOptions>>;

/** Tokens `t1`, `t2`… from a provider asked again after each refusal. */
function tokens() {
  let n = 0;
  return { getToken: async () => `t${++n}` };
}

describe.each(Object.entries(TRANSPORTS))("the call loop over %s", (_name, transport) => {
  const client = (url: string, extra: Partial<DataloopClientOptions> = {}) =>
    createDataloopClient({
      gateUrl: url,
      auth: tokens(),
      retry: { baseDelayMs: 0 },
      ...transport,
      ...extra,
    } as DataloopClientOptions);

  describe("renewal after a 401", () => {
    it("a 401 to an upload renews the token and sends the form again, from bytes and from a file", async () => {
      const api = await gateway((req, res, _n, body) =>
        req.headers.authorization === "Bearer t1"
          ? json(res, 401, { message: "expired" })
          : json(res, 200, { id: "i1", metadata: { system: { size: body.includes("hello") ? 5 : -1 } } }),
      );
      const dl = client(api.url);
      const { item } = await uploadItem(dl, "d", new TextEncoder().encode("hello"), { remotePath: "/a.txt" });
      expect(item.id).toBe("i1");
      expect(api.seen.map((s) => s.auth)).toEqual(["Bearer t1", "Bearer t2"]);
      expect(api.seen[1]?.body).toContain("hello");

      const path = join(dir, "hello.txt");
      await writeFile(path, "hello");
      const fresh = client(api.url);
      const uploaded = await uploadFile(fresh, "d", path, { remotePath: "/b.txt" });
      expect(uploaded.item.id).toBe("i1");
      expect(api.seen.slice(2).map((s) => s.auth)).toEqual(["Bearer t1", "Bearer t2"]);
      expect(api.seen[3]?.body).toContain("hello");
    });

    it("the renewal is outside the retry budget; a second 401 is final", async () => {
      const api = await gateway((req, res) =>
        req.headers.authorization === "Bearer t1" ? json(res, 401, {}) : json(res, 503, {}),
      );
      const error = await failure(
        client(api.url, { retry: { attempts: 3, baseDelayMs: 0 } }).GET("/users/me"),
      );
      expect(error).toMatchObject({ code: "API_ERROR", status: 503 });
      expect(api.seen.map((s) => s.auth)).toEqual(["Bearer t1", "Bearer t2", "Bearer t2", "Bearer t2"]);

      const refused = await gateway((_q, res) => json(res, 401, {}));
      const twice = await failure(client(refused.url).GET("/users/me"));
      expect(twice).toMatchObject({ code: "API_ERROR", status: 401 });
      expect(refused.seen.map((s) => s.auth)).toEqual(["Bearer t1", "Bearer t2"]);
    });
  });

  describe("one retry policy, one budget per call", () => {
    it("idempotent methods are retried on 408, 429 and 5xx, `attempts` requests in all", async () => {
      for (const method of ["GET", "PUT", "DELETE"] as const) {
        const api = await gateway((_q, res, n) => json(res, [503, 429, 408, 500][n % 4] ?? 503, {}));
        const dl = client(api.url, { retry: { attempts: 4, baseDelayMs: 0 } });
        const error = await failure(
          dl.request(
            method.toLowerCase() as "get",
            "/projects/{projectId}" as never,
            {
              params: { path: { projectId: "p" } },
            } as never,
          ),
        );
        expect(error).toBeInstanceOf(DataloopApiError);
        expect(api.seen).toHaveLength(4);
      }
    });

    it("a status that will not change (400, 404) is final at once", async () => {
      for (const status of [400, 404]) {
        const api = await gateway((_q, res) => json(res, status, {}));
        expect(await failure(client(api.url).GET("/users/me"))).toMatchObject({ status });
        expect(api.seen).toHaveLength(1);
      }
    });

    it("a reset, then 503s: `attempts` requests in all, and the last failure is what the caller sees", async () => {
      const api = await gateway((_q, res, n) => (n === 1 ? reset(res) : json(res, 503, {})));
      const error = await failure(
        client(api.url, { retry: { attempts: 3, baseDelayMs: 0 } }).GET("/users/me"),
      );
      expect(error).toMatchObject({ status: 503 });
      expect(api.seen).toHaveLength(3);
    });

    it("a POST is sent once; one marked idempotent, the DQL query, and uploads are retried", async () => {
      const api = await gateway((req, res, n) => {
        if (req.url?.endsWith("/query") && n % 3 !== 0)
          return json(res, n % 3 === 1 ? 503 : 429, {}, { "retry-after": "0" });
        if (req.url?.endsWith("/query")) return json(res, 200, { items: [{ id: "a" }], hasNextPage: false });
        json(res, 503, {});
      });
      const dl = client(api.url);
      await failure(dl.POST("/projects", { body: { name: "p" } as never }));
      expect(api.seen).toHaveLength(1);
      await failure(dl.POST("/projects", { body: { name: "p" } as never, idempotent: true }));
      expect(api.seen).toHaveLength(4);
      const items = [];
      api.seen.length = 0;
      for await (const item of queryDataset(dl, "d")) items.push(item.id);
      expect(items).toEqual(["a"]);
      expect(api.seen.map((s) => s.url)).toEqual(Array(3).fill("/api/v1/datasets/d/query"));
      api.seen.length = 0;
      await failure(uploadItem(dl, "d", new Uint8Array(3), { remotePath: "/x.bin" }));
      expect(api.seen).toHaveLength(3);
    });

    it("retry: false reaches every request: per client, and per call over the client's", async () => {
      const api = await gateway((_q, res) => json(res, 503, {}));
      const off = client(api.url, { retry: false });
      await failure(off.GET("/users/me"));
      await failure(uploadItem(off, "d", new Uint8Array(3), { remotePath: "/x.bin" }));
      await failure(downloadItem(off, "i1"));
      expect(api.seen).toHaveLength(3);
      api.seen.length = 0;
      const on = client(api.url);
      await failure(on.GET("/users/me", { retry: false }));
      expect(api.seen).toHaveLength(1);
      await failure(on.GET("/users/me", { retry: { attempts: 5 } }));
      expect(api.seen).toHaveLength(6);
      await failure(uploadItem(on, "d", new Uint8Array(3), { remotePath: "/x.bin", retry: false }));
      expect(api.seen).toHaveLength(7);
    });

    it("the caller's abort ends the call at once, not retried", async () => {
      const api = await gateway(() => {});
      const controller = new AbortController();
      const call = failure(client(api.url).GET("/users/me", { signal: controller.signal }));
      while (api.seen.length === 0) await new Promise((r) => setTimeout(r, 5));
      controller.abort();
      expect(await call).toMatchObject({ code: "CONNECTION_ERROR", kind: "aborted" });
      expect(api.seen).toHaveLength(1);
    });
  });

  describe("deadlines, named by the option that fired", () => {
    it("no headers within timeoutMs: a GET, and an upload whose body the gateway read, fail by timeoutMs", async () => {
      const api = await gateway(() => {}); // reads every body, never answers
      const dl = client(api.url, { timeoutMs: 150, retry: false });
      for (const call of [
        () => dl.GET("/users/me"),
        () => uploadItem(dl, "d", new Uint8Array(2), { remotePath: "/two.bin" }),
      ]) {
        const error = await failure(call());
        expect(error).toBeInstanceOf(DataloopConnectionError);
        expect(error).toMatchObject({
          kind: "timeout",
          deadline: "timeoutMs",
          hint: expect.stringContaining("timeoutMs"),
        });
      }
      expect(api.seen).toHaveLength(2);
      // Per call, over the client's (none here):
      const patient = client(api.url, { timeoutMs: false, retry: false });
      expect(await failure(patient.GET("/users/me", { timeoutMs: 100 }))).toMatchObject({
        deadline: "timeoutMs",
      });
    });

    it("a body that stalls fails by bodyTimeoutMs, and its hint names that option", async () => {
      const api = await gateway((_q, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
        res.write('{"a":'); // then nothing
      });
      const error = await failure(client(api.url, { bodyTimeoutMs: 150, retry: false }).GET("/users/me"));
      expect(error).toMatchObject({
        kind: "timeout",
        deadline: "bodyTimeoutMs",
        hint: expect.stringContaining("bodyTimeoutMs"),
      });
    });

    it("a body dribbled a byte at a time (never idle long) fails by totalTimeoutMs, not retried", async () => {
      const api = await gateway((_q, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        const drip = setInterval(() => (res.writableEnded ? clearInterval(drip) : res.write(" ")), 20);
        res.on("close", () => clearInterval(drip));
      });
      const error = await failure(
        client(api.url, { bodyTimeoutMs: 5_000, totalTimeoutMs: 300 }).GET("/users/me"),
      );
      expect(error).toMatchObject({
        kind: "timeout",
        deadline: "totalTimeoutMs",
        hint: expect.stringContaining("totalTimeoutMs"),
      });
      expect(api.seen).toHaveLength(1);
    });
  });

  describe("typed errors for every failure", () => {
    it("a GET whose body breaks off while the client parses it is sent again", async () => {
      const api = await gateway((_q, res, n) => {
        if (n > 1) return json(res, 200, { id: "p1" });
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
        res.write('{"id":');
        setTimeout(() => res.socket?.destroy(), 20);
      });
      const { data } = await client(api.url).GET("/projects/{projectId}", {
        params: { path: { projectId: "p1" } },
      });
      expect(data?.id).toBe("p1");
      expect(api.seen).toHaveLength(2);
    });

    it("a 200 with malformed JSON is a DataloopResponseError: a GET, an upload, a query", async () => {
      const api = await gateway((_q, res) => malformed(res));
      for (const throwOnError of [true, false]) {
        const dl = client(api.url, { throwOnError, retry: false });
        const calls = [
          () => dl.GET("/users/me"),
          () => uploadItem(dl, "d", new Uint8Array(1), { remotePath: "/m.bin" }),
          () => queryDataset(dl, "d").next(),
        ];
        for (const call of calls) {
          const error = await failure(call());
          expect(error).toBeInstanceOf(DataloopResponseError);
          expect(error).toMatchObject({ code: "MALFORMED_RESPONSE", status: 200 });
        }
      }
    });

    it("an upload answered 200 with no item is a DataloopResponseError, not an item of undefined", async () => {
      const api = await gateway((_q, res) => res.writeHead(200).end());
      const error = await failure(
        uploadItem(client(api.url), "d", new Uint8Array(1), { remotePath: "/e.bin" }),
      );
      expect(error).toMatchObject({ code: "MALFORMED_RESPONSE" });
    });

    it("with throwOnError: false the items helpers still throw typed errors", async () => {
      const api = await gateway((req, res) =>
        req.url?.includes("/stream")
          ? json(res, 404, { message: "no such item" })
          : req.url?.endsWith("/query")
            ? json(res, 500, {})
            : json(res, 429, {}, { "retry-after": "0" }),
      );
      const dl = client(api.url, { throwOnError: false, retry: false });
      expect(await failure(downloadItem(dl, "gone"))).toMatchObject({ code: "API_ERROR", status: 404 });
      expect(await failure(queryDataset(dl, "d").next())).toMatchObject({ code: "API_ERROR", status: 500 });
      expect(await failure(uploadItem(dl, "d", new Uint8Array(1), { remotePath: "/r.bin" }))).toMatchObject({
        code: "API_ERROR",
        status: 429,
      });
      // The typed call itself keeps openapi-fetch's `{ error }`.
      const result = await dl.GET("/users/me");
      expect(result.error).toBeDefined();
    });

    it("every failure above is a DataloopError", async () => {
      const api = await gateway((_q, res) => reset(res));
      expect(await failure(client(api.url, { retry: false }).GET("/users/me"))).toBeInstanceOf(DataloopError);
    });
  });

  describe("the user's middleware", () => {
    it("sees every attempt's Request and Response: the renewal and each retry", async () => {
      const api = await gateway((req, res, n) =>
        req.headers.authorization === "Bearer t1"
          ? json(res, 401, {})
          : n < 4
            ? json(res, 503, {})
            : json(res, 200, { ok: 1 }),
      );
      const dl = client(api.url, { retry: { attempts: 3, baseDelayMs: 0 } });
      const requests: string[] = [];
      const statuses: number[] = [];
      dl.use({
        onRequest({ request }) {
          requests.push(request.headers.get("authorization") ?? "");
          request.headers.set("x-seen", String(requests.length));
          return undefined;
        },
        onResponse({ response }) {
          statuses.push(response.status);
          return undefined;
        },
      });
      const { data } = await dl.GET("/users/me");
      expect(data).toEqual({ ok: 1 });
      expect(requests).toEqual(["Bearer t1", "Bearer t2", "Bearer t2", "Bearer t2"]);
      expect(statuses).toEqual([401, 503, 503, 200]);
      expect(api.seen.map((s) => s.auth)).toEqual(requests);
    });
  });
});

describe("uploads on undici, the transport of Node", () => {
  it("an upload is not cut off for the time its sending takes: timeoutMs counts from the last byte sent", async () => {
    // A source that gives a chunk every 40 ms (a slow disk, a network share): its sending outlasts
    // timeoutMs many times over, no gap comes near it, and the gateway answers once it has all.
    const api = await gateway((_q, res, _n, body) =>
      json(res, 200, {
        id: "slow",
        metadata: { system: { size: body.includes("x".repeat(1000)) ? 30_000 : -1 } },
      }),
    );
    const chunks = 30;
    let given = 0;
    const slow = {
      size: chunks * 1000,
      open: () =>
        new ReadableStream<Uint8Array>({
          async pull(controller) {
            await new Promise((r) => setTimeout(r, 40));
            if (given++ === chunks) controller.close();
            else controller.enqueue(new TextEncoder().encode("x".repeat(1000)));
          },
        }),
    };
    const dl = createDataloopClient({ gateUrl: api.url, auth: tokens(), timeoutMs: 300, retry: false });
    const { item } = await uploadItem(dl, "d", slow, { remotePath: "/slow.bin" });
    expect(item.id).toBe("slow");
    expect(chunks * 40).toBeGreaterThan(300 * 3); // the source's own gaps alone outlast timeoutMs
  });
});

describe("uploads from files declare their length", () => {
  /** A gateway that records each request's length headers and the bytes it read. */
  async function lengths(reply: (n: number, bytes: number, res: ServerResponse) => void) {
    const seen: { length: string | undefined; chunked: boolean; bytes: number }[] = [];
    const server = await listenLoopback((req, res) => {
      let bytes = 0;
      req.on("data", (c: Buffer) => {
        bytes += c.byteLength;
      });
      req.on("error", () => {});
      req.on("end", () => {
        seen.push({
          length: req.headers["content-length"],
          chunked: req.headers["transfer-encoding"]?.includes("chunked") ?? false,
          bytes,
        });
        reply(seen.length, bytes, res);
      });
    });
    servers.push(server);
    return { url: server.url, seen };
  }

  it("a file's form goes with its Content-Length, not chunked (on undici)", async () => {
    const api = await lengths((_n, _bytes, res) =>
      json(res, 200, { id: "f", metadata: { system: { size: 300_000 } } }),
    );
    const path = join(dir, "sized.bin");
    await writeFile(path, Buffer.alloc(300_000, 3));
    const dl = createDataloopClient({ gateUrl: api.url, auth: tokens() });
    const { item } = await uploadFile(dl, "d", path, { remotePath: "/sized.bin" });
    expect(item.id).toBe("f");
    expect(api.seen).toHaveLength(1);
    expect(api.seen[0]?.chunked).toBe(false);
    expect(api.seen[0]?.length).toBe(String(api.seen[0]?.bytes));
    expect(api.seen[0]?.bytes).toBeGreaterThan(300_000);
  });

  it("a JSON body goes with its Content-Length in one piece, not chunked (on undici); a large one too", async () => {
    const api = await lengths((_n, _bytes, res) => json(res, 200, { id: "p" }));
    const dl = createDataloopClient({ gateUrl: api.url, auth: tokens() });
    const name = "ü".repeat(10); // bytes, not characters, are the length
    await dl.PATCH("/projects/{projectId}", { params: { path: { projectId: "p" } }, body: { name } });
    await dl.PATCH("/projects/{projectId}", {
      params: { path: { projectId: "p" } },
      body: { name: "x".repeat(200_000) },
    });
    expect(api.seen.map((s) => s.chunked)).toEqual([false, false]);
    expect(api.seen.map((s) => Number(s.length))).toEqual(api.seen.map((s) => s.bytes));
    expect(api.seen[0]?.bytes).toBe(Buffer.byteLength(JSON.stringify({ name })));
  });

  it("a stream that gives other than the length its source declared fails that attempt; the next one opens it again", async () => {
    const api = await lengths((_n, _bytes, res) =>
      json(res, 200, { id: "s", metadata: { system: { size: 5 } } }),
    );
    let opens = 0;
    // The first opening declares 9 bytes and gives 5 (a file cut short meanwhile); the second, 5.
    const source = {
      open: () => {
        opens++;
        return new Blob(["hello"]).stream();
      },
      openedLength: () => (opens === 1 ? 9 : 5),
    };
    const dl = createDataloopClient({ gateUrl: api.url, auth: tokens(), retry: { baseDelayMs: 0 } });
    const { item } = await uploadItem(dl, "d", source, { remotePath: "/s.bin" });
    expect(item.id).toBe("s");
    expect(opens).toBe(2);
    // What reached the gateway whole: the second form, with the length it declared.
    const whole = api.seen.filter((s) => s.length === String(s.bytes));
    expect(whole).toHaveLength(1);
    expect(api.seen.every((s) => !s.chunked)).toBe(true);
  });

  it("a middleware that makes another body sends it without the length declared for the first", async () => {
    const api = await lengths((_n, bytes, res) =>
      json(res, 200, { id: "m", metadata: { system: { size: bytes > 0 ? 200_000 : -1 } } }),
    );
    const path = join(dir, "replaced.bin");
    await writeFile(path, Buffer.alloc(200_000, 1));
    const dl = createDataloopClient({ gateUrl: api.url, auth: tokens(), retry: false });
    dl.use({
      async onRequest({ request }) {
        const form = await request.text();
        return new Request(request, { body: `${form}-and-more`, duplex: "half" } as RequestInit);
      },
    });
    const { item } = await uploadFile(dl, "d", path, { remotePath: "/replaced.bin" });
    expect(item.id).toBe("m");
    expect(api.seen).toHaveLength(1);
    expect(api.seen[0]?.bytes).toBeGreaterThan(200_000);
    // The whole new body read: its length is its own, or none (chunked).
    expect(api.seen[0]?.length === undefined || api.seen[0]?.length === String(api.seen[0]?.bytes)).toBe(
      true,
    );
  });

  it("a stream source that knows no length is sent chunked, as before", async () => {
    const api = await lengths((_n, _bytes, res) =>
      json(res, 200, { id: "c", metadata: { system: { size: 5 } } }),
    );
    const dl = createDataloopClient({ gateUrl: api.url, auth: tokens() });
    await uploadItem(dl, "d", { open: () => new Blob(["hello"]).stream() }, { remotePath: "/c.bin" });
    expect(api.seen.map((s) => [s.chunked, s.length])).toEqual([[true, undefined]]);
  });
});

describe("mode skip checks the item already there", () => {
  it("an item of another size than the source is uploaded again with overwrite, not skipped", async () => {
    const api = await gateway((req, res) =>
      req.url?.includes("mode=skip")
        ? json(res, 200, { id: "old", metadata: { system: { size: 3 } } }, { "x-item-op": "skip" })
        : json(res, 200, { id: "new", metadata: { system: { size: 10 } } }, { "x-item-op": "overwrite" }),
    );
    const dl = createDataloopClient({ gateUrl: api.url, auth: tokens() });
    const uploaded = await uploadItem(dl, "d", new Uint8Array(10), { remotePath: "/s.bin" });
    expect(uploaded).toMatchObject({ op: "overwrite", item: { id: "new" } });
    expect(api.seen.map((s) => new URL(s.url, api.url).searchParams.get("mode"))).toEqual([
      "skip",
      "overwrite",
    ]);

    const same = await gateway((_q, res) =>
      json(res, 200, { id: "old", metadata: { system: { size: 10 } } }, { "x-item-op": "skip" }),
    );
    const kept = await uploadItem(
      createDataloopClient({ gateUrl: same.url, auth: tokens() }),
      "d",
      new Uint8Array(10),
      {
        remotePath: "/s.bin",
      },
    );
    expect(kept).toMatchObject({ op: "skip", item: { id: "old" } });
    expect(same.seen).toHaveLength(1);
  });
});
