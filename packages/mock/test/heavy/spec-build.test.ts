// The mock's cold spec builds: seconds of CPU each, so they run apart from the main suite, one file at
// a time (`pnpm test:heavy`, which scripts/test.mjs and .ci/run run after it), each with a budget
// derived from a measured run rather than the suite's 60 s default.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readManifest } from "@dataloop-ts/spec";
import { afterAll, describe, expect, it } from "vitest";
import { prepareMockSpec } from "../../src/index.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const OLD_SPEC = join(repo, "tests/fixtures/specs/dataloop-2026-03-29.json");
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
/**
 * Measured (`pnpm test:heavy` in packages/mock, these three tests): one cold build takes 13–15 s of CPU;
 * 48–62 s of wall time on the 2-core machine at load 18. A test gets 180 s per cold build it makes: a
 * hang guard three times the slowest measured, not a speed bet.
 */
const BUILD_BUDGET_MS = 180_000;

describe("building the spec the mock serves, cold", () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), "mock-spec-cache-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it(
    "builds cold off the caller's thread, caches the result, and a second start reads the cache",
    async () => {
      const cacheDir = await tempDir();
      // The caller's timers keep firing while the worker builds (counted in turns, not in ms: on the
      // caller's thread the build would block them all, whatever the machine's speed).
      let turns = 0;
      let building = true;
      const turn = () => {
        if (!building) return;
        turns++;
        setTimeout(turn, 1);
      };
      turn();
      const cold = await prepareMockSpec({ cacheDir }).finally(() => {
        building = false;
      });
      expect(cold.cache).toBe("miss");
      expect(turns).toBeGreaterThan(10);
      expect((await readdir(cacheDir)).filter((f) => f.startsWith("mock-"))).toHaveLength(1);

      const warm = await prepareMockSpec({ cacheDir });
      expect(warm.cache).toBe("hit");
      expect(warm.operations).toEqual(cold.operations);
      expect(warm.publicOperations).toEqual(cold.publicOperations);
      expect(warm.operations.length).toBeGreaterThan(400);
      // By default it serves @dataloop-ts/spec: the pinned bytes the client's types come from.
      expect(warm.upstream.sha256).toBe(readManifest().sha256);
    },
    BUILD_BUDGET_MS,
  );

  it(
    "a cache folder that cannot be written costs a cold start, not a failure",
    async () => {
      const file = join(await tempDir(), "not-a-folder");
      await writeFile(file, "");
      const spec = await prepareMockSpec({ cacheDir: join(file, "cache") });
      expect(spec.cache).toBe("off");
      expect(spec.cacheError).toMatch(/not-a-folder\/cache\/mock-[0-9a-f]+\.json: (ENOTDIR|EEXIST)/);
      expect(spec.operations.length).toBeGreaterThan(400);
    },
    BUILD_BUDGET_MS,
  );

  it(
    "serves another document when asked (a newer pin, a draft), repaired with the shipped overlay",
    async () => {
      const cacheDir = await tempDir();
      const spec = await prepareMockSpec({ spec: OLD_SPEC, cacheDir });
      expect(spec.upstream.sha256).toBe(sha(readFileSync(OLD_SPEC)));
      expect(spec.upstream.sha256).not.toBe(readManifest().sha256);
      // 2026-03-29 lacks routes the pinned document has (POST /orgs/{orgId}/bots came later).
      expect(spec.document.paths["/orgs/{orgId}/bots"]?.post).toBeUndefined();
      expect(spec.document.paths["/projects/{projectId}"]?.get?.operationId).toBe("getProject");
      expect((await prepareMockSpec({ spec: OLD_SPEC, cacheDir })).cache).toBe("hit");
    },
    BUILD_BUDGET_MS,
  );
});
