// Downloads against gateways that misbehave on purpose: ranges that do not fit, bodies too long, cut
// off, hostile item names, links inside the target, names that clash, and queries read as they drain.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, symlink, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { type LoopbackServer, listenLoopback } from "@dataloop-ts/core/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { notePathOf } from "../src/download.js";
import { createDataloopClient } from "../src/index.js";
import { downloadFile, downloadItems, partPathOf } from "../src/node.js";
import { hashOf } from "../src/packed.js";

let dir: string;
const servers: LoopbackServer[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dataloop-dl-safety-"));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const bytesOf = (n: number, seed = 7) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * seed + 3) % 256));
const clientAt = (gateUrl: string) =>
  createDataloopClient({
    gateUrl,
    auth: { getToken: async () => "t0ken-dl" },
    retry: { attempts: 1 },
  });
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = await listenLoopback(handler);
  servers.push(server);
  return server;
}
const fromOf = (req: IncomingMessage) => Number(/bytes=(\d+)-/.exec(req.headers.range ?? "")?.[1] ?? 0);
/** A fresh, empty folder for one test. */
const folder = async (name: string) => {
  const path = join(dir, name);
  await mkdir(path, { recursive: true });
  return path;
};

describe("downloadFile: what a resumed download appends is what was asked for", () => {
  /**
   * A download that an earlier attempt or run left with its first `kept` bytes (its part file, as a
   * kill leaves it: deterministic, where a connection cut mid-body may leave any number of bytes), and a
   * gateway that answers the resume its own way. Beside it, its note (what it is part of), as a run
   * writes it before its first short byte.
   */
  async function resumed(
    name: string,
    bytes: Buffer,
    kept: number,
    answer: (req: IncomingMessage, res: ServerResponse) => void,
  ) {
    const out = join(await folder(name), "item.bin");
    await writeFile(partPathOf(out, "i1"), bytes.subarray(0, kept));
    await writeFile(notePathOf(partPathOf(out, "i1")), JSON.stringify({ size: bytes.length }));
    const ranges: Array<string | undefined> = [];
    const server = await serve((req, res) => {
      ranges.push(req.headers.range);
      answer(req, res);
    });
    const got = await downloadFile(clientAt(server.url), "i1", out, { size: bytes.length });
    return { out, got, ranges };
  }

  it("a 206 that starts at byte 0 whatever was asked: the file is the item, not the item after its first part", async () => {
    const bytes = bytesOf(300_000);
    const { out, got, ranges } = await resumed("from-zero", bytes, 100_000, (_req, res) =>
      res.writeHead(206, { "content-range": `bytes 0-${bytes.length - 1}/${bytes.length}` }).end(bytes),
    );
    expect(ranges).toEqual(["bytes=100000-"]);
    expect(sha(await readFile(out))).toBe(sha(bytes));
    expect(got).toMatchObject({ bytes: bytes.length, verified: "size" });
  });

  it("a 206 that starts 1000 bytes before what was asked: those bytes are skipped, not appended twice", async () => {
    const bytes = bytesOf(300_000, 11);
    const { out, ranges } = await resumed("early", bytes, 100_000, (req, res) => {
      const from = fromOf(req) - 1000;
      res
        .writeHead(206, { "content-range": `bytes ${from}-${bytes.length - 1}/${bytes.length}` })
        .end(bytes.subarray(from));
    });
    expect(ranges).toEqual(["bytes=100000-"]);
    expect(sha(await readFile(out))).toBe(sha(bytes));
  });

  it("a 206 that starts past what was asked (a hole) is not used: the download starts again", async () => {
    const bytes = bytesOf(300_000, 23);
    const { out, ranges } = await resumed("late", bytes, 100_000, (req, res) => {
      const from = req.headers.range ? fromOf(req) + 1000 : 0;
      if (!from) return res.writeHead(200, { "content-length": String(bytes.length) }).end(bytes);
      res
        .writeHead(206, { "content-range": `bytes ${from}-${bytes.length - 1}/${bytes.length}` })
        .end(bytes.subarray(from));
    });
    expect(ranges).toEqual(["bytes=100000-", undefined]);
    expect(sha(await readFile(out))).toBe(sha(bytes));
  });

  it("a 200 with everything to a range request: the file starts again, it is not appended to", async () => {
    const bytes = bytesOf(300_000, 13);
    const { out, ranges } = await resumed("whole", bytes, 100_000, (_req, res) =>
      res.writeHead(200, { "content-length": String(bytes.length) }).end(bytes),
    );
    expect(ranges).toEqual(["bytes=100000-"]);
    expect(sha(await readFile(out))).toBe(sha(bytes));
  });

  it("a body longer than the item's size is refused typed: nothing at the target, no part file", async () => {
    const bytes = bytesOf(5_000);
    const server = await serve((_req, res) => res.writeHead(200).end(Buffer.concat([bytes, bytes])));
    const target = await folder("too-long");
    const error = await downloadFile(clientAt(server.url), "i1", join(target, "item.bin"), {
      size: bytes.length,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DOWNLOAD_MISMATCH" });
    expect(await readdir(target)).toEqual([]);
  });

  it("a run that stops short keeps its part file, named by the item; the next run asks only for the rest, and removes it", async () => {
    const bytes = bytesOf(200_000, 17);
    const ranges: Array<string | undefined> = [];
    let short = true;
    const server = await serve((req, res) => {
      ranges.push(req.headers.range);
      const from = fromOf(req);
      // First a whole answer that holds only the item's first 50,000 bytes (a gateway that lost the rest).
      if (short) return res.writeHead(200, { "content-length": "50000" }).end(bytes.subarray(0, 50_000));
      res
        .writeHead(206, { "content-range": `bytes ${from}-${bytes.length - 1}/${bytes.length}` })
        .end(bytes.subarray(from));
    });
    const target = await folder("resume-run");
    const out = join(target, "item.bin");
    const first = (await downloadFile(clientAt(server.url), "65aa01", out, {
      size: bytes.length,
      attempts: 1,
    }).catch((e: unknown) => e)) as { code: string; hint: string };
    expect(first.code).toBe("DOWNLOAD_INCOMPLETE");
    const part = partPathOf(out, "65aa01");
    expect((await stat(part)).size).toBe(50_000);
    expect(first.hint).toContain(part); // the hint is true: the bytes are there to go on from
    expect(await readdir(target)).toEqual([
      ".item.bin.65aa01.dataloop-part",
      ".item.bin.65aa01.dataloop-part.json",
    ]);
    short = false;
    await downloadFile(clientAt(server.url), "65aa01", out, { size: bytes.length });
    expect(ranges.at(-1)).toBe("bytes=50000-");
    expect(sha(await readFile(out))).toBe(sha(bytes));
    expect(await readdir(target)).toEqual(["item.bin"]);
  });

  it("through a client wrapped by the user (its GET returning { data, response } of its own): the file is the item, a range resumed", async () => {
    const bytes = bytesOf(300_000, 11);
    const ranges: Array<string | undefined> = [];
    let cut = true;
    const server = await serve((req, res) => {
      ranges.push(req.headers.range);
      const from = fromOf(req);
      if (cut) {
        cut = false;
        res.writeHead(200, { "content-length": String(bytes.length) });
        return res.write(bytes.subarray(0, 120_000), () => res.socket?.destroy());
      }
      res
        .writeHead(206, { "content-range": `bytes ${from}-${bytes.length - 1}/${bytes.length}` })
        .end(bytes.subarray(from));
    });
    const dl = clientAt(server.url);
    // A wrapper that logs, say: what it returns is a plain object, not the client's own result.
    const get = dl.GET as (...args: unknown[]) => Promise<{ data: unknown; response: Response }>;
    const wrapped = {
      GET: (async (...args: unknown[]) => {
        const { data, response } = await get(...args);
        return { data, response };
      }) as unknown as typeof dl.GET,
    };
    const out = join(await folder("wrapped"), "item.bin");
    const got = await downloadFile(wrapped, "i1", out, { size: bytes.length });
    expect(got).toEqual({ path: out, bytes: bytes.length, verified: "size" });
    expect(sha(await readFile(out))).toBe(sha(bytes));
    expect(ranges[0]).toBeUndefined();
    expect(ranges.at(-1)).toMatch(/^bytes=\d+-$/);
  });

  it("stream results share one hidden class, however many a download makes (not one each: 100,000 of them stayed in old space)", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-length": "3" }).end("abc");
    });
    const dl = clientAt(server.url);
    const results = [];
    for (let i = 0; i < 3; i++) {
      const result = await dl.GET("/items/{id}/stream", {
        params: { path: { id: `i${i}` } },
        parseAs: "stream",
      });
      results.push(result);
      expect(new TextDecoder().decode(await new Response(result.data).arrayBuffer())).toBe("abc");
    }
    // V8's own answer, through its natives syntax (allowed for the functions compiled from here on).
    setFlagsFromString("--allow-natives-syntax");
    const sameShape = new Function("a", "b", "return %HaveSameMap(a, b)") as (
      a: unknown,
      b: unknown,
    ) => boolean;
    expect(sameShape(results[0], results[1])).toBe(true);
    expect(sameShape(results[1], results[2])).toBe(true);
    // Still an own, enumerable, settable `data`.
    expect(Object.keys(results[0] as object)).toContain("data");
    const replaced = results[2] as { data: unknown };
    replaced.data = null;
    expect(replaced.data).toBeNull();
  });

  it("through a client wrapped by the user that spreads the client's result ({ ...result, response }): the file is the item", async () => {
    const bytes = bytesOf(200_000, 13);
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-length": String(bytes.length) }).end(bytes);
    });
    const dl = clientAt(server.url);
    // A wrapper that adds to what the client returns: a stream call's `data` must be among what a spread copies.
    const get = dl.GET as (...args: unknown[]) => Promise<{ data: unknown; response: Response }>;
    const wrapped = {
      GET: (async (...args: unknown[]) => {
        const result = await get(...args);
        return { ...result, response: result.response, loggedAt: 1 };
      }) as unknown as typeof dl.GET,
    };
    const out = join(await folder("spread"), "item.bin");
    const got = await downloadFile(wrapped, "i1", out, { size: bytes.length, attempts: 1 });
    expect(got).toEqual({ path: out, bytes: bytes.length, verified: "size" });
    expect(sha(await readFile(out))).toBe(sha(bytes));
  });

  it("through a wrapper that puts a stream of its own in the client's result (r.data = r.data.pipeThrough(counter)): the file is the item, every byte counted once", async () => {
    const bytes = bytesOf(2_000_000, 17);
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-length": String(bytes.length) }).end(bytes);
    });
    const dl = clientAt(server.url);
    let counted = 0;
    const get = dl.GET as (...args: unknown[]) => Promise<{ data: ReadableStream<Uint8Array> | null }>;
    const wrapped = {
      GET: (async (...args: unknown[]) => {
        const result = await get(...args);
        // A progress counter on the body, the result otherwise the client's own.
        result.data =
          result.data?.pipeThrough(
            new TransformStream<Uint8Array, Uint8Array>({
              transform(chunk, controller) {
                counted += chunk.byteLength;
                controller.enqueue(chunk);
              },
            }),
          ) ?? null;
        return result;
      }) as unknown as typeof dl.GET,
    };
    const out = join(await folder("counted"), "item.bin");
    const got = await downloadFile(wrapped, "i1", out, { size: bytes.length, attempts: 1 });
    expect(got).toEqual({ path: out, bytes: bytes.length, verified: "size" });
    expect(sha(await readFile(out))).toBe(sha(bytes));
    expect(counted).toBe(bytes.length);
  });

  it("an item of unknown size: a body cut off is gone on from, and the result says what the count was checked against", async () => {
    const bytes = bytesOf(120_000, 19);
    let n = 0;
    const server = await serve((req, res) => {
      const from = fromOf(req);
      if (++n === 1) {
        // Chunked, no length: only the broken connection tells it is short.
        res.writeHead(200, { "transfer-encoding": "chunked" });
        res.write(bytes.subarray(0, 40_000), () => res.socket?.destroy());
      } else if (n === 2)
        res
          .writeHead(206, { "content-range": `bytes ${from}-${bytes.length - 1}/${bytes.length}` })
          .end(bytes.subarray(from));
      else res.writeHead(200, { "transfer-encoding": "chunked" }).end(bytes);
    });
    const target = await folder("unknown-size");
    const got = await downloadFile(clientAt(server.url), "i1", join(target, "a.bin"));
    expect(got).toMatchObject({ bytes: bytes.length, verified: "length" });
    expect(sha(await readFile(join(target, "a.bin")))).toBe(sha(bytes));
    const unverified = await downloadFile(clientAt(server.url), "i2", join(target, "b.bin"));
    expect(unverified).toMatchObject({ bytes: bytes.length, verified: "none" });
  });
});

