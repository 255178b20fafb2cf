import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { readManifest } from "@dataloop-ts/spec";
import { afterAll, describe, expect, it } from "vitest";
import { defaultCacheDir, prepareMockSpec } from "../src/index.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const OLD_SPEC = join(repo, "tests/fixtures/specs/dataloop-2026-03-29.json");
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("preparing the spec the mock serves", () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), "mock-spec-cache-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it("builds cold off the caller's thread, caches the result, and a second start reads the cache", async () => {
    const cacheDir = await tempDir();
    const stall = monitorEventLoopDelay({ resolution: 10 });
    stall.enable();
    const started = performance.now();
    const cold = await prepareMockSpec({ cacheDir });
    const coldMs = performance.now() - started;
    stall.disable();
    expect(cold.cache).toBe("miss");
    // On the caller's thread the build stalls the event loop for most of its length; in the worker
    // the caller only waits. Relative, so a slow machine does not matter.
    expect(stall.max / 1e6).toBeLessThan(coldMs / 2);
    expect((await readdir(cacheDir)).filter((f) => f.startsWith("mock-"))).toHaveLength(1);

    const warm = await prepareMockSpec({ cacheDir });
    expect(warm.cache).toBe("hit");
    expect(warm.operations).toEqual(cold.operations);
    expect(warm.publicOperations).toEqual(cold.publicOperations);
    expect(warm.operations.length).toBeGreaterThan(400);
    // By default it serves @dataloop-ts/spec: the pinned bytes the client's types come from.
    expect(warm.upstream.sha256).toBe(readManifest().sha256);
  });

  it("a cache folder that cannot be written costs a cold start, not a failure", async () => {
    const file = join(await tempDir(), "not-a-folder");
    await writeFile(file, "");
    const spec = await prepareMockSpec({ cacheDir: join(file, "cache") });
    expect(spec.cache).toBe("off");
    expect(spec.cacheError).toMatch(/not-a-folder\/cache\/mock-[0-9a-f]+\.json: (ENOTDIR|EEXIST)/);
    expect(spec.operations.length).toBeGreaterThan(400);
  });

  it("serves another document when asked (a newer pin, a draft), repaired with the shipped overlay", async () => {
    const cacheDir = await tempDir();
    const spec = await prepareMockSpec({ spec: OLD_SPEC, cacheDir });
    expect(spec.upstream.sha256).toBe(sha(readFileSync(OLD_SPEC)));
    expect(spec.upstream.sha256).not.toBe(readManifest().sha256);
    // 2026-03-29 lacks routes the pinned document has (POST /orgs/{orgId}/bots came later).
    expect(spec.document.paths["/orgs/{orgId}/bots"]?.post).toBeUndefined();
    expect(spec.document.paths["/projects/{projectId}"]?.get?.operationId).toBe("getProject");
    expect((await prepareMockSpec({ spec: OLD_SPEC, cacheDir })).cache).toBe("hit");
  });

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
