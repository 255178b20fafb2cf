// The whole loop of following the gateway, as the scheduled workflow runs it (scripts/spec-update.mjs),
// against a temporary git clone of this repository and a local "upstream" serving, in turn: the pinned
// document, the same reordered and re-indented, a real change (2026-03-29 → 2026-06-19), and the first
// document again (a flap).
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type LoopbackServer, listenLoopback } from "@dataloop-ts/core/node";
import { reorderKeys } from "@dataloop-ts/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../../..");
const OLD = join(repo, "tests/fixtures/specs/dataloop-2026-03-29.json");
const NEW = join(repo, "specs/dataloop.openapi.json");
const CODEGEN = join(repo, "packages/codegen/dist/cli.js");
const TSC = join(repo, "node_modules/typescript/bin/tsc");

let clone: string;
let upstream: LoopbackServer;
let serving: Buffer;
const git = (...args: string[]) => execFileSync("git", ["-C", clone, ...args], { encoding: "utf8" }).trim();

/** Runs the workflow's script in the clone against the upstream; its stdout, and the PR body when one was written. */
async function specUpdate(): Promise<{ code: number; stdout: string; body?: string; outputs: string }> {
  const body = join(clone, "..", "pr-body.md");
  const outputs = join(clone, "..", "github-output");
  await writeFile(outputs, "");
  await rm(body, { force: true });
  const child = spawn(
    process.execPath,
    [
      join(repo, "scripts/spec-update.mjs"),
      "--root",
      clone,
      "--from",
      `${upstream.url}/api/v1/swagger-file`,
      "--pr-body",
      body,
    ],
    { env: { ...process.env, GITHUB_OUTPUT: outputs } },
  );
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d));
  child.stderr.on("data", (d: Buffer) => (stdout += d));
  const code = await new Promise<number>((done) => child.on("close", (c) => done(c ?? 1)));
  const text = await readFile(body, "utf8").catch(() => undefined);
  return { code, stdout, ...(text ? { body: text } : {}), outputs: await readFile(outputs, "utf8") };
}

/** tsc over the clone's generated client and a consumer that uses the schema the change removes. */
function typecheck(files: string[]): { ok: boolean; output: string } {
  try {
    execFileSync(
      process.execPath,
      [
        TSC,
        "--noEmit",
        "--strict",
        "--module",
        "esnext",
        "--moduleResolution",
        "bundler",
        "--target",
        "es2022",
        ...files,
      ],
      {
        cwd: clone,
        encoding: "utf8",
      },
    );
    return { ok: true, output: "" };
  } catch (error) {
    return { ok: false, output: String((error as { stdout?: string }).stdout) };
  }
}

beforeAll(async () => {
  clone = join(await mkdtemp(join(tmpdir(), "dataloop-spec-follow-")), "repo");
  execFileSync("git", ["clone", "--quiet", "--no-hardlinks", repo, clone]);
  // A repository first pinned to 2026-03-29: pin it, and forget the history this repository had.
  execFileSync(process.execPath, [CODEGEN, "pull", "--from", OLD, "--root", clone]);
  const lock = JSON.parse(await readFile(join(clone, "specs/dataloop.lock.json"), "utf8"));
  delete lock.history;
  await writeFile(join(clone, "specs/dataloop.lock.json"), `${JSON.stringify(lock, null, 2)}\n`);
  execFileSync(process.execPath, [
    CODEGEN,
    "generate",
    "--root",
    clone,
    "--out",
    join(clone, "packages/client/src/generated"),
  ]);
  await writeFile(
    join(clone, "consumer.ts"),
    'import type { components } from "./packages/client/src/generated/schema";\nexport type Metric = components["schemas"]["APIMetric"];\n',
  );
  git("add", "-A", "specs", "consumer.ts");
  git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "pin 2026-03-29");
  upstream = await listenLoopback((_req, res) =>
    res.writeHead(200, { "content-type": "application/json" }).end(serving),
  );
}, 120_000);
afterAll(async () => {
  await upstream?.stop();
  if (clone) await rm(dirname(clone), { recursive: true, force: true });
});

