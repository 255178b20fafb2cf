// The file store in a folder it shares with others (a sticky, /tmp-like DATALOOP_TS_HOME): it never
// changes that folder's mode, and never removes what it did not write.
import { chmod, mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileStore } from "../src/node.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dataloop-store-shared-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const TOKENS = { idToken: "id.t0ken.x", refreshToken: "rt_x", expiresAt: 1 };

describe("fileStore in a shared folder", () => {
  it("a sticky 1777 folder stays 1777, and another program's old temp file in it stays", async () => {
    const shared = join(dir, "shared");
    await mkdir(shared);
    await chmod(shared, 0o1777);
    const theirs = join(shared, ".x.0123456789ab.tmp");
    await writeFile(theirs, "not ours");
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(theirs, hourAgo, hourAgo);
    await fileStore(shared).save("prod", TOKENS);
    expect((await stat(shared)).mode & 0o7777).toBe(0o1777);
    expect((await readdir(shared)).sort()).toEqual([".x.0123456789ab.tmp", "prod.json"]);
    expect((await stat(join(shared, "prod.json"))).mode & 0o777).toBe(0o600);
  });

  it("a folder it makes is made 0700", async () => {
    const own = join(dir, "own", "home");
    await fileStore(own).save("prod", TOKENS);
    expect((await stat(own)).mode & 0o777).toBe(0o700);
  });
});
