import { operationKey } from "@dataloop-ts/core";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const SPEC_ID = "https://dataloop-ts.invalid/spec.json";
const escapePointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * What `createSpecValidator` returns: each check gives the errors of a value against the spec's schema (`[]` when valid, or when the response is undocumented).
 * @example
 * ```ts
 * import { createSpecValidator, prepareMockSpec, type SpecValidator } from "@dataloop-ts/mock";
 *
 * const validator: SpecValidator = createSpecValidator((await prepareMockSpec()).document);
 * const errors = validator.atPointer("#/components/schemas/Dataset", { name: "photos" });
 * console.log(errors);
 * ```
 */
export interface SpecValidator {
  /** Errors of `body` against the JSON schema of `method path` → `status`; [] when valid or undocumented. */
  response(method: string, path: string, status: number | string, body: unknown): string[];
  /** Errors of `value` against the schema at a JSON pointer of the document. */
  atPointer(pointer: string, value: unknown): string[];
}

/** OpenAPI 3.0's `nullable` in JSON Schema terms, on a copy: `type: [t, "null"]`, or anyOf with null. */
function withNullableAsJsonSchema(document: object): object {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!node || typeof node !== "object") return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = visit(v);
    if (!("nullable" in out)) return out;
    const nullable = out.nullable === true;
    delete out.nullable;
    if (!nullable) return out;
    if (typeof out.type === "string") {
      out.type = [out.type, "null"];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      return out;
    }
    return { anyOf: [out, { type: "null" }] };
  };
  return visit(document) as object;
}

/**
 * Validates values against the spec's own schemas with Ajv (OpenAPI 3.0 `nullable` included).
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { createSpecValidator, prepareMockSpec, startMockGateway } from "@dataloop-ts/mock";
 *
 * const gateway = await startMockGateway();
 * const dl = createDataloopClient({ gateUrl: gateway.gateUrl, auth: { email: "bot@example.com", password: "password" } });
 * const { data } = await dl.GET("/users/me");
 * const validator = createSpecValidator((await prepareMockSpec()).document);
 * console.log(validator.response("GET", "/users/me", 200, data)); // [] when it matches the spec
 * await gateway.stop();
 * ```
 */
export function createSpecValidator(document: object): SpecValidator {
  const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false, discriminator: false });
  addFormats(ajv);
  // OpenAPI formats that are not JSON Schema ones: accept anything.
  for (const format of ["int32", "int64", "float", "double", "byte", "binary", "password"])
    ajv.addFormat(format, true);
  ajv.addSchema({ ...withNullableAsJsonSchema(document), $id: SPEC_ID });
  const compiled = new Map<string, ValidateFunction | string>();
  const compile = (pointer: string) => {
    if (!compiled.has(pointer)) {
      try {
        compiled.set(pointer, ajv.compile({ $ref: `${SPEC_ID}#${pointer}` }));
      } catch (error) {
        // A schema we cannot compile is reported, never taken as "valid".
        compiled.set(pointer, `schema at ${pointer} does not compile: ${(error as Error).message}`);
      }
    }
    return compiled.get(pointer) as ValidateFunction | string;
  };
  const check = (pointer: string, value: unknown) => {
    const validate = compile(pointer);
    if (typeof validate === "string") return [validate];
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e: ErrorObject) => `${e.instancePath || "(root)"} ${e.message ?? e.keyword}`,
    );
  };
  const docPaths = (
    document as { paths?: Record<string, Record<string, { responses?: Record<string, unknown> }>> }
  ).paths;
  return {
    atPointer: check,
    response(method, path, status, body) {
      const responses = docPaths?.[path]?.[method.toLowerCase()]?.responses ?? {};
      const code =
        String(status) in responses ? String(status) : "default" in responses ? "default" : undefined;
      if (!code) return [`${operationKey(method, path)} does not document status ${status}`];
      const media = (responses[code] as { content?: Record<string, { schema?: unknown }> })?.content?.[
        "application/json"
      ];
      if (!media?.schema) return [];
      return check(
        `/paths/${escapePointer(path)}/${method.toLowerCase()}/responses/${code}/content/application~1json/schema`,
        body,
      );
    },
  };
}
