import { listOperations, type OpenApiDocument } from "@dataloop-ts/codegen";
import { readRepairedSpec } from "@dataloop-ts/spec";
import { beforeAll, describe, expect, it } from "vitest";
import { mockableDocument } from "../src/spec.js";
import { createSpecValidator } from "../src/validate.js";

let built: ReturnType<typeof mockableDocument>;
beforeAll(() => {
  built = mockableDocument(readRepairedSpec() as unknown as OpenApiDocument);
});
const exampleOf = (path: string, method = "get", status = "200") => {
  const response = built.document.paths[path]?.[method as "get"]?.responses?.[status] as
    | { content?: Record<string, { example?: Record<string, unknown> }> }
    | undefined;
  return (response?.content?.["application/json"]?.example ?? {}) as Record<string, unknown>;
};

describe("the examples the mock serves", () => {
  it("every GET's JSON success response gets an example that validates against its schema", () => {
    const { document, examples } = built;
    const validator = createSpecValidator(document);
    let checked = 0;
    for (const { method, path, operation } of listOperations(document)) {
      if (method !== "get") continue;
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const media = (
          response as {
            content?: Record<
              string,
              { schema?: unknown; example?: unknown; examples?: Record<string, { value: unknown }> }
            >;
          }
        ).content?.["application/json"];
        if (!/^2/.test(status) || !media?.schema) continue;
        const values =
          media.example !== undefined
            ? [media.example]
            : Object.values(media.examples ?? {}).map((e) => e.value);
        expect(values.length, `${path} has no example`).toBeGreaterThan(0);
        for (const v of values)
          expect(validator.response(method, path, status, v), `${method} ${path}`).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(140);
    expect(examples.invalid.filter((x) => x.startsWith("GET"))).toEqual([]);
  });

  it("look like the gateway's data: ObjectIds, e-mails, ISO dates, names, not placeholders", () => {
    const project = exampleOf("/projects/{projectId}");
    expect(project.id).toMatch(/^[0-9a-f]{24}$/);
    expect(project.name).toMatch(/^[a-z]+(-[a-z]+)+$/);
    expect(project.creator).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
    const me = exampleOf("/users/me");
    expect(me.email).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
    expect(me.firstName).not.toBe("string");
    expect(me.createdAt).toEqual(expect.any(Number));
    expect(new Date(me.createdAt as number).getUTCFullYear()).toBeGreaterThan(2024);
    // Across the whole document, placeholders are the exception.
    const strings: string[] = [];
    const collect = (v: unknown): void => {
      if (typeof v === "string") strings.push(v);
      else if (v && typeof v === "object") Object.values(v).forEach(collect);
    };
    for (const { operation } of listOperations(built.document))
      for (const r of Object.values(operation.responses ?? {}))
        collect(
          (r as { content?: Record<string, { example?: unknown }> }).content?.["application/json"]?.example,
        );
    const placeholders = strings.filter((s) => s === "string").length;
    expect(strings.length).toBeGreaterThan(1000);
    expect(placeholders / strings.length).toBeLessThan(0.25);
  });

  it("are deterministic: the same document gets the same examples", () => {
    const again = mockableDocument(readRepairedSpec() as unknown as OpenApiDocument);
    expect(JSON.stringify(again.document)).toBe(JSON.stringify(built.document));
  });
});

describe("the spec validator", () => {
  const doc = {
    openapi: "3.0.3",
    info: { title: "t", version: "1" },
    paths: {
      "/x": {
        get: {
          responses: {
            200: { content: { "application/json": { schema: { $ref: "#/components/schemas/X" } } } },
          },
        },
      },
    },
    components: {
      schemas: {
        X: {
          type: "object",
          required: ["id"],
          properties: { id: { type: "string" }, parent: { $ref: "#/components/schemas/X", nullable: true } },
        },
      },
    },
  };

  it("rejects a missing required property and accepts OpenAPI 3.0 nullable", () => {
    const v = createSpecValidator(doc);
    expect(v.response("get", "/x", 200, {})).toEqual(["(root) must have required property 'id'"]);
    expect(v.response("get", "/x", 200, { id: "a", parent: null })).toEqual([]);
    expect(v.response("get", "/x", 404, {})).toEqual(["GET /x does not document status 404"]);
  });

  it("reports a schema it cannot compile instead of passing the value", () => {
    const broken = structuredClone(doc);
    (broken.components.schemas.X as Record<string, unknown>).properties = {
      id: { $ref: "#/components/schemas/Gone" },
    };
    const errors = createSpecValidator(broken).response("get", "/x", 200, { id: "a" });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/does not compile/);
  });
});
