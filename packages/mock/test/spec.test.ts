import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultCacheDir, prepareMockSpec } from "../src/index.js";

// The cold builds (seconds of CPU each) are in test/heavy/spec-build.test.ts, run apart by `test:heavy`.

describe("preparing the spec the mock serves", () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), "mock-spec-cache-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it("a document that is not OpenAPI is refused with a typed error and a hint", async () => {
    const file = join(await tempDir(), "page.html");
    await writeFile(file, "<!doctype html><p>login</p>");
    await expect(prepareMockSpec({ spec: file, cacheDir: false })).rejects.toMatchObject({
      code: "NOT_JSON_OR_YAML",
      hint: expect.stringContaining("OpenAPI document"),
    });
  });

  it("the default cache is per user (XDG / DATALOOP_TS_CACHE), never the working directory", () => {
    const before = process.env.DATALOOP_TS_CACHE;
    try {
      process.env.DATALOOP_TS_CACHE = "/somewhere/else";
      expect(defaultCacheDir()).toBe("/somewhere/else/mock");
      delete process.env.DATALOOP_TS_CACHE;
      expect(defaultCacheDir()).toMatch(/dataloop-ts[/\\]mock$/);
      expect(defaultCacheDir().startsWith(process.cwd())).toBe(false);
    } finally {
      if (before === undefined) delete process.env.DATALOOP_TS_CACHE;
      else process.env.DATALOOP_TS_CACHE = before;
    }
  });
});
