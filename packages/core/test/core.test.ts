import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DataloopError,
  escapeHtml,
  htmlPage,
  isHttpUrl,
  leadingBytes,
  operationKey,
  UsageError,
} from "../src/index.js";
import { removeStaleTempFiles, writeFileAtomic, writeFilesAtomic } from "../src/node.js";

describe("DataloopError", () => {
  class PinError extends DataloopError {
    static override readonly code = "PIN";
    override name = "PinError";
    override readonly code = "PIN";
  }

  it("carries a fixed code per class, a hint, and keeps the cause off toJSON", () => {
    const cause = new Error("Authorization: Bearer eyJ.secret");
    const e = new PinError({ message: "no pin", hint: "run pull", cause });
    expect(e).toBeInstanceOf(DataloopError);
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.code, PinError.code, e.hint, e.cause]).toEqual([
      "PinError",
      "PIN",
      "PIN",
      "run pull",
      cause,
    ]);
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      name: "PinError",
      code: "PIN",
      message: "no pin",
      hint: "run pull",
    });
    expect(JSON.stringify(e)).not.toContain("eyJ");
  });

  it("UsageError has a default hint", () => {
    const e = new UsageError({ message: "--port takes a number" });
    expect([e.code, e.hint]).toEqual(["USAGE", "Run the command with --help for its usage."]);
  });
});

describe("shared helpers", () => {
  it("escape HTML and build a page whose title cannot inject markup", () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe("&#60;a href=&#34;x&#34;&#62;&#38;&#39;");
    const page = htmlPage("<script>", "<p>ok</p>");
    expect(page).toContain("<title>&#60;script&#62;</title>");
    expect(page).toContain("<p>ok</p>");
  });

  it("spell operations and URLs one way", () => {
    expect(operationKey("get", "/projects/{projectId}")).toBe("GET /projects/{projectId}");
    expect([
      isHttpUrl("https://gate.dataloop.ai"),
      isHttpUrl("HTTP://x"),
      isHttpUrl("file:///etc/passwd"),
      isHttpUrl("specs/a.json"),
    ]).toEqual([true, true, false, false]);
  });
});

describe("atomic writes", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "core-atomic-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("write a file whose name is as long as a name may be (255 bytes, ASCII or CJK), its temp name cut to fit", async () => {
    for (const name of [`${"a".repeat(250)}.json`, `${"猫".repeat(84)}.js`]) {
      expect(Buffer.byteLength(name)).toBeGreaterThanOrEqual(254);
      const sub = join(dir, `long-${name.length}`);
      await writeFileAtomic(join(sub, name), "{}");
      await writeFilesAtomic([[join(sub, name), "[]"]]);
      expect(await readdir(sub)).toEqual([name]);
      expect(await readFile(join(sub, name), "utf8")).toBe("[]");
    }
    expect(leadingBytes("猫猫猫.jpg", 7)).toBe("猫猫");
    expect(leadingBytes("ab😀c", 5)).toBe("ab");
    expect(leadingBytes("short", 200)).toBe("short");
  });

  it("write the file whole, with the mode asked for, in a folder made exactly 0700", async () => {
    const sub = join(dir, "store");
    await writeFileAtomic(join(sub, "a.json"), "{}", { mode: 0o600, dirMode: 0o700 });
    expect(await readFile(join(sub, "a.json"), "utf8")).toBe("{}");
    expect((await stat(join(sub, "a.json"))).mode & 0o777).toBe(0o600);
    expect((await stat(sub)).mode & 0o777).toBe(0o700);
    expect(await readdir(sub)).toEqual(["a.json"]);
  });

  it("leave nothing behind when a write fails, and every file as it was", async () => {
    await writeFile(join(dir, "keep.txt"), "old");
    await expect(
      writeFilesAtomic([
        [join(dir, "keep.txt"), "new"],
        [join(dir, "keep.txt", "not-a-dir", "x"), "y"],
      ]),
    ).rejects.toThrow();
    expect(await readFile(join(dir, "keep.txt"), "utf8")).toBe("old");
    expect((await readdir(dir)).filter((f) => f.endsWith("tmp"))).toEqual([]);
  });

  it("clean up temp files an interrupted write left, but not one in flight, nor another program's", async () => {
    const old = join(dir, ".a.json.0123456789ab.dataloop-tmp");
    const fresh = join(dir, ".b.json.ba9876543210.dataloop-tmp");
    const theirs = join(dir, ".x.0123456789ab.tmp");
    for (const path of [old, fresh, theirs]) {
      await writeFile(path, "x");
      if (path !== fresh)
        await utimes(path, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    }
    expect(await removeStaleTempFiles(dir)).toBe(1);
    const left = await readdir(dir);
    expect(left).toContain(".b.json.ba9876543210.dataloop-tmp");
    expect(left).toContain(".x.0123456789ab.tmp");
    expect(left).not.toContain(".a.json.0123456789ab.dataloop-tmp");
  });

  it("leave the mode of a folder that exists as it is (a shared, sticky one stays 1777)", async () => {
    const shared = join(dir, "shared");
    await mkdir(shared);
    await chmod(shared, 0o1777);
    await writeFileAtomic(join(shared, "s.json"), "{}", { mode: 0o600, dirMode: 0o700 });
    expect((await stat(shared)).mode & 0o7777).toBe(0o1777);
    expect((await stat(join(shared, "s.json"))).mode & 0o777).toBe(0o600);
  });
});