/** A gateway of items: the query answered in pages of `pageSize` (keyset by id), streams counted. */
async function itemsGateway(
  items: Array<{ id: string; filename: string; bytes: Buffer }>,
  options: { pageSize?: number; log?: string[] } = {},
) {
  const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : 1));
  const streamed: string[] = [];
  const server = await serve((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => {
      text += c;
    });
    req.on("end", () => {
      const stream = /\/items\/([^/]+)\/stream/.exec(req.url ?? "");
      if (stream) {
        const item = sorted.find((i) => i.id === stream[1]);
        streamed.push(stream[1] as string);
        options.log?.push(`stream ${stream[1]}`);
        if (!item) return res.writeHead(404).end();
        return res.writeHead(200, { "content-length": String(item.bytes.length) }).end(item.bytes);
      }
      const body = JSON.parse(text || "{}") as {
        filter?: { $and?: Array<{ id?: { $gt?: string; $in?: string[] } }> };
      };
      const after = body.filter?.$and?.find((c) => c.id?.$gt)?.id?.$gt;
      const only = body.filter?.$and?.find((c) => c.id?.$in)?.id?.$in;
      const matching = sorted.filter((i) => !only || only.includes(i.id));
      const rest = matching.filter((i) => !after || i.id > after);
      const page = rest.slice(0, options.pageSize ?? 1000);
      options.log?.push(`query after ${after ?? "-"}`);
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          items: page.map((i) => ({
            id: i.id,
            type: "file",
            filename: i.filename,
            name: i.filename.split("/").at(-1),
            metadata: { system: { size: i.bytes.length } },
          })),
          totalItemsCount: matching.length,
          hasNextPage: rest.length > page.length,
        }),
      );
    });
  });
  return { server, streamed };
}

