import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { NORMALISATIONS } from "../src/normalize.js";
import { listOperations, type OpenApiDocument, publicOperations } from "../src/openapi.js";
import { applyOverlay, parseOverlay } from "../src/overlay.js";
import { projectAt, readOverlay } from "../src/project.js";
import { formatRepairReport, repairSpec } from "../src/repair.js";
import { NEW_SPEC, OLD_SPEC, REPO_ROOT } from "./helpers.js";

const load = async (path: string) => JSON.parse(await readFile(path, "utf8")) as OpenApiDocument;
const overlay = () => readOverlay(projectAt(REPO_ROOT));

describe.each([
  ["2026-06-19", NEW_SPEC],
  ["2026-03-29", OLD_SPEC],
])("repairing the real %s spec", (_name, path) => {
  it("leaves `security: []` only on the operations the overlay lists as public", async () => {
    const raw = await load(path);
    expect(publicOperations(raw).length).toBeGreaterThan(400);
    const { document, report } = repairSpec(raw, await overlay());
    expect(publicOperations(document)).toEqual(["GET /ui-status"]);
    expect(report.publicOperations).toEqual(["GET /ui-status"]);
    expect(document.security).toEqual([{ bearerAuth: [] }]);
  });

  it("gives every operation a unique camelCase operationId and keeps the upstream one", async () => {
    const raw = await load(path);
    const { document } = repairSpec(raw, await overlay());
    const ids = listOperations(document).map((o) => o.operation.operationId);
    expect(ids.every((id) => typeof id === "string" && /^[a-z][A-Za-z0-9]*$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const pipeline = document.paths["/pipelines/{pipelineId}"]?.get;
    expect(pipeline?.["x-upstream-operation-id"]).toBe("_get");
    expect(pipeline?.operationId).toBe("getPipelinesByPipelineId");
    expect(document.paths["/projects/{projectId}"]?.get?.operationId).toBe("getProject");
  });

  it("does not change the upstream document it was given", async () => {
    const raw = await load(path);
    const before = JSON.stringify(raw);
    repairSpec(raw, await overlay());
    expect(JSON.stringify(raw)).toBe(before);
  });
});

describe("the repair report", () => {
  it("lists every overlay action and generic repair with its count", async () => {
    const { report } = repairSpec(await load(NEW_SPEC), await overlay());
    const counts = Object.fromEntries(report.normalisations.map((n) => [n.name, n.count]));
    expect(counts).toMatchObject({
      "schema-names": 2,
      "required-duplicates": 14,
      "enum-duplicates": 21,
      "wrong-typed-defaults": 13,
      "empty-alternatives": 7,
    });
    expect(report.overlay[0]).toMatchObject({ kind: "remove", matched: 451 });
    const text = formatRepairReport(report);
    expect(text).toContain("451 × remove");
    expect(text).toContain("2 × schemas renamed");
    expect(text).toContain("public operations (security: []): GET /ui-status");
  });
});

const tiny = (extra: Partial<OpenApiDocument> = {}): OpenApiDocument => ({
  openapi: "3.0.3",
  info: { title: "t", version: "1" },
  paths: {},
  components: { schemas: {} },
  ...extra,
});
const run = (name: string, doc: OpenApiDocument) => {
  const n = NORMALISATIONS.find((x) => x.name === name);
  if (!n) throw new Error(`no normalisation ${name}`);
  return n.apply(doc);
};

describe("generic normalisations", () => {
  it("renames a percent-encoded schema and every ref to it, whichever way the ref spells it", () => {
    const doc = tiny({
      components: { schemas: { "A%3Ab": { type: "string" }, B: { $ref: "#/components/schemas/A%3Ab" } } },
      paths: {
        "/x": {
          get: {
            responses: {
              200: { content: { "application/json": { schema: { $ref: "#/components/schemas/A:b" } } } },
            },
          },
        },
      },
    });
    expect(run("schema-names", doc)).toBe(1);
    expect(Object.keys(doc.components?.schemas ?? {})).toEqual(["A_b", "B"]);
    expect(JSON.stringify(doc)).not.toContain("%3A");
    expect(JSON.stringify(doc).match(/#\/components\/schemas\/A_b/g)).toHaveLength(2);
  });

  it("names shared and missing operationIds after their routes", () => {
    const doc = tiny({
      paths: {
        "/apps/{id}": { get: { operationId: "_get", responses: {} } },
        "/pipelines/{pipelineId}": { get: { operationId: "_get", responses: {} } },
        "/orgs": { get: { operationId: "Get my orgs", responses: {} }, post: { responses: {} } },
      },
    });
    run("operation-ids", doc);
    expect(listOperations(doc).map((o) => o.operation.operationId)).toEqual([
      "getAppsById",
      "getPipelinesByPipelineId",
      "getMyOrgs",
      "postOrgs",
    ]);
  });

  it("coerces readable defaults and drops the rest", () => {
    const doc = tiny({
      components: {
        schemas: {
          S: {
            type: "object",
            properties: {
              a: { type: "boolean", default: "false" },
              b: { type: "number", default: "1 hour from now" },
              c: { type: "integer", default: "3" },
              d: { type: "string", default: "keep" },
            },
          },
        },
      },
    });
    expect(run("wrong-typed-defaults", doc)).toBe(3);
    const schema = doc.components?.schemas?.S as { properties: Record<string, { default?: unknown }> };
    const props = schema.properties;
    expect(props.a?.default).toBe(false);
    expect("default" in (props.b ?? {})).toBe(false);
    expect(props.c?.default).toBe(3);
    expect(props.d?.default).toBe("keep");
  });

  it("wraps a $ref with type-changing siblings in allOf and leaves description-only ones", () => {
    const doc = tiny({
      components: {
        schemas: {
          A: { type: "string" },
          B: { $ref: "#/components/schemas/A", nullable: true },
          C: { $ref: "#/components/schemas/A", description: "doc" },
        },
      },
    });
    expect(run("ref-siblings", doc)).toBe(1);
    expect(doc.components?.schemas?.B).toEqual({
      nullable: true,
      allOf: [{ $ref: "#/components/schemas/A" }],
    });
    expect(doc.components?.schemas?.C).toEqual({ $ref: "#/components/schemas/A", description: "doc" });
  });

  it("dedupes required and enum lists, drops {} from anyOf, declares missing path parameters", () => {
    const doc = tiny({
      components: {
        schemas: {
          S: { type: "object", required: ["a", "a", "b"], properties: { e: { enum: ["x", "x", "y"] } } },
          U: { anyOf: [{ type: "string" }, {}] },
        },
      },
      paths: { "/f/{id}": { patch: { responses: {} } } },
    });
    expect(run("required-duplicates", doc)).toBe(1);
    expect(run("enum-duplicates", doc)).toBe(1);
    expect(run("empty-alternatives", doc)).toBe(1);
    expect(run("path-parameters", doc)).toBe(1);
    expect(run("missing-responses", doc)).toBe(1);
    expect(doc.components?.schemas?.S).toMatchObject({
      required: ["a", "b"],
      properties: { e: { enum: ["x", "y"] } },
    });
    expect(doc.components?.schemas?.U).toEqual({ anyOf: [{ type: "string" }] });
    expect(doc.paths["/f/{id}"]?.patch?.parameters).toEqual([
      { name: "id", in: "path", required: true, schema: { type: "string" } },
    ]);
  });
});

describe("path parameters", () => {
  it("declares every undeclared path parameter of an operation, not only the last one", () => {
    const doc = tiny({
      paths: {
        "/orgs/{orgId}/projects/{projectId}": {
          get: { parameters: [{ name: "q", in: "query" }], responses: { 200: { description: "ok" } } },
        },
      },
    });
    expect(run("path-parameters", doc)).toBe(2);
    expect(doc.paths["/orgs/{orgId}/projects/{projectId}"]?.get?.parameters).toEqual([
      { name: "q", in: "query" },
      { name: "orgId", in: "path", required: true, schema: { type: "string" } },
      { name: "projectId", in: "path", required: true, schema: { type: "string" } },
    ]);
  });
});

describe("the overlay", () => {
  it("updates by merging, removes, and counts matches", () => {
    const doc = { paths: { "/a": { get: { security: [] }, post: { security: [] } }, "/b": { get: {} } } };
    const overlay = parseOverlay(
      {
        overlay: "1.0.0",
        info: { title: "t", version: "1" },
        actions: [
          { target: "$.paths.*.*.security", remove: true },
          { target: "$.paths['/b'].get", update: { security: [], summary: "s" } },
          { target: "$.paths['/nope']", remove: true },
        ],
      },
      "test",
    );
    expect(applyOverlay(doc, overlay).map((r) => r.matched)).toEqual([2, 1, 0]);
    expect(doc).toEqual({
      paths: { "/a": { get: {}, post: {} }, "/b": { get: { security: [], summary: "s" } } },
    });
  });

  it("rejects an action with neither update nor remove, naming it", () => {
    expect(() =>
      parseOverlay(
        { overlay: "1.0.0", info: { title: "t", version: "1" }, actions: [{ target: "$.x" }] },
        "o.yaml",
      ),
    ).toThrow(/action 0 \(\$\.x\) has neither update nor remove/);
  });
});
