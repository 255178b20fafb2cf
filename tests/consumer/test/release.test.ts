import { execFileSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../../..");
// Both real snapshots come from the repository: the pinned one, and the one before it (a fixture).
const OLD_SPEC = join(repo, "tests/fixtures/specs/dataloop-2026-03-29.json");
const NEW_SPEC = join(repo, "specs/dataloop.openapi.json");
let copy: string;

beforeAll(async () => {
  // The release files of the workspace, copied: `changeset version` rewrites them.
  copy = await mkdtemp(join(tmpdir(), "dataloop-release-"));
  for (const f of ["package.json", "pnpm-workspace.yaml", ".changeset", "specs/dataloop.overlay.yaml"]) {
    await cp(join(repo, f), join(copy, f), { recursive: true });
  }
  for (const p of ["core", "codegen", "spec", "auth", "client", "cli", "mock"]) {
    await mkdir(join(copy, "packages", p), { recursive: true });
    await cp(join(repo, "packages", p, "package.json"), join(copy, "packages", p, "package.json"));
  }
});
afterAll(() => rm(copy, { recursive: true, force: true }));

describe("a spec change becomes a release", () => {
  it("codegen diff --changeset, then changeset version: the client's major bump and a changelog naming the API changes", async () => {
    const diff = execFileSync(
      process.execPath,
      [join(repo, "packages/codegen/dist/cli.js"), "diff", OLD_SPEC, NEW_SPEC, "--changeset", "--root", copy],
      { encoding: "utf8" },
    );
    expect(diff).toMatch(/bump: major/);
    execFileSync(process.execPath, [join(repo, "node_modules/@changesets/cli/bin.js"), "version"], {
      cwd: copy,
      encoding: "utf8",
    });
    const client = JSON.parse(await readFile(join(copy, "packages/client/package.json"), "utf8"));
    expect(client.version).toBe("1.0.0");
    // The spec package is versioned with the client's types: the same number, always.
    const spec = JSON.parse(await readFile(join(copy, "packages/spec/package.json"), "utf8"));
    expect(spec.version).toBe(client.version);
    const changelog = await readFile(join(copy, "packages/client/CHANGELOG.md"), "utf8");
    expect(changelog).toMatch(/## 1\.0\.0\s+### Major Changes/);
    expect(changelog).toContain("`POST /orgs/{orgId}/bots` added");
    expect(changelog).toContain("schema `APIMetric` removed");
    expect(changelog).toContain("schema `MetricDataTypes` removed");
    // The packages that depend on the client follow it.
    const codegen = JSON.parse(await readFile(join(copy, "packages/codegen/package.json"), "utf8"));
    expect(codegen.version).toBe("0.2.0");
  });
});