describe("downloadItems: nothing outside the target, nothing merged", () => {
  it("names that climb out or name no file (.., ../, /sub/.., ., empty, a NUL) are refused typed; nothing is written beside the target", async () => {
    const base = await folder("hostile");
    const out = join(base, "out");
    const hostile = ["..", "../", "/sub/..", ".", "", "/a\0b", "/x/../../escape.txt"];
    const { server, streamed } = await itemsGateway([
      ...hostile.map((filename, i) => ({ id: `h${i}`, filename, bytes: Buffer.from(`evil ${i}`) })),
      { id: "ok1", filename: "/legit.txt", bytes: Buffer.from("legit") },
    ]);
    const summary = await downloadItems(clientAt(server.url), "d", out);
    expect(summary).toMatchObject({ done: 1, failed: hostile.length });
    for (const r of summary.results.filter((x) => !x.ok))
      expect(r.error, r.key).toMatchObject({ code: "UNSAFE_ITEM_NAME" });
    expect(streamed).toEqual(["ok1"]);
    expect(await readdir(base)).toEqual(["out"]);
    expect(await readdir(out)).toEqual(["legit.txt"]);
  });

  it("a symbolic link inside the target is not written through", async () => {
    const base = await folder("linked");
    const elsewhere = await folder("linked-elsewhere");
    const out = join(base, "out");
    await mkdir(out);
    await symlink(elsewhere, join(out, "link"));
    const { server } = await itemsGateway([
      { id: "a1", filename: "/link/owned.txt", bytes: Buffer.from("owned") },
    ]);
    const summary = await downloadItems(clientAt(server.url), "d", out);
    expect(summary.results[0]).toMatchObject({ ok: false, error: { code: "UNSAFE_LOCAL_PATH" } });
    expect(await readdir(elsewhere)).toEqual([]);
  });

  it("a link planted at a part file's name (dangling or not) is not written through", async () => {
    const base = await folder("part-link");
    const out = join(base, "out");
    await mkdir(out);
    const victim = join(base, "victim.txt");
    await writeFile(victim, "keep me");
    await symlink(victim, partPathOf(join(out, "a.txt"), "l1"));
    await symlink(join(base, "nowhere.txt"), partPathOf(join(out, "b.txt"), "l2"));
    const { server } = await itemsGateway([
      { id: "l1", filename: "/a.txt", bytes: Buffer.from("attacker") },
      { id: "l2", filename: "/b.txt", bytes: Buffer.from("attacker") },
    ]);
    const summary = await downloadItems(clientAt(server.url), "d", out);
    for (const r of summary.results)
      expect(r, r.key).toMatchObject({ ok: false, error: { code: "UNSAFE_LOCAL_PATH" } });
    expect(await readFile(victim, "utf8")).toBe("keep me");
    expect(await readdir(base)).toEqual(["out", "victim.txt"]);
  });

  it("a link planted at a part file's note is not written through: the download fails typed", async () => {
    const base = await folder("note-link");
    const out = join(base, "out");
    await mkdir(out);
    const victim = join(base, "victim.txt");
    await writeFile(victim, "keep me");
    await symlink(victim, notePathOf(partPathOf(join(out, "n.bin"), "n1")));
    const bytes = bytesOf(200_000, 71);
    const server = await serve((req, res) => {
      req.resume();
      res.writeHead(200, { "content-length": String(bytes.length) });
      res.write(bytes.subarray(0, 1000));
      setTimeout(() => res.end(bytes.subarray(1000)), 20);
    });
    const error = await downloadFile(clientAt(server.url), "n1", join(out, "n.bin"), {
      size: bytes.length,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "UNSAFE_LOCAL_PATH" });
    expect(await readFile(victim, "utf8")).toBe("keep me");
  });

  it("a name of 80 three-byte characters (244 bytes, a legal file name) is downloaded: its part file's and note's names fit too", async () => {
    const name = `${"漢".repeat(80)}.bin`;
    expect(Buffer.byteLength(name)).toBe(244);
    const out = join(await folder("long-name"), name);
    const bytes = bytesOf(200_000, 73);
    const server = await serve((req, res) => {
      req.resume();
      res.writeHead(200, { "content-length": String(bytes.length) });
      res.write(bytes.subarray(0, 1000));
      setTimeout(() => res.end(bytes.subarray(1000)), 20);
    });
    await downloadFile(clientAt(server.url), "0123456789abcdef01234567", out, { size: bytes.length });
    expect(sha(await readFile(out))).toBe(sha(bytes));
    expect(await readdir(dirname(out))).toEqual([name]);
  });

  it("two items on one local path (the same name twice, or names that differ in case only): both refused before a byte of either is asked for", async () => {
    const out = join(await folder("clash"), "out");
    const { server, streamed } = await itemsGateway([
      { id: "c1", filename: "/A.txt", bytes: Buffer.from("upper") },
      { id: "c2", filename: "/a.txt", bytes: Buffer.from("lower") },
      { id: "c3", filename: "/same/x.bin", bytes: Buffer.from("one") },
      { id: "c4", filename: "/same/x.bin", bytes: Buffer.from("two") },
      { id: "c5", filename: "/fine.txt", bytes: Buffer.from("fine") },
    ]);
    const summary = await downloadItems(clientAt(server.url), "d", out);
    const byKey = Object.fromEntries(summary.results.map((r) => [r.key, r]));
    for (const id of ["c1", "c2", "c3", "c4"])
      expect(byKey[id], id).toMatchObject({ ok: false, error: { code: "LOCAL_PATH_CONFLICT" } });
    expect(byKey.c1?.localPath).toBe(join(await realpath(out), "A.txt"));
    expect(streamed).toEqual(["c5"]);
    expect(summary).toMatchObject({ done: 1, failed: 4 });
  });

  it("a clash across pages: the one written first is reported and removed too", async () => {
    const out = join(await folder("clash-pages"), "out");
    const { server } = await itemsGateway(
      [
        { id: "p1", filename: "/Dup.txt", bytes: Buffer.from("first") },
        { id: "p2", filename: "/other.txt", bytes: Buffer.from("other") },
        { id: "p3", filename: "/dup.txt", bytes: Buffer.from("second") },
      ],
      { pageSize: 2 },
    );
    const summary = await downloadItems(clientAt(server.url), "d", out, { concurrency: 1 });
    expect(summary).toMatchObject({ done: 1, failed: 2, bytes: 5 });
    expect(
      summary.results
        .filter((r) => !r.ok)
        .map((r) => [r.key, (r.error as { code?: string } | undefined)?.code]),
    ).toEqual(
      expect.arrayContaining([
        ["p1", "LOCAL_PATH_CONFLICT"],
        ["p3", "LOCAL_PATH_CONFLICT"],
      ]),
    );
    expect(await readdir(out)).toEqual(["other.txt"]);
  });
  it("two names whose conflict keys share a hash are both downloaded; a later one that differs in case clashes with its own twin only", async () => {
    // The conflict map holds a 30-bit hash of each key: two keys of one hash are told apart.
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const name = `/h${i}.txt`;
      const other = seen.get(hashOf(name));
      if (other !== undefined) pair = [other, name];
      else seen.set(hashOf(name), name);
    }
    const [a, b] = pair;
    expect(hashOf(a)).toBe(hashOf(b));
    const out = join(await folder("hash-twins"), "out");
    const { server, streamed } = await itemsGateway(
      [
        { id: "t1", filename: a, bytes: Buffer.from("first") },
        { id: "t2", filename: b, bytes: Buffer.from("second") },
        { id: "t3", filename: a.toUpperCase(), bytes: Buffer.from("third") },
      ],
      { pageSize: 2 },
    );
    const summary = await downloadItems(clientAt(server.url), "d", out, { concurrency: 1 });
    const byKey = Object.fromEntries(summary.results.map((r) => [r.key, r]));
    expect(byKey.t2).toMatchObject({ ok: true, value: { bytes: 6 } });
    expect(await readFile(join(out, b.slice(1)), "utf8")).toBe("second");
    for (const id of ["t1", "t3"])
      expect(byKey[id], id).toMatchObject({ ok: false, error: { code: "LOCAL_PATH_CONFLICT" } });
    expect(byKey.t3?.error?.message).toContain("t1");
    expect(byKey.t3?.error?.message).not.toContain("t2");
    expect(streamed).toEqual(["t1", "t2"]);
    expect(await readdir(out)).toEqual([b.slice(1)]);
    expect(summary).toMatchObject({ done: 1, failed: 2, bytes: 6 });
  });
});

