// Items in and out through the typed client, against the mock gateway, which keeps what is uploaded.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { listenLoopback } from "@dataloop-ts/core/node";
import { type MockGateway, startMockGateway } from "@dataloop-ts/mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  createDataloopClient,
  type DataloopClient,
  downloadItem,
  queryDataset,
  UploadNotReplayableError,
  uploadItem,
  uploadItems,
  uploadLink,
} from "../src/index.js";
import { downloadFile, downloadItems, uploadDirectory, uploadFile } from "../src/node.js";

let gateway: MockGateway;
let dl: DataloopClient;
let dir: string;
const DATASET = "65f1c0ffee0123456789d001";
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const bytesOf = async (stream: ReadableStream<Uint8Array>) =>
  new Uint8Array(await new Response(stream).arrayBuffer());

beforeAll(async () => {
  gateway = await startMockGateway({ strict: false });
  dl = createDataloopClient({
    gateUrl: gateway.gateUrl,
    auth: { email: "bot@example.com", password: "password" },
  });
  dir = await mkdtemp(join(tmpdir(), "dataloop-items-"));
});
afterAll(async () => {
  await gateway?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("items through the client, against the mock", () => {
  it("uploads from a Blob, a Uint8Array and a file path, and downloads the same bytes back", async () => {
    const sources = {
      blob: new Blob(["a blob's bytes"]),
      bytes: new TextEncoder().encode("bytes in memory: ünïcode"),
      file: Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251)),
    };
    const path = join(dir, "name with spaces é.bin");
    await writeFile(path, sources.file);
    const up = {
      blob: await uploadItem(dl, DATASET, sources.blob, {
        remotePath: "/in/blob.txt",
        metadata: { user: { n: 1 } },
      }),
      bytes: await uploadItem(dl, DATASET, sources.bytes, { remotePath: "/in/bytes.txt" }),
      file: await uploadFile(dl, DATASET, path, { remotePath: "/in/name with spaces é.bin" }),
    };
    expect(up.blob.op).toBe("created");
    expect(up.file.item).toMatchObject({
      filename: "/in/name with spaces é.bin",
      name: "name with spaces é.bin",
      dir: "/in",
    });
    expect(up.blob.item.metadata).toMatchObject({ user: { n: 1 }, system: { size: 14 } });
    const blobBack = await bytesOf(await downloadItem(dl, up.blob.item.id));
    expect(new TextDecoder().decode(blobBack)).toBe("a blob's bytes");
    expect(sha(await bytesOf(await downloadItem(dl, up.bytes.item.id)))).toBe(sha(sources.bytes));
    const out = join(dir, "back.bin");
    await downloadFile(dl, up.file.item.id, out);
    expect(sha(await readFile(out))).toBe(sha(sources.file));
  });

  it("a URL becomes a link item: the gateway's link file, its bytes the link, not the page", async () => {
    const { item } = await uploadLink(dl, DATASET, "https://example.com/cat.jpg", {
      remotePath: "/links/cat.jpg",
    });
    expect(item.filename).toBe("/links/cat.jpg_link.json");
    const link = JSON.parse(new TextDecoder().decode(await bytesOf(await downloadItem(dl, item.id))));
    expect(link).toEqual({
      type: "link",
      shebang: "dataloop",
      metadata: { dltype: "link", linkInfo: { type: "url", ref: "https://example.com/cat.jpg" } },
    });
  });

  it("mode skip returns the item already there; overwrite replaces its bytes", async () => {
    const first = await uploadItem(dl, DATASET, new Blob(["v1"]), { remotePath: "/modes/a.txt" });
    const skipped = await uploadItem(dl, DATASET, new Blob(["v2"]), { remotePath: "/modes/a.txt" });
    expect(skipped).toMatchObject({ op: "skip", item: { id: first.item.id } });
    const replaced = await uploadItem(dl, DATASET, new Blob(["v3"]), {
      remotePath: "/modes/a.txt",
      mode: "overwrite",
    });
    expect(replaced).toMatchObject({ op: "overwrite", item: { id: first.item.id } });
    expect(new TextDecoder().decode(await bytesOf(await downloadItem(dl, first.item.id)))).toBe("v3");
  });

  it("queries what was uploaded, by keyset over pages", async () => {
    const ids: string[] = [];
    for await (const item of queryDataset(dl, DATASET, { pageSize: 2 })) ids.push(item.id);
    expect(ids.length).toBeGreaterThanOrEqual(4);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("uploads from a web stream and a Node stream, sent once as they are read", async () => {
    const web = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode("from a "));
        c.enqueue(new TextEncoder().encode("web stream"));
        c.close();
      },
    });
    const fromWeb = await uploadItem(dl, DATASET, web, { remotePath: "/streams/web.txt" });
    const node = Readable.toWeb(
      Readable.from([Buffer.from("from a node stream")]),
    ) as ReadableStream<Uint8Array>;
    const fromNode = await uploadItem(dl, DATASET, node, { remotePath: "/streams/node.txt" });
    expect(new TextDecoder().decode(await bytesOf(await downloadItem(dl, fromWeb.item.id)))).toBe(
      "from a web stream",
    );
    expect(new TextDecoder().decode(await bytesOf(await downloadItem(dl, fromNode.item.id)))).toBe(
      "from a node stream",
    );
  });

  it("a directory of 200 files (a zero-byte one, unicode and spaces in names, one that cannot be read) at concurrency 8: every file accounted for, and the same bytes come back", async () => {
    const source = join(dir, "tree");
    const expected = new Map<string, string>();
    for (let i = 0; i < 200; i++) {
      const name = i === 0 ? "empty.bin" : i === 1 ? "ünïcödé name €.txt" : `sub${i % 5}/file-${i}.bin`;
      const bytes = i === 0 ? Buffer.alloc(0) : Buffer.from(`file ${i} `.repeat(1 + (i % 7)));
      await mkdir(dirname(join(source, name)), { recursive: true });
      await writeFile(join(source, name), bytes);
      expected.set(`/tree/${name}`, sha(bytes));
    }
    await symlink(join(dir, "nowhere"), join(source, "dangling.bin")); // listed, but cannot be read
    const progress: number[] = [];
    const summary = await uploadDirectory(dl, "65f1c0ffee0123456789d002", source, {
      remoteDir: "/tree",
      followSymlinks: true, // links followed: this one leads nowhere
      concurrency: 8,
      onProgress: (p) => progress.push(p.done + p.failed),
    });
    expect(summary.done).toBe(200);
    expect(summary.results).toHaveLength(summary.done + summary.failed);
    expect(progress.at(-1)).toBe(summary.results.length);
    const failed = summary.results.filter((r) => !r.ok);
    expect(failed.map((r) => r.key)).toEqual(["/tree/dangling.bin"]); // not silently skipped
    expect(failed[0]?.error).toMatchObject({
      code: "SOURCE_UNREADABLE",
      message: expect.stringMatching(/dangling\.bin \(ENOENT\)/),
    });
    expect(
      summary.results
        .filter((r) => r.ok)
        .map((r) => r.key)
        .sort(),
    ).toEqual([...expected.keys()].sort());
    // A re-run with mode skip resumes: nothing uploaded twice.
    const again = await uploadDirectory(dl, "65f1c0ffee0123456789d002", source, {
      remoteDir: "/tree",
      concurrency: 8,
    });
    expect(again.results.filter((r) => r.ok).every((r) => r.value?.op === "skip")).toBe(true);
    // Every file back, by DQL, into a folder keeping the remote paths.
    const out = join(dir, "out");
    const down = await downloadItems(dl, "65f1c0ffee0123456789d002", out, { concurrency: 8 });
    expect(down.results.filter((r) => !r.ok).map((r) => `${r.key}: ${r.error?.message}`)).toEqual([]);
    expect(down).toMatchObject({ done: 200, failed: 0 });
    for (const [remote, digest] of expected)
      expect(sha(await readFile(join(out, remote))), remote).toBe(digest);
  });

  it("on Node an upload goes through undici, not fetch; a fetch of one's own gets a Request with the same bytes", async () => {
    const platformFetch = globalThis.fetch;
    const bytes = new TextEncoder().encode("made once, sent as made");
    let platformCalls = 0;
    globalThis.fetch = (input, init) => {
      platformCalls++;
      return platformFetch(input, init);
    };
    try {
      const client = createDataloopClient({
        gateUrl: gateway.gateUrl,
        auth: { email: "bot@example.com", password: "password" },
      });
      await client.auth.token(); // the login goes through fetch (the auth package's): not counted
      platformCalls = 0;
      const { item } = await uploadItem(client, DATASET, bytes, { remotePath: "/as-made/a.txt" });
      expect(sha(await bytesOf(await downloadItem(client, item.id as string)))).toBe(sha(bytes));
      expect(platformCalls).toBe(0);
    } finally {
      globalThis.fetch = platformFetch;
    }
    // A fetch of one's own gets the Request, as openapi-fetch promises: the form, its boundary in its type.
    const seen: Request[] = [];
    const client = createDataloopClient({
      gateUrl: gateway.gateUrl,
      auth: { email: "bot@example.com", password: "password" },
      // (The session's login calls it too, with a URL and an init.)
      fetch: (input: Request | string | URL, init?: RequestInit) => {
        if (input instanceof Request && input.method === "POST" && input.url.includes("/items"))
          seen.push(input.clone());
        return platformFetch(input, init);
      },
    });
    const { item } = await uploadItem(client, DATASET, bytes, {
      remotePath: "/as-made/b.txt",
      mode: "overwrite",
    });
    expect(sha(await bytesOf(await downloadItem(client, item.id as string)))).toBe(sha(bytes));
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers.get("content-type")).toMatch(/^multipart\/form-data; boundary=----dataloop-ts-/);
    expect(await seen[0]?.text()).toContain("made once, sent as made");
  });

  it("a middleware that replaces the upload's request, or its body, is obeyed", async () => {
    const client = createDataloopClient({
      gateUrl: gateway.gateUrl,
      auth: { email: "bot@example.com", password: "password" },
    });
    const tagged: string[] = [];
    client.use({
      onRequest: ({ request }) =>
        request.method === "POST"
          ? new Request(request, { headers: { ...Object.fromEntries(request.headers), "x-tag": "1" } })
          : undefined,
    });
    client.use({
      onRequest: ({ request }) => {
        if (request.headers.get("x-tag")) tagged.push(request.url);
        return undefined;
      },
    });
    const bytes = new TextEncoder().encode("through a replaced request");
    const { item } = await uploadItem(client, DATASET, bytes, { remotePath: "/replaced/a.txt" });
    expect(tagged).toHaveLength(1);
    expect(sha(await bytesOf(await downloadItem(client, item.id as string)))).toBe(sha(bytes));

    // A body swapped for another form (another boundary): the other form is what is sent.
    const swapped = createDataloopClient({
      gateUrl: gateway.gateUrl,
      auth: { email: "bot@example.com", password: "password" },
    });
    swapped.use({
      onRequest: ({ request }) => {
        if (request.method !== "POST" || !request.url.includes("/items")) return undefined;
        const form = new FormData();
        form.append("type", "file");
        form.append("path", "/replaced/other.txt");
        form.append("file", new Blob(["the other body"]), "other.txt");
        const headers = new Headers(request.headers);
        headers.delete("content-type");
        return new Request(request.url, { method: "POST", headers, body: form });
      },
    });
    // What the gateway stored is the other body (14 bytes), caught by the size check, not silently kept.
    const error = await uploadItem(swapped, DATASET, bytes, { remotePath: "/replaced/b.txt" }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: "UPLOAD_CORRUPTED",
      message: `The gateway stored 14 bytes of /replaced/b.txt, ${bytes.length} were sent.`,
    });
  });

  it("a form whose file is not the last part is refused, as the gateway refuses it", async () => {
    const form = new FormData();
    form.append("type", "file");
    form.append("file", new Blob(["x"]), "x.txt");
    form.append("path", "/late/x.txt");
    const error = await dl
      .POST("/datasets/{datasetId}/items", {
        params: { path: { datasetId: DATASET } },
        body: { type: "file", path: "/late/x.txt" },
        bodySerializer: () => form,
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 400,
      code: "API_ERROR",
      message: expect.stringContaining("FILE MUST BE LAST FIELD"),
    });
  });
});

