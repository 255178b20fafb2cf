import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { changesetFor } from "../src/changeset.js";
import { diffSpecs } from "../src/diff.js";
import type { OpenApiDocument } from "../src/openapi.js";
import { projectAt, readOverlay } from "../src/project.js";
import { repairSpec } from "../src/repair.js";
import { NEW_SPEC, OLD_SPEC, REPO_ROOT, runCli, tempProject } from "./helpers.js";

const load = async (path: string) => JSON.parse(await readFile(path, "utf8")) as OpenApiDocument;

async function realDiff() {
  const overlay = await readOverlay(projectAt(REPO_ROOT));
  const [a, b] = [await load(OLD_SPEC), await load(NEW_SPEC)];
  return diffSpecs(repairSpec(a, overlay).document, repairSpec(b, overlay).document, {
    upstream: { from: a, to: b },
  });
}

describe("diff 2026-03-29 → 2026-06-19 (a real spec change)", () => {
  it("reports the 11 added operations and the 2 removed schemas, removals breaking, bump major", async () => {
    const diff = await realDiff();
    const added = diff.changes
      .filter((c) => c.kind === "operation" && c.change === "added")
      .map((c) => c.name);
    expect(added).toHaveLength(11);
    expect(added).toEqual(
      expect.arrayContaining([
        "POST /orgs/{orgId}/bots",
        "GET /pipelines/{pipelineId}/versions",
        "POST /datasets/{id}/items/bulk-update-metadata",
      ]),
    );
    const removed = diff.changes.filter((c) => c.change === "removed");
    expect(removed.map((c) => c.name).sort()).toEqual(["APIMetric", "MetricDataTypes"]);
    expect(removed.every((c) => c.kind === "schema" && c.breaking)).toBe(true);
    expect(diff.summary.schemas).toMatchObject({ added: 11, removed: 2 });
    expect(diff.bump).toBe("major");
  });

  it("says nothing changed between a spec and itself", async () => {
    const overlay = await readOverlay(projectAt(REPO_ROOT));
    const a = repairSpec(await load(NEW_SPEC), overlay).document;
    const diff = diffSpecs(a, structuredClone(a));
    expect(diff.changes).toEqual([]);
    expect(diff.bump).toBe("none");
    expect(changesetFor(diff)).toBeUndefined();
  });
});

const doc = (schemas: Record<string, unknown>, paths: OpenApiDocument["paths"] = {}): OpenApiDocument => ({
  openapi: "3.0.3",
  info: { title: "t", version: "1" },
  paths,
  components: { schemas },
});

describe("classing changes", () => {
  it("an added optional property is minor; a removed or newly required one is breaking", () => {
    const base = { type: "object", properties: { a: { type: "string" } } };
    const optional = diffSpecs(
      doc({ S: base }),
      doc({ S: { ...base, properties: { ...base.properties, b: { type: "string" } } } }),
    );
    expect(optional.bump).toBe("minor");
    expect(optional.changes[0]).toMatchObject({
      name: "S",
      breaking: false,
      details: ["S.b: optional property added"],
    });
    const removed = diffSpecs(doc({ S: base }), doc({ S: { type: "object", properties: {} } }));
    expect(removed.changes[0]).toMatchObject({ breaking: true, details: ["S.a: property removed"] });
    const required = diffSpecs(doc({ S: base }), doc({ S: { ...base, required: ["a"] } }));
    expect(required.bump).toBe("major");
  });

  it("a description-only change is a patch", () => {
    const diff = diffSpecs(
      doc({ S: { type: "string" } }),
      doc({ S: { type: "string", description: "now documented" } }),
    );
    expect(diff.bump).toBe("patch");
  });

  it("a new required query parameter breaks callers; a new optional one does not", () => {
    const op = (parameters: unknown[]) => ({
      "/x": { get: { operationId: "getX", parameters, responses: {} } },
    });
    const q = (required: boolean) => ({ name: "q", in: "query", required, schema: { type: "string" } });
    expect(diffSpecs(doc({}, op([]) as never), doc({}, op([q(false)]) as never)).bump).toBe("minor");
    expect(diffSpecs(doc({}, op([]) as never), doc({}, op([q(true)]) as never)).bump).toBe("major");
  });
});

describe("dataloop-codegen diff --changeset", () => {
  it("writes a changeset that names the added operations and removed schemas and asks for the computed bump", async () => {
    const { root, cleanup } = await tempProject();
    try {
      const result = await runCli(["diff", OLD_SPEC, NEW_SPEC, "--changeset", "--root", root], root);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Operations: \+11 -0 .* bump: major/);
      const written = /Wrote (.+\.md)/.exec(result.stdout)?.[1];
      expect(written?.startsWith(join(root, ".changeset"))).toBe(true);
      const body = await readFile(written ?? "", "utf8");
      expect(body).toMatch(/^---\n"@dataloop-ts\/spec": major\n"@dataloop-ts\/client": major\n---\n/);
      expect(body).toContain("`POST /orgs/{orgId}/bots` added");
      expect(body).toContain("schema `APIMetric` removed");
      expect(body).toContain("schema `MetricDataTypes` removed");
    } finally {
      await cleanup();
    }
  });
});