describe("downloadItems: the query read as the queue drains", () => {
  const many = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      id: `k${String(i).padStart(4, "0")}`,
      filename: `/q/${i}.txt`,
      bytes: Buffer.from(`item ${i}`),
    }));

  it("the next page is asked for only once the queue has taken the last one's items, and progress has the total from the first page", async () => {
    const log: string[] = [];
    const { server } = await itemsGateway(many(6), { pageSize: 2, log });
    const totals: Array<number | undefined> = [];
    const out = join(await folder("paged"), "out");
    const summary = await downloadItems(clientAt(server.url), "d", out, {
      concurrency: 1,
      onProgress: (p) => totals.push(p.total),
    });
    expect(summary).toMatchObject({ done: 6, failed: 0 });
    expect(totals).toEqual([6, 6, 6, 6, 6, 6]);
    // Not the whole query first: downloads of page one come before page two is asked for.
    expect(log.slice(0, 4)).toEqual(["query after -", "stream k0000", "stream k0001", "query after k0001"]);
  });

  it("ids: only those items, the total is their count, and one the query does not return is reported", async () => {
    const { server, streamed } = await itemsGateway(many(5));
    const totals: Array<number | undefined> = [];
    const out = join(await folder("ids"), "out");
    const summary = await downloadItems(clientAt(server.url), "d", out, {
      ids: ["k0001", "k0003", "k9999"],
      onProgress: (p) => totals.push(p.total),
    });
    expect(summary).toMatchObject({ done: 2, failed: 1 });
    expect(streamed.sort()).toEqual(["k0001", "k0003"]);
    expect(totals).toEqual([3, 3, 3]);
    expect(summary.results.find((r) => !r.ok)).toMatchObject({
      key: "k9999",
      error: { code: "ITEM_NOT_FOUND" },
    });
    expect(await readFile(join(out, "q", "3.txt"), "utf8")).toBe("item 3");
  });
});

