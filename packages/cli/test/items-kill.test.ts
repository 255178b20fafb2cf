// `kill -9` of `dataloop items download` and `items upload` mid-transfer, then the same command again:
// the job completes, every sha256 equals the source, and nothing is left beside the targets. The gateway
// is local and says when the kill may land (it has sent, or received, part of a file and holds the
// rest back); no sleeping for time to pass.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type LoopbackServer, listenLoopback } from "@dataloop-ts/core/node";
import { runCli } from "@dataloop-ts/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/main.js");
const MiB = 1024 * 1024;
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dataloop-kill-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Stored {
  id: string;
  filename: string;
  bytes: Buffer;
}

/**
 * A gateway of one dataset: the query, item streams (with Range), and uploads (multipart, kept only
 * once whole, mode skip honoured). `holdAfter` makes the next stream or upload stop after that many
 * bytes and keep the connection open, resolving `held`: the moment for the kill.
 */
async function gateway(items: Stored[]) {
  const state = {
    items,
    ranges: [] as Array<string | undefined>,
    hold: undefined as undefined | { after: number; letPass: number; reached: () => void },
  };
  /** Holds the transfer after `letPass` whole ones, once `after` of its bytes are through. */
  const holdNext = (after: number, letPass = 0) =>
    new Promise<void>((reached) => {
      state.hold = { after, letPass, reached };
    });
  /** The hold, if this transfer is the one held. */
  const takeHold = () => {
    const hold = state.hold;
    if (hold && hold.letPass-- > 0) return undefined;
    state.hold = undefined;
    return hold;
  };
  const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(200, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
  const itemJson = (i: Stored) => ({
    id: i.id,
    type: "file",
    filename: i.filename,
    name: i.filename.split("/").at(-1),
    dir: "/",
    metadata: { system: { size: i.bytes.length } },
  });

  function stream(req: IncomingMessage, res: ServerResponse, item: Stored) {
    state.ranges.push(req.headers.range);
    const from = Number(/bytes=(\d+)-/.exec(req.headers.range ?? "")?.[1] ?? 0);
    res.writeHead(from ? 206 : 200, {
      "content-length": String(item.bytes.length - from),
      ...(from ? { "content-range": `bytes ${from}-${item.bytes.length - 1}/${item.bytes.length}` } : {}),
    });
    const hold = takeHold();
    if (!hold) return res.end(item.bytes.subarray(from));
    // Part of it, then nothing more: the connection stays open until the client dies.
    res.write(item.bytes.subarray(from, from + hold.after), () => hold.reached());
  }

  function upload(req: IncomingMessage, res: ServerResponse, mode: string) {
    const hold = takeHold();
    const chunks: Buffer[] = [];
    let received = 0;
    req.on("data", (c: Buffer) => {
      chunks.push(c);
      received += c.length;
      if (hold && received >= hold.after) {
        req.pause(); // the rest is never read
        hold.reached();
      }
    });
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const boundary = /boundary=(.+)$/.exec(req.headers["content-type"] ?? "")?.[1] ?? "";
      const text = body.toString("latin1");
      const path = /name="path"\r\n\r\n([^\r]*)/.exec(text)?.[1] ?? "";
      const fileStart = text.indexOf("\r\n\r\n", text.indexOf('name="file"')) + 4;
      const fileEnd = text.lastIndexOf(`\r\n--${boundary}--`);
      const bytes = body.subarray(fileStart, fileEnd);
      const existing = state.items.find((i) => i.filename === path);
      if (existing && mode === "skip") return json(res, itemJson(existing), { "x-item-op": "skip" });
      const item = {
        id: `${(state.items.length + 1).toString(16).padStart(24, "0")}`,
        filename: path,
        bytes,
      };
      state.items = [...state.items.filter((i) => i.filename !== path), item];
      json(res, itemJson(item), { "x-item-op": existing ? "overwrite" : "created" });
    });
  }

  const server: LoopbackServer = await listenLoopback((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const streamOf = /\/items\/([^/]+)\/stream$/.exec(url.pathname);
    if (req.method === "GET" && streamOf) {
      const item = state.items.find((i) => i.id === streamOf[1]);
      return item ? stream(req, res, item) : res.writeHead(404).end();
    }
    if (req.method === "POST" && /\/datasets\/[^/]+\/items$/.exec(url.pathname))
      return upload(req, res, url.searchParams.get("mode") ?? "skip");
    let text = "";
    req.on("data", (c: Buffer) => {
      text += c;
    });
    req.on("end", () => {
      // The API key is checked at login with GET /users/me.
      if (url.pathname.endsWith("/users/me")) return json(res, { id: "u-1", email: "bot@example.com" });
      if (/\/datasets\/[^/]+\/query$/.test(url.pathname)) {
        const after = (JSON.parse(text).filter?.$and ?? []).find((c: { id?: { $gt?: string } }) => c.id?.$gt)
          ?.id?.$gt as string | undefined;
        const rest = [...state.items]
          .sort((a, b) => (a.id < b.id ? -1 : 1))
          .filter((i) => !after || i.id > after);
        return json(res, {
          items: rest.map(itemJson),
          totalItemsCount: state.items.length,
          hasNextPage: false,
        });
      }
      res.writeHead(404, { "content-type": "application/json" }).end("{}");
    });
  });
  return { server, state, holdNext };
}