describe("following the gateway's spec, end to end", () => {
  it("the pinned document: no change", async () => {
    serving = await readFile(OLD);
    const head = git("rev-parse", "HEAD");
    const r = await specUpdate();
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/unchanged — the pinned document, byte for byte/);
    expect(r.outputs).toContain("status=unchanged");
    expect(git("rev-parse", "HEAD")).toBe(head);
    expect(git("status", "--porcelain")).toBe("");
  });

  it("the same document, reordered and re-indented: no change", async () => {
    serving = Buffer.from(JSON.stringify(reorderKeys(JSON.parse(await readFile(OLD, "utf8"))), null, 4));
    expect(createHash("sha256").update(serving).digest("hex")).not.toBe(
      createHash("sha256")
        .update(await readFile(OLD))
        .digest("hex"),
    );
    const head = git("rev-parse", "HEAD");
    const r = await specUpdate();
    expect(r.stdout).toMatch(/unchanged — the pinned document, serialised differently/);
    expect(git("rev-parse", "HEAD")).toBe(head);
    expect(git("status", "--porcelain")).toBe("");
  });

  it("a real change: one commit with the pin and the changeset, a PR body with every reason, types that still check and a consumer of a removed schema that no longer does", async () => {
    expect(typecheck(["consumer.ts"]).ok).toBe(true); // before: APIMetric exists
    serving = await readFile(NEW);
    const head = git("rev-parse", "HEAD");
    const r = await specUpdate();
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs).toContain("status=changed");
    expect(git("rev-list", "--count", `${head}..HEAD`)).toBe("1");
    const files = git("show", "--name-only", "--format=", "HEAD").split("\n").sort();
    expect(files).toEqual([
      expect.stringMatching(/^\.changeset\/dataloop-api-[0-9a-f]{12}\.md$/),
      "specs/dataloop.lock.json",
      "specs/dataloop.openapi.json",
    ]);
    expect(await readFile(join(clone, "specs/dataloop.openapi.json"))).toEqual(serving);
    const body = r.body ?? "";
    expect(body).toMatch(/^## Dataloop API spec update: 1\.11\.2 → 1\.11\.2 \(major\)/);
    expect(body).toContain("- schema `APIMetric` removed");
    expect(body).toContain(
      "DBPaymentDriverConfiguration.type: type changed from PaymentDriverType to string",
    );
    expect(body).toContain("CursorPageAPISetting.items[]: allOf member APIMetric removed");
    expect(body).toContain("`POST /orgs/{orgId}/bots` added");
    const changeset = await readFile(join(clone, files[0] ?? ""), "utf8");
    expect(changeset).toMatch(/^---\n"@dataloop-ts\/spec": major\n"@dataloop-ts\/client": major\n---/);
    expect(changeset).toContain("type changed from PaymentDriverType to string"); // reasons in the CHANGELOG too
    const generated = [
      "packages/client/src/generated/schema.ts",
      "packages/client/src/generated/operations.ts",
    ];
    expect(typecheck(generated)).toEqual({ ok: true, output: "" });
    const consumer = typecheck(["consumer.ts"]);
    expect(consumer.ok).toBe(false);
    expect(consumer.output).toMatch(/consumer\.ts.*Property 'APIMetric' does not exist/);
  });

  it("the first document again: reported as a flap, nothing written", async () => {
    serving = await readFile(OLD);
    const head = git("rev-parse", "HEAD");
    const changesets = await readdir(join(clone, ".changeset"));
    const r = await specUpdate();
    expect(r.code).toBe(0);
    expect(r.outputs).toContain("status=flap");
    expect(r.stdout).toMatch(/flap — a document pinned before .*the gateway is alternating between builds/);
    expect(git("rev-parse", "HEAD")).toBe(head);
    expect(git("status", "--porcelain")).toBe("");
    expect(await readdir(join(clone, ".changeset"))).toEqual(changesets);
  });
});