describe("a part file kept from a run whose item then changed is not gone on from", () => {
  /**
   * A gateway whose item is `current()`: a first answer that stops at 50,000 bytes (a body declared
   * short: the part file is kept), then whole answers or ranges; `ifRange` says whether it honours
   * If-Range (a range only while the validator sent is its own ETag).
   */
  async function changing(ifRange: boolean) {
    const state = { bytes: bytesOf(200_000, 23), etag: '"v1"', short: true };
    const asked: Array<{ range?: string; ifRange?: string }> = [];
    const server = await serve((req, res) => {
      asked.push({
        ...(req.headers.range ? { range: req.headers.range } : {}),
        ...(req.headers["if-range"] ? { ifRange: req.headers["if-range"] as string } : {}),
      });
      const { bytes, etag } = state;
      if (state.short)
        return res.writeHead(200, { etag, "content-length": "50000" }).end(bytes.subarray(0, 50_000));
      const from = fromOf(req);
      const same = !ifRange || req.headers["if-range"] === etag;
      if (req.headers.range && same)
        return res
          .writeHead(206, { etag, "content-range": `bytes ${from}-${bytes.length - 1}/${bytes.length}` })
          .end(bytes.subarray(from));
      res.writeHead(200, { etag, "content-length": String(bytes.length) }).end(bytes);
    });
    return { server, state, asked };
  }
  /** A first run cut short: the part file holds the first 50,000 bytes of the item as it was. */
  async function firstRun(url: string, out: string, options: { version?: string } = {}) {
    const error = await downloadFile(clientAt(url), "ch1", out, {
      size: 200_000,
      attempts: 1,
      ...options,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DOWNLOAD_INCOMPLETE" });
    expect((await stat(partPathOf(out, "ch1"))).size).toBe(50_000);
  }

  it("the re-run sends If-Range with the first answer's ETag; the gateway's 200 (the item changed) starts the file again", async () => {
    const { server, state, asked } = await changing(true);
    const out = join(await folder("changed-if-range"), "item.bin");
    await firstRun(server.url, out);
    state.short = false;
    state.bytes = bytesOf(200_000, 29); // same size, other bytes
    state.etag = '"v2"';
    await downloadFile(clientAt(server.url), "ch1", out, { size: 200_000 });
    expect(asked.at(-1)).toEqual({ range: "bytes=50000-", ifRange: '"v1"' });
    expect(sha(await readFile(out))).toBe(sha(state.bytes));
    expect(await readdir(dirname(out))).toEqual(["item.bin"]);
  });

  it("an unchanged item is gone on from: If-Range matches, the 206 is appended", async () => {
    const { server, state, asked } = await changing(true);
    const out = join(await folder("unchanged-if-range"), "item.bin");
    await firstRun(server.url, out);
    state.short = false;
    await downloadFile(clientAt(server.url), "ch1", out, { size: 200_000 });
    expect(asked.slice(1)).toEqual([{ range: "bytes=50000-", ifRange: '"v1"' }]);
    expect(sha(await readFile(out))).toBe(sha(state.bytes));
    expect(await readdir(dirname(out))).toEqual(["item.bin"]);
  });

  it("a gateway that ignores If-Range: a 206 with another ETag is not appended, the download starts again", async () => {
    const { server, state, asked } = await changing(false);
    const out = join(await folder("changed-no-if-range"), "item.bin");
    await firstRun(server.url, out);
    state.short = false;
    state.bytes = bytesOf(200_000, 31);
    state.etag = '"v2"';
    await downloadFile(clientAt(server.url), "ch1", out, { size: 200_000, baseDelayMs: 1 });
    expect(asked.slice(1).map((a) => a.range)).toEqual(["bytes=50000-", undefined]);
    expect(sha(await readFile(out))).toBe(sha(state.bytes));
  });

  it("downloadItems: an item listed with another updatedAt than its part file's starts again from byte 0", async () => {
    let item = { bytes: bytesOf(200_000, 37), updatedAt: "2026-01-01T00:00:00.000Z" };
    let short = true;
    const ranges: Array<string | undefined> = [];
    // No ETag, no Last-Modified: the listing's version is all there is to tell.
    const server = await serve((req, res) => {
      if (req.method === "POST") {
        req.resume();
        return res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            items: [
              {
                id: "u1",
                type: "file",
                filename: "/u.bin",
                updatedAt: item.updatedAt,
                metadata: { system: { size: item.bytes.length } },
              },
            ],
            totalItemsCount: 1,
            hasNextPage: false,
          }),
        );
      }
      ranges.push(req.headers.range);
      if (short) return res.writeHead(200, { "content-length": "50000" }).end(item.bytes.subarray(0, 50_000));
      if (!req.headers.range) return res.writeHead(200).end(item.bytes);
      const from = fromOf(req);
      res
        .writeHead(206, { "content-range": `bytes ${from}-${item.bytes.length - 1}/${item.bytes.length}` })
        .end(item.bytes.subarray(from));
    });
    const out = join(await folder("changed-version"), "out");
    const first = await downloadItems(clientAt(server.url), "d", out, { attempts: 1 });
    expect(first.results[0]).toMatchObject({ ok: false, error: { code: "DOWNLOAD_INCOMPLETE" } });
    short = false;
    item = { bytes: bytesOf(200_000, 41), updatedAt: "2026-02-02T00:00:00.000Z" };
    const again = await downloadItems(clientAt(server.url), "d", out);
    expect(again).toMatchObject({ done: 1, failed: 0 });
    expect(ranges.at(-1)).toBeUndefined(); // asked from the start, not from byte 50,000
    expect(sha(await readFile(join(out, "u.bin")))).toBe(sha(item.bytes));
    expect(await readdir(out)).toEqual(["u.bin"]);
  });
});