async function loggedIn(gateUrl: string) {
  const home = await mkdtemp(join(dir, "home-"));
  const env = { DATALOOP_TS_HOME: home, DATALOOP_GATE: gateUrl, BROWSER: "none" };
  const login = await runCli(CLI, ["login", "--api-key", "k3y-for-kill-test"], { env, timeoutMs: 30_000 });
  expect(login.code, login.stderr).toBe(0);
  return env;
}

/** Starts the CLI; `kill` ends it with SIGKILL and waits for it to be gone. */
function started(args: string[], env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: "ignore",
  });
  const exited = once(child, "exit");
  return {
    async kill() {
      child.kill("SIGKILL");
      const [code, signal] = await exited;
      return { code, signal };
    },
  };
}

/** Every file under `root`, relative, sorted (hidden ones included). */
async function tree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

describe("a killed items run, run again, finishes the job", () => {
  it("kill -9 of items download mid-file: the re-run goes on from the part file (Range), every sha256 right, nothing left beside the targets", async () => {
    const items: Stored[] = [1, 2, 3].map((n) => ({
      id: `65f1c0ffee00000000000${n}00`,
      filename: `/kill/file-${n}.bin`,
      bytes: randomBytes(2 * MiB),
    }));
    const g = await gateway(items);
    try {
      const env = await loggedIn(g.server.url);
      const out = join(dir, "out");
      const args = ["items", "download", "--dataset", "d1", "--out", out, "--concurrency", "1"];
      const held = g.holdNext(MiB);
      const run = started(args, env);
      await held;
      // The bytes sent before the hold reach the part file: then the kill lands mid-file.
      const part = join(out, "kill", `.file-1.bin.${items[0]?.id}.dataloop-part`);
      while (((await stat(part).catch(() => undefined))?.size ?? 0) < MiB)
        await new Promise((r) => setTimeout(r, 20));
      expect((await run.kill()).signal).toBe("SIGKILL");
      // The part file, and beside it what it is part of (its note: the validator a re-run sends as If-Range).
      expect(await tree(out)).toEqual([
        `kill/.file-1.bin.${items[0]?.id}.dataloop-part`,
        `kill/.file-1.bin.${items[0]?.id}.dataloop-part.json`,
      ]);

      const again = await runCli(CLI, [...args, "--json"], { env, timeoutMs: 60_000 });
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ done: 3, failed: 0, bytes: 6 * MiB });
      expect(g.state.ranges).toContain(`bytes=${MiB}-`); // gone on from, not started again
      expect(await tree(out)).toEqual(["kill/file-1.bin", "kill/file-2.bin", "kill/file-3.bin"]);
      for (const item of items)
        expect(sha(await readFile(join(out, item.filename))), item.filename).toBe(sha(item.bytes));
    } finally {
      await g.server.stop();
    }
  });

  it("kill -9 of items upload mid-file: the re-run (mode skip) uploads what is missing, every stored sha256 right", async () => {
    const g = await gateway([]);
    try {
      const env = await loggedIn(g.server.url);
      const src = join(dir, "src");
      await mkdir(src);
      const files = new Map<string, Buffer>();
      for (const n of [1, 2, 3]) {
        const bytes = randomBytes(2 * MiB);
        files.set(`file-${n}.bin`, bytes);
        await writeFile(join(src, `file-${n}.bin`), bytes);
      }
      const args = ["items", "upload", src, "--dataset", "d1", "--remote-path", "/up", "--concurrency", "1"];
      const held = g.holdNext(MiB, 1); // the second file, half sent
      const run = started(args, env);
      await held;
      expect((await run.kill()).signal).toBe("SIGKILL");
      expect(g.state.items.map((i) => i.filename)).toEqual(["/up/file-1.bin"]); // the cut one is not kept

      const again = await runCli(CLI, [...args, "--json"], { env, timeoutMs: 60_000 });
      expect(again.code, again.stderr).toBe(0);
      const summary = JSON.parse(again.stdout) as { results: Array<{ key: string; op: string }> };
      expect(summary).toMatchObject({ done: 3, failed: 0, bytes: 6 * MiB });
      expect(Object.fromEntries(summary.results.map((r) => [r.key, r.op]))).toEqual({
        "/up/file-1.bin": "skip",
        "/up/file-2.bin": "created",
        "/up/file-3.bin": "created",
      });
      for (const [name, bytes] of files) {
        const stored = g.state.items.find((i) => i.filename === `/up/${name}`);
        expect(stored && sha(stored.bytes), name).toBe(sha(bytes));
      }
      expect(await tree(src)).toEqual([...files.keys()].sort()); // nothing left beside the sources
    } finally {
      await g.server.stop();
    }
  });
});
