import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "@dataloop-ts/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/cli.js");
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mock-twin-cli-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Starts `dataloop-mock ARGS`, waits for its banner, hands it over, then stops it. */
async function withMock<T>(args: string[], fn: (banner: string) => Promise<T>): Promise<T> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  try {
    const banner = await new Promise<string>((done, fail) => {
      let out = "";
      child.stdout.on("data", (c: Buffer) => {
        out += c;
        if (out.includes("Ctrl-C stops it.")) done(out);
      });
      child.on("exit", (code) => fail(new Error(`dataloop-mock exited ${code} before it was ready: ${out}`)));
    });
    return await fn(banner);
  } finally {
    child.kill("SIGTERM");
  }
}

describe("dataloop-mock --seed and --fixtures", () => {
  it("serves the fixtures' project and says what it holds", async () => {
    const fixtures = join(dir, "fixtures.json");
    await writeFile(
      fixtures,
      JSON.stringify({ projects: [{ id: "65f1c0ffee0123456789aaaa", name: "from-file" }] }),
    );
    await withMock(["--seed", "5", "--fixtures", fixtures], async (banner) => {
      expect(banner).toMatch(/held data: {5}seed 5 \+ .*fixtures\.json: 2 projects, 1 datasets, 5 items/);
      const gate = /gate URL: +(\S+)/.exec(banner)?.[1] as string;
      const grant = await fetch(`${gate}/token?default`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "bot@example.com", password: "password", type: "user_credentials" }),
      });
      const { id_token } = (await grant.json()) as { id_token: string };
      const project = await fetch(`${gate}/api/v1/projects/65f1c0ffee0123456789aaaa`, {
        headers: { authorization: `Bearer ${id_token}` },
      });
      expect(await project.json()).toMatchObject({ name: "from-file" });
    });
  });

  it("a fixtures file that cannot be read is one paragraph with a hint, exit 1", async () => {
    const r = await runCli(CLI, ["--fixtures", "missing.json"], { cwd: dir, env: { DEBUG: "" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^dataloop-mock: Cannot load fixtures from missing\.json: ENOENT.*\n {2}→ Fixtures are JSON/,
    );
  });

  it("a seed that is not a whole number is a usage error, exit 2", async () => {
    const r = await runCli(CLI, ["--seed", "abc"], { cwd: dir, env: { DEBUG: "" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--seed takes a whole number ≥ 0, got "abc"');
  });
});