describe("review: a part file's note that cannot be trusted, or a name that is one", () => {
  /** An item of 200,000 bytes sent in two writes (the first chunk leaves it short: its note is written). */
  const twoWrites = (res: ServerResponse, bytes: Buffer, headers: Record<string, string> = {}) => {
    res.writeHead(200, { "content-length": String(bytes.length), ...headers });
    res.write(bytes.subarray(0, 1000));
    setTimeout(() => res.end(bytes.subarray(1000)), 20);
  };

  it("an item named like another item's note (.NAME.<id>.dataloop-part.json) is refused typed; the other item's note never overwrites or removes a file reported written", async () => {
    const victim = bytesOf(200_000, 43);
    const hostile = Buffer.from("precious bytes of an item named like a note");
    const server = await serve((req, res) => {
      req.resume();
      if (req.method === "POST")
        return res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            items: [
              {
                id: "a0",
                type: "file",
                filename: "/.x.bin.v1.dataloop-part.json",
                metadata: { system: { size: hostile.length } },
              },
              { id: "v1", type: "file", filename: "/x.bin", metadata: { system: { size: victim.length } } },
              // The same name on a file system that folds case.
              {
                id: "v2",
                type: "file",
                filename: "/.X.BIN.v1.DATALOOP-PART",
                metadata: { system: { size: 1 } },
              },
            ],
            totalItemsCount: 2,
            hasNextPage: false,
          }),
        );
      if (req.url?.includes("/a0/")) return res.writeHead(200).end(hostile);
      twoWrites(res, victim);
    });
    const out = join(await folder("named-like-a-note"), "out");
    const summary = await downloadItems(clientAt(server.url), "d", out, { concurrency: 1 });
    const byKey = Object.fromEntries(summary.results.map((r) => [r.key, r]));
    expect(byKey.v1).toMatchObject({ ok: true });
    expect(sha(await readFile(join(out, "x.bin")))).toBe(sha(victim));
    // Whatever is reported written is there, whole; the name that collides is refused, typed.
    expect(byKey.a0).toMatchObject({ ok: false, error: { code: "UNSAFE_ITEM_NAME" } });
    expect(byKey.v2).toMatchObject({ ok: false, error: { code: "UNSAFE_ITEM_NAME" } });
    expect(await readdir(out)).toEqual(["x.bin"]);
  });

  it("a note cut off mid-write (not JSON) is not trusted, and not left behind once the item is whole", async () => {
    const bytes = bytesOf(2000, 47);
    const out = join(await folder("torn-note"), "item.bin");
    await writeFile(partPathOf(out, "t1"), bytesOf(500, 53)); // bytes of no known item
    await writeFile(notePathOf(partPathOf(out, "t1")), '{"size":2000,"valid');
    const ranges: Array<string | undefined> = [];
    // Whole in one write: no new note is written over the torn one.
    const server = await serve((req, res) => {
      ranges.push(req.headers.range);
      res.writeHead(200, { "content-length": String(bytes.length) }).end(bytes);
    });
    await downloadFile(clientAt(server.url), "t1", out, { size: bytes.length });
    expect(ranges).toEqual([undefined]);
    expect(sha(await readFile(out))).toBe(sha(bytes));
    expect(await readdir(dirname(out))).toEqual(["item.bin"]);
  });

  it("a note whose fields are not what a note holds (a validator with a line break, a size as text) is not trusted: the download starts again and completes", async () => {
    const bytes = bytesOf(200_000, 59);
    const out = join(await folder("hostile-note"), "item.bin");
    await writeFile(partPathOf(out, "h1"), bytes.subarray(0, 50_000));
    await writeFile(
      notePathOf(partPathOf(out, "h1")),
      JSON.stringify({ size: 200_000, validator: '"v1"\r\nx-injected: 1' }),
    );
    const asked: Array<{ range?: string; injected?: string }> = [];
    const server = await serve((req, res) => {
      asked.push({
        ...(req.headers.range ? { range: req.headers.range } : {}),
        ...(req.headers["x-injected"] ? { injected: String(req.headers["x-injected"]) } : {}),
      });
      twoWrites(res, bytes, { etag: '"v1"' });
    });
    const got = await downloadFile(clientAt(server.url), "h1", out, {
      size: bytes.length,
      baseDelayMs: 1,
    });
    expect(got).toMatchObject({ bytes: bytes.length });
    expect(asked).toEqual([{}]);
    expect(sha(await readFile(out))).toBe(sha(bytes));
    expect(await readdir(dirname(out))).toEqual(["item.bin"]);
  });

  it("downloadFile without a size: a 206 whose total is not the size in the part's note (no validator to tell) starts again", async () => {
    let item = bytesOf(200_000, 61);
    let short = true;
    const ranges: Array<string | undefined> = [];
    // No ETag, no Last-Modified, and Range honoured whatever the item became.
    const server = await serve((req, res) => {
      ranges.push(req.headers.range);
      if (short) {
        // Cut off after its first 50,000 bytes.
        res.writeHead(200, { "content-length": String(item.length) });
        res.write(item.subarray(0, 50_000), () => setTimeout(() => res.socket?.destroy(), 20));
        return;
      }
      if (!req.headers.range) return res.writeHead(200, { "content-length": String(item.length) }).end(item);
      const from = fromOf(req);
      res
        .writeHead(206, { "content-range": `bytes ${from}-${item.length - 1}/${item.length}` })
        .end(item.subarray(from));
    });
    const out = join(await folder("size-in-note"), "item.bin");
    const first = await downloadFile(clientAt(server.url), "s1", out, { attempts: 1 }).catch(
      (e: unknown) => e,
    );
    expect(first).toMatchObject({ code: "DOWNLOAD_INCOMPLETE" });
    short = false;
    item = bytesOf(120_000, 67); // the item changed: another size
    await downloadFile(clientAt(server.url), "s1", out, { baseDelayMs: 1 });
    expect(ranges.at(-1)).toBeUndefined();
    expect(sha(await readFile(out))).toBe(sha(item));
  });
});
