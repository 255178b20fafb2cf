import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { findProject } from "@dataloop-ts/codegen";
import { afterAll, describe, expect, it } from "vitest";
import { prepareMockSpec } from "../src/index.js";

describe("preparing the spec the mock serves", () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it("builds cold off the caller's thread, caches the result, and a second start reads the cache", async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), "mock-spec-cache-"));
    dirs.push(cacheDir);
    const project = { ...findProject(), cacheDir };

    const stall = monitorEventLoopDelay({ resolution: 10 });
    stall.enable();
    const started = performance.now();
    const cold = await prepareMockSpec(project);
    const coldMs = performance.now() - started;
    stall.disable();
    expect(cold.fromCache).toBe(false);
    // On the caller's thread the build stalls the event loop for most of its length (measured: ~6 s
    // of ~7 s); in the worker the caller only waits. Relative, so a slow machine does not matter.
    expect(stall.max / 1e6).toBeLessThan(coldMs / 2);
    expect((await readdir(cacheDir)).filter((f) => f.startsWith("mock-"))).toHaveLength(1);

    const warm = await prepareMockSpec(project);
    expect(warm.fromCache).toBe(true);
    expect(warm.operations).toEqual(cold.operations);
    expect(warm.publicOperations).toEqual(cold.publicOperations);
    expect(warm.operations.length).toBeGreaterThan(400);
  });
});
