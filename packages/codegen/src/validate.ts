import jsonpointer from "jsonpointer";
import {
  NotOpenApiError,
  Swagger2Error,
  UnresolvedRefError,
  UnsupportedOpenApiVersionError,
} from "./errors.js";
import { type OpenApiDocument, walk } from "./openapi.js";

/**
 * Narrows a parsed document to OpenAPI 3.x or throws a CodegenError saying what it is instead.
 * @example
 * ```ts
 * import { assertOpenApi3 } from "@dataloop-ts/codegen";
 *
 * const parsed: unknown = JSON.parse('{"swagger":"2.0"}');
 * assertOpenApi3(parsed, "inline"); // throws Swagger2Error; afterwards `parsed` is an OpenApiDocument
 * ```
 */
export function assertOpenApi3(doc: unknown, source: string): asserts doc is OpenApiDocument {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new NotOpenApiError({
      message: `${source} is not an OpenAPI document: its top level is not an object.`,
      hint: "Point --from at the gateway's /api/v1/swagger-file.",
    });
  }
  const d = doc as Record<string, unknown>;
  if (typeof d.swagger === "string") {
    throw new Swagger2Error({
      message: `${source} is Swagger ${d.swagger}; the codegen reads OpenAPI 3.x only.`,
      hint: "Convert it first (e.g. `npx swagger2openapi in.json -o out.json`), then pull the converted file.",
    });
  }
  if (typeof d.openapi !== "string") {
    throw new NotOpenApiError({
      message: `${source} is JSON/YAML but not an OpenAPI document (no "openapi" version field).`,
      hint: "Point --from at the OpenAPI document itself (for Dataloop: /api/v1/swagger-file).",
    });
  }
  if (!/^3\.[01]\.\d+$/.test(d.openapi)) {
    throw new UnsupportedOpenApiVersionError({
      message: `${source} declares OpenAPI ${d.openapi}; supported: 3.0.x and 3.1.x.`,
      hint: "Use a 3.0/3.1 document.",
    });
  }
  if (d.paths === null || typeof d.paths !== "object" || Array.isArray(d.paths)) {
    throw new NotOpenApiError({
      message: `${source} has no "paths" object.`,
      hint: "Check that the document is complete.",
    });
  }
}

/** Local `$ref`s that point nowhere (and external ones, which the codegen does not follow). */
export function findUnresolvedRefs(doc: OpenApiDocument): string[] {
  const bad = new Set<string>();
  walk(doc, (node) => {
    const ref = node.$ref;
    if (typeof ref !== "string") return;
    if (!ref.startsWith("#")) {
      bad.add(ref);
      return;
    }
    let pointer: string;
    try {
      pointer = decodeURIComponent(ref.slice(1));
    } catch {
      bad.add(ref);
      return;
    }
    if (pointer !== "" && jsonpointer.get(doc, pointer) === undefined) bad.add(ref);
  });
  return [...bad].sort();
}

export function assertRefsResolve(doc: OpenApiDocument, source: string): void {
  const bad = findUnresolvedRefs(doc);
  if (bad.length === 0) return;
  const shown = bad.slice(0, 5).join(", ");
  throw new UnresolvedRefError({
    message: `${source} has ${bad.length} $ref${bad.length > 1 ? "s" : ""} that point nowhere: ${shown}${bad.length > 5 ? ", …" : ""}`,
    hint: "Fix or remove those references (an overlay action in specs/ can do it), then run the command again.",
  });
}
