import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "@dataloop-ts/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/cli.js");
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mock-cli-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const mock = (args: string[], env: Record<string, string> = {}) =>
  runCli(CLI, args, { cwd: dir, env: { DEBUG: "", ...env } });

describe("dataloop-mock on bad input: one paragraph saying what to do, no stack trace", () => {
  it("a --spec file that does not exist", async () => {
    const r = await mock(["--spec", "nope.json", "--no-cache"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^dataloop-mock: Cannot read the spec file nope\.json: ENOENT\n {2}→ \S/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a --spec file that is not OpenAPI", async () => {
    await writeFile(join(dir, "package.json"), '{"name":"x"}');
    const r = await mock(["--spec", "package.json", "--no-cache"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not an OpenAPI document \(no "openapi" version field\)\.\n {2}→ /);
  });

  it("with DEBUG set, the stack is there for a bug report", async () => {
    const r = await mock(["--spec", "nope.json", "--no-cache"], { DEBUG: "1" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it("a usage error exits 2", async () => {
    const r = await mock(["--port", "eighty"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port takes a whole number ≥ 0, got "eighty"');
    const unknown = await mock(["--frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Run dataloop-mock --help for usage.");
  });
});