describe("uploads against a failing gateway", () => {
  const clientAt = (gateUrl: string) =>
    createDataloopClient({ gateUrl, auth: { getToken: async () => "t0ken-items" } });
  async function flaky(reply: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
    const state = { calls: 0 };
    const server = await listenLoopback((req, res) => {
      const n = ++state.calls;
      req.resume();
      req.on("end", () => reply(req, res, n));
    });
    return { server, state };
  }
  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));

  it("a 429 storm during a batch: every file has a clear result, the counts add up, and with a larger budget all get through", async () => {
    // Every third file is refused (429, Retry-After: 0) its first three times, whichever order the
    // requests come in: the outcome is known file by file.
    const tries = new Map<string, number>();
    let calls = 0;
    const server = await listenLoopback((req, res) => {
      calls++;
      let body = "";
      req.setEncoding("latin1");
      req.on("data", (c: string) => {
        body += c;
      });
      req.on("end", () => {
        const path = /name="path"\r\n\r\n([^\r]*)/.exec(body)?.[1] ?? "";
        const n = (tries.get(path) ?? 0) + 1;
        tries.set(path, n);
        const i = Number(/(\d+)\.bin$/.exec(path)?.[1]);
        if (i % 3 === 0 && n <= 3) answer(res, 429, { message: "slow down" }, { "retry-after": "0" });
        else answer(res, 200, { id: `i${i}` }, { "x-item-op": "created" });
      });
    });
    try {
      const client = createDataloopClient({
        gateUrl: server.url,
        auth: { getToken: async () => "t0ken-items" },
        retry: { baseDelayMs: 0 }, // no waits: the test's time is its 2 668 requests' alone
      });
      const entries = Array.from({ length: 1000 }, (_, i) => ({
        source: new Uint8Array([i]),
        remotePath: `/storm/${i}.bin`,
      }));
      const summary = await uploadItems(client, "d", entries, { concurrency: 8, attempts: 2 });
      expect(summary).toMatchObject({ done: 666, failed: 334 });
      expect(summary.results.map((r) => r.key).sort()).toEqual(entries.map((e) => e.remotePath).sort());
      const failed = summary.results.filter((x) => !x.ok);
      expect(failed.map((r) => r.key).sort()).toEqual(
        entries
          .filter((_, i) => i % 3 === 0)
          .map((e) => e.remotePath)
          .sort(),
      );
      for (const r of failed)
        expect(r.error).toMatchObject({ status: 429, code: "API_ERROR", retryAfterMs: 0 });
      expect(calls).toBe(1000 + 334); // two attempts each for the refused, one for the rest
      const patient = await uploadItems(client, "d", entries, { concurrency: 8, attempts: 10 });
      expect(patient).toMatchObject({ done: 1000, failed: 0 });
      expect(calls).toBe(1334 + 1000 + 334); // the refused third: once more refused, then through
    } finally {
      await server.stop();
    }
    // 2 668 requests, no waits: measured 10.7 s with the 2 cores at load 18; its budget 10× that.
  }, 120_000);

  it("an upload answered 429 with Retry-After waits what the gateway asked before it is sent again", async () => {
    // The wait asked of the timers, not the time that passed: a busy machine may add to the latter.
    const waits = vi.spyOn(globalThis, "setTimeout");
    const { server } = await flaky((_q, res, n) => {
      if (n === 1) answer(res, 429, { message: "slow down" }, { "retry-after": "1" });
      else answer(res, 200, { id: "i2" }, { "x-item-op": "created" });
    });
    try {
      const { item } = await uploadItem(clientAt(server.url), "d", new Uint8Array(3), {
        remotePath: "/w/a.bin",
      });
      expect(item.id).toBe("i2");
      expect(waits.mock.calls.map((c) => c[1])).toContain(1000);
    } finally {
      waits.mockRestore();
      await server.stop();
    }
  });

  it("a download that breaks off goes on from where it stopped (Range), and one that stays short fails typed", async () => {
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
    const ranges: Array<string | undefined> = [];
    const { server } = await flaky((req, res, n) => {
      ranges.push(req.headers.range);
      const from = Number(/bytes=(\d+)-/.exec(req.headers.range ?? "")?.[1] ?? 0);
      res.writeHead(from ? 206 : 200, {
        "content-type": "application/octet-stream",
        "content-length": String(bytes.length - from),
      });
      if (n === 1) {
        res.write(bytes.subarray(0, 100_000));
        setTimeout(() => res.socket?.destroy(), 30); // broken off after 100 kB
      } else res.end(bytes.subarray(from));
    });
    try {
      const client = clientAt(server.url);
      const out = join(dir, "resumed.bin");
      await downloadFile(client, "i1", out, { size: bytes.length });
      expect(sha(await readFile(out))).toBe(sha(bytes));
      expect(ranges[0]).toBeUndefined();
      expect(ranges[1]).toMatch(/^bytes=\d+-$/);
    } finally {
      await server.stop();
    }
    const { server: short } = await flaky((_q, res) =>
      res.writeHead(200, { "content-type": "application/octet-stream" }).end("only this"),
    );
    try {
      const client = clientAt(short.url);
      const error = await downloadFile(client, "i2", join(dir, "short.bin"), { size: 1000 }).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({
        code: "DOWNLOAD_INCOMPLETE",
        message: "The download of item i2 stopped at 9 of 1000 bytes after 3 attempts.",
      });
    } finally {
      await short.stop();
    }
  });

  it("the gateway storing another size than was sent: a typed corrupted-upload error, from bytes, a file or a stream", async () => {
    const { server } = await flaky((_q, res) =>
      answer(res, 200, { id: "i1", metadata: { system: { size: 3 } } }),
    );
    try {
      const client = clientAt(server.url);
      const path = join(dir, "ten.bin");
      await writeFile(path, new Uint8Array(10));
      const uploads = {
        bytes: () => uploadItem(client, "d", new Uint8Array(10), { remotePath: "/c/x.bin", attempts: 1 }),
        file: () => uploadFile(client, "d", path, { remotePath: "/c/x.bin", attempts: 1 }),
        stream: () =>
          uploadItem(
            client,
            "d",
            Readable.toWeb(Readable.from([Buffer.alloc(4), Buffer.alloc(6)])) as never,
            {
              remotePath: "/c/x.bin",
            },
          ),
      };
      for (const upload of Object.values(uploads))
        expect(await upload().catch((e: unknown) => e)).toMatchObject({
          code: "UPLOAD_CORRUPTED",
          message: "The gateway stored 3 bytes of /c/x.bin, 10 were sent.",
        });
    } finally {
      await server.stop();
    }
  });

  it("a connection dropped mid-upload: a Blob is sent again; a stream fails as not replayable, the others unharmed", async () => {
    const { server } = await flaky((req, res, n) =>
      n === 1 ? req.socket.destroy() : answer(res, 200, { id: `i${n}` }),
    );
    try {
      const client = clientAt(server.url);
      const blob = await uploadItem(client, "d", new Blob(["x"]), { remotePath: "/drop/a.bin" });
      expect(blob.item.id).toBe("i2");
      const { server: again } = await flaky((req) => req.socket.destroy());
      const client2 = clientAt(again.url);
      const stream = new ReadableStream<Uint8Array>({
        start: (c) => {
          c.enqueue(new Uint8Array([1]));
          c.close();
        },
      });
      const error = await uploadItem(client2, "d", stream, { remotePath: "/drop/s.bin" }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UploadNotReplayableError);
      expect(error).toMatchObject({
        code: "UPLOAD_NOT_REPLAYABLE",
        hint: expect.stringContaining("path, a Buffer or a Blob"),
      });
      await again.stop();
    } finally {
      await server.stop();
    }
  });
});
