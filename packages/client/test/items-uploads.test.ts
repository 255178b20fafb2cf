// Uploads of named folders: only what the user named is sent — links not followed unless asked (and
// then never out of the named paths), special files refused, unreadable entries listed while the rest
// goes on, two files for one remote path both refused, counts from the bytes sent.
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { appendFile, chmod, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type LoopbackServer, listenLoopback } from "@dataloop-ts/core/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

/** Folders the file system refuses to list (as to a user without the right), for a test run as root. */
const denied = vi.hoisted(() => new Set<string>());
vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs/promises")>();
  const readdir = ((path: Parameters<typeof fs.readdir>[0], ...rest: unknown[]) => {
    if (denied.has(String(path)))
      return Promise.reject(
        Object.assign(new Error(`EACCES: permission denied, scandir '${String(path)}'`), {
          code: "EACCES",
          errno: -13,
          syscall: "scandir",
          path: String(path),
        }),
      );
    return (fs.readdir as (...a: unknown[]) => Promise<unknown>)(path, ...rest);
  }) as typeof fs.readdir;
  return { ...fs, readdir, default: { ...fs, readdir } };
});

import { createDataloopClient, uploadItems } from "../src/index.js";
import { entriesOf, uploadDirectory, uploadFile } from "../src/node.js";

