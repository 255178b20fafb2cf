import { findProject, listOperations, repairPinned } from "@dataloop-ts/codegen";
import { describe, expect, it } from "vitest";
import { createSpecValidator, mockableDocument } from "../src/index.js";

describe("the examples the mock serves", () => {
  it("every GET's JSON success response gets an example that validates against its schema", async () => {
    const { repaired } = await repairPinned(findProject());
    const { document, examples } = mockableDocument(repaired);
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
