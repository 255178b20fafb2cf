import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createAuth, passwordAuth } from "../src/index.js";
import { fileStore } from "../src/node.js";
import { BOT, clientFor, gateway } from "./helpers.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), "dataloop-auth-store-"));
  dirs.push(d);
  return join(d, "tokens");
};

describe("the file store", () => {
  it("writes one 0600 file per environment in a 0700 folder, and a new session picks it up", async () => {
    const g = await gateway();
    const dir = await tempDir();
    const first = createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl, store: fileStore(dir) });
    await clientFor(g, first).GET("/echo/{n}", { params: { path: { n: "1" } } });
    const files = await readdir(dir);
    expect(files).toEqual([`${new URL(g.gateUrl).host.replace(":", "_")}.json`]);
    expect((await stat(join(dir, files[0] ?? ""))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const saved = JSON.parse(await readFile(join(dir, files[0] ?? ""), "utf8"));
    expect(Object.keys(saved).sort()).toEqual(["accessToken", "expiresAt", "idToken", "refreshToken"]);

    // A new process (here: a new session) reuses the stored token: no second login.
    const second = createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl, store: fileStore(dir) });
    await clientFor(g, second).GET("/echo/{n}", { params: { path: { n: "2" } } });
    expect(g.route.calls.total).toBe(1);
    await second.logout();
    expect(await readdir(dir)).toEqual([]);
  });

  it("survives being killed mid-write: the file is always the old or the new JSON, never torn", async () => {
    const dir = await tempDir();
    const storeModule = new URL("../dist/file-store.js", import.meta.url).href;
    // A writer that saves ~2 MB token sets as fast as it can, until killed.
    const script = `
      const { fileStore } = await import(${JSON.stringify(storeModule)});
      const store = fileStore(${JSON.stringify(dir)});
      for (let i = 0; ; i++) {
        await store.save("env", { idToken: String(i).padEnd(2_000_000, "x"), refreshToken: "rt_" + i });
        if (i === 0) process.stdout.write("ready\\n");
      }`;
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      await new Promise<void>((ok) => child.stdout.once("data", () => ok()));
      await new Promise((r) => setTimeout(r, 20 + round * 30));
      child.kill("SIGKILL");
      await new Promise((ok) => child.once("exit", ok));
      const text = await readFile(join(dir, "env.json"), "utf8");
      const value = JSON.parse(text); // throws on a torn file
      expect(value.idToken).toHaveLength(2_000_000);
      expect(value.refreshToken).toBe(`rt_${Number.parseInt(value.idToken, 10)}`);
      expect((await stat(join(dir, "env.json"))).mode & 0o777).toBe(0o600);
    }
  });

  it("a damaged file, or one whose fields are not strings, is named in a typed error saying how to replace it", async () => {
    const dir = await tempDir();
    const store = fileStore(dir);
    const { mkdir, writeFile } = await import("node:fs/promises");
    await mkdir(dir, { recursive: true });
    for (const content of [
      "{ torn",
      JSON.stringify({ idToken: { nested: true }, refreshToken: "rt-1234" }),
    ]) {
      await writeFile(join(dir, "env.json"), content);
      await expect(store.load("env")).rejects.toMatchObject({
        code: "STORED_SESSION_CORRUPT",
        message: expect.stringContaining(join(dir, "env.json")),
        hint: expect.stringContaining("dataloop login"),
      });
    }
    // A save (what a new login does) replaces it.
    await store.save("env", { idToken: "x" });
    expect(await store.load("env")).toEqual({ idToken: "x" });
  });

  it("keeps an existing folder's mode (it may be shared), and removes temp files an interrupted write left", async () => {
    const dir = await tempDir();
    const { mkdir, readdir, stat, utimes, writeFile } = await import("node:fs/promises");
    await mkdir(dir, { recursive: true, mode: 0o755 });
    expect((await stat(dir)).mode & 0o777).toBe(0o755);
    const stale = join(dir, ".env.json.0123456789ab.dataloop-tmp");
    await writeFile(stale, "{}");
    await utimes(stale, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    await fileStore(dir).save("env", { idToken: "x" });
    expect((await stat(dir)).mode & 0o777).toBe(0o755);
    expect(await readdir(dir)).toEqual(["env.json"]);
  });
});