const here = dirname(fileURLToPath(import.meta.url));
let dir: string;
const servers: LoopbackServer[] = [];
beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "dataloop-up-safety-")));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
afterAll(async () => {
  await chmod(join(dir, "unreadable", "closed"), 0o755).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

/** A gateway that keeps what each upload sent: its remote path and the file part's text. */
async function recordingGateway() {
  const received = new Map<string, string>();
  const server = await listenLoopback((req, res) => {
    let body = "";
    req.setEncoding("latin1");
    req.on("data", (c: string) => {
      body += c;
    });
    req.on("end", () => {
      const path = /name="path"\r\n\r\n([^\r]*)/.exec(body)?.[1] ?? "";
      const file =
        /filename="[^"]*"\r\nContent-Type: [^\r]*\r\n\r\n([\s\S]*)\r\n--[^\r\n]*--\r\n$/.exec(body)?.[1] ??
        "";
      received.set(Buffer.from(path, "latin1").toString("utf8"), file);
      res.writeHead(200, { "content-type": "application/json", "x-item-op": "created" }).end(
        JSON.stringify({
          id: `i${received.size}`,
          filename: path,
          metadata: { system: { size: file.length } },
        }),
      );
    });
  });
  servers.push(server);
  const dl = createDataloopClient({ gateUrl: server.url, auth: { getToken: async () => "t0ken-up" } });
  return { dl, received };
}
const folder = async (...names: string[]) => {
  const path = join(dir, ...names);
  await mkdir(path, { recursive: true });
  return path;
};
const codes = (results: Array<{ key: string; ok: boolean; error?: Error }>) =>
  Object.fromEntries(
    results.map((r) => [r.key, r.ok ? "ok" : (r.error as { code?: string } | undefined)?.code]),
  );

describe("uploads send only what was named", () => {
  it("links inside a folder are not followed by default: a link to a secret outside is listed, its bytes never sent", async () => {
    const secret = join(await folder("outside"), "secret.txt");
    await writeFile(secret, "DATALOOP_PASSWORD=hunter2");
    const root = await folder("plain");
    await writeFile(join(root, "a.txt"), "alpha");
    await symlink(secret, join(root, "environ"));
    await symlink(await folder("outside"), join(root, "dirlink"));
    const { dl, received } = await recordingGateway();
    const summary = await uploadDirectory(dl, "d", root, { remoteDir: "/up" });
    expect(codes(summary.results)).toEqual({
      "/up/a.txt": "ok",
      "/up/dirlink": "SYMLINK_NOT_FOLLOWED",
      "/up/environ": "SYMLINK_NOT_FOLLOWED",
    });
    expect([...received.values()].join("")).not.toContain("hunter2");
    expect(summary.results.find((r) => r.key === "/up/environ")?.localPath).toBe(join(root, "environ"));
  });

  it("followSymlinks: links inside the named paths are followed, links out of them are not (unless their target is named), and a loop ends", async () => {
    const secret = join(await folder("outside2"), "secret.txt");
    await writeFile(secret, "TOKEN=s3cr3t");
    const root = await folder("follow");
    await writeFile(join(root, "real.txt"), "real");
    await symlink(join(root, "real.txt"), join(root, "alias.txt"));
    await symlink(secret, join(root, "out.txt"));
    await symlink("/proc/self/environ", join(root, "environ"));
    await folder("follow", "sub");
    await symlink(root, join(root, "sub", "loop"));
    const { dl, received } = await recordingGateway();
    const summary = await uploadDirectory(dl, "d", root, { remoteDir: "/f", followSymlinks: true });
    expect(codes(summary.results)).toEqual({
      "/f/alias.txt": "ok",
      "/f/environ": "SPECIAL_FILE",
      "/f/out.txt": "SYMLINK_NOT_FOLLOWED",
      "/f/real.txt": "ok",
      "/f/sub/loop": "SYMLINK_NOT_FOLLOWED",
    });
    expect(received.get("/f/alias.txt")).toBe("real");
    expect([...received.values()].join("")).not.toMatch(/s3cr3t|PATH=/);
    // The link's target named too: then it is followed.
    const both = await entriesOf([root, secret], { remoteDir: "/g", followSymlinks: true });
    expect(both.find((e) => e.remotePath === "/g/out.txt")?.error).toBeUndefined();
  });

  it("a FIFO, a socket and a /proc entry are refused typed, listed, and the rest is uploaded", async () => {
    const root = await folder("special");
    await writeFile(join(root, "a.txt"), "alpha");
    execFileSync("mkfifo", [join(root, "fifo")]);
    const socket = createServer().listen(join(root, "sock"));
    await once(socket, "listening");
    const { dl, received } = await recordingGateway();
    const summary = await uploadDirectory(dl, "d", root, { remoteDir: "/s" }).finally(() => socket.close());
    expect(codes(summary.results)).toEqual({
      "/s/a.txt": "ok",
      "/s/fifo": "SPECIAL_FILE",
      "/s/sock": "SPECIAL_FILE",
    });
    expect([...received.keys()]).toEqual(["/s/a.txt"]);
    const named = await entriesOf("/proc/self/environ");
    expect(named[0]?.error).toMatchObject({ code: "SPECIAL_FILE" });
    await expect(uploadFile(dl, "d", "/proc/self/environ")).rejects.toMatchObject({ code: "SPECIAL_FILE" });
    await expect(uploadFile(dl, "d", join(root, "fifo"))).rejects.toMatchObject({ code: "SPECIAL_FILE" });
    expect(received.size).toBe(1);
  });

  it("a folder that cannot be read is listed as failed, and the rest goes on", async () => {
    const root = await folder("unreadable");
    await writeFile(join(root, "a.txt"), "alpha");
    const closed = await folder("unreadable", "closed");
    await writeFile(join(closed, "b.txt"), "beta");
    await chmod(closed, 0);
    if (process.getuid?.() !== 0) {
      const { dl } = await recordingGateway();
      const summary = await uploadDirectory(dl, "d", root, { remoteDir: "/u" });
      expect(codes(summary.results)).toEqual({ "/u/a.txt": "ok", "/u/closed": "SOURCE_UNREADABLE" });
      return;
    }
    // Root reads every folder: the file system refuses this one as it would refuse another user
    // (readdir fails with EACCES, as the kernel says it), and the walk goes on with the rest.
    denied.add(closed);
    try {
      const { dl } = await recordingGateway();
      const summary = await uploadDirectory(dl, "d", root, { remoteDir: "/u" });
      expect(codes(summary.results)).toEqual({ "/u/a.txt": "ok", "/u/closed": "SOURCE_UNREADABLE" });
    } finally {
      denied.delete(closed);
    }
  });

  it("two named folders that both hold a.txt: both refused before anything is sent, each with its local path; the rest goes", async () => {
    const a = await folder("dupA");
    const b = await folder("dupB");
    await writeFile(join(a, "a.txt"), "from A");
    await writeFile(join(b, "a.txt"), "from B");
    await writeFile(join(b, "b.txt"), "only B");
    const { dl, received } = await recordingGateway();
    const summary = await uploadItems(dl, "d", await entriesOf([a, b], { remoteDir: "/" }));
    expect(summary).toMatchObject({ done: 1, failed: 2 });
    const refused = summary.results.filter((r) => !r.ok);
    expect(refused.map((r) => r.localPath).sort()).toEqual([join(a, "a.txt"), join(b, "a.txt")]);
    for (const r of refused) expect(r.error).toMatchObject({ code: "DUPLICATE_REMOTE_PATH" });
    expect([...received.keys()]).toEqual(["/b.txt"]);
  });

  it("the summary counts the bytes sent, not those listed", async () => {
    const root = await folder("grows");
    await writeFile(join(root, "log.txt"), "12345");
    const entries = await entriesOf(root, { remoteDir: "/g" });
    expect(entries[0]?.size).toBe(5);
    await appendFile(join(root, "log.txt"), "67890abc");
    const { dl, received } = await recordingGateway();
    const summary = await uploadItems(dl, "d", entries);
    expect(received.get("/g/log.txt")).toBe("1234567890abc");
    expect(summary.bytes).toBe(13);
    expect(summary.results[0]?.localPath).toBe(join(root, "log.txt"));
  });
});
