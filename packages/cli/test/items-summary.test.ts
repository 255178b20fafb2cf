// What `dataloop items upload` says when files cannot go: each listed with its local path, in the
// human summary and in --json, and links in folders only followed with --follow-symlinks.
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type MockGateway, startMockGateway } from "@dataloop-ts/mock";
import { runCli } from "@dataloop-ts/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/main.js");
const PASSWORD = "summ4ry-pass";
let gateway: MockGateway;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  gateway = await startMockGateway({
    strict: false,
    users: [{ username: "bot@example.com", password: PASSWORD }],
  });
  dir = await mkdtemp(join(tmpdir(), "dataloop-summary-"));
  env = { DATALOOP_TS_HOME: join(dir, "home"), DATALOOP_GATE: gateway.gateUrl, BROWSER: "none" };
  const login = await runCli(CLI, ["login", "--email", "bot@example.com", "--password-stdin"], {
    env,
    stdin: PASSWORD,
    timeoutMs: 30_000,
  });
  expect(login.code, login.stderr).toBe(0);
});
afterAll(async () => {
  await gateway?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("items upload summaries", () => {
  it("two folders holding a.txt: both refused, each listed with its local path (human and --json), exit 1", async () => {
    const a = join(dir, "dirA");
    const b = join(dir, "dirB");
    await mkdir(a);
    await mkdir(b);
    await writeFile(join(a, "a.txt"), "from A");
    await writeFile(join(b, "a.txt"), "from B");
    await writeFile(join(b, "b.txt"), "only B");
    const dataset = "65f1c0ffee0123456789e001";
    const args = ["items", "upload", a, b, "--dataset", dataset, "--concurrency", "1"];
    const human = await runCli(CLI, args, { env, timeoutMs: 30_000 });
    expect(human.code).toBe(1);
    // One cause for both, each named by its remote path and its local file.
    expect(human.stderr).toContain(`/a.txt (${join(a, "a.txt")})`);
    expect(human.stderr).toContain(`/a.txt (${join(b, "a.txt")})`);
    const json = await runCli(CLI, [...args, "--json"], { env, timeoutMs: 30_000 });
    const summary = JSON.parse(json.stdout) as {
      done: number;
      failed: number;
      results: Array<{ key: string; localPath?: string; ok: boolean; error?: { code: string } }>;
    };
    expect(summary).toMatchObject({ done: 1, failed: 2 });
    expect(
      summary.results
        .filter((r) => !r.ok)
        .map((r) => [r.localPath, r.error?.code])
        .sort(),
    ).toEqual([
      [join(a, "a.txt"), "DUPLICATE_REMOTE_PATH"],
      [join(b, "a.txt"), "DUPLICATE_REMOTE_PATH"],
    ]);
  });

  it("a link inside a folder: listed as not followed; with --follow-symlinks, uploaded", async () => {
    const root = join(dir, "links");
    await mkdir(root);
    await writeFile(join(root, "real.txt"), "real");
    await symlink(join(root, "real.txt"), join(root, "alias.txt"));
    const dataset = "65f1c0ffee0123456789e002";
    const plain = await runCli(CLI, ["items", "upload", root, "--dataset", dataset, "--json"], {
      env,
      timeoutMs: 30_000,
    });
    expect(plain.code).toBe(1);
    expect(JSON.parse(plain.stdout).results).toContainEqual(
      expect.objectContaining({
        key: "/alias.txt",
        ok: false,
        error: expect.objectContaining({ code: "SYMLINK_NOT_FOLLOWED" }),
      }),
    );
    const followed = await runCli(
      CLI,
      ["items", "upload", root, "--dataset", dataset, "--follow-symlinks", "--json"],
      { env, timeoutMs: 30_000 },
    );
    expect(followed.code, followed.stderr).toBe(0);
    expect(JSON.parse(followed.stdout)).toMatchObject({ done: 2, failed: 0 });
  });
});
