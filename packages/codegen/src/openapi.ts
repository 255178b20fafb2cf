import { operationKey } from "@dataloop-ts/core";
import jsonpointer from "jsonpointer";
/**
 * The slice of OpenAPI 3.x the codegen reads; everything else passes through untouched.
 * @example
 * ```ts
 * import { assertOpenApi3, type OpenApiDocument } from "@dataloop-ts/codegen";
 *
 * const parsed: unknown = JSON.parse('{"openapi":"3.0.3","info":{"title":"A","version":"1"},"paths":{}}');
 * assertOpenApi3(parsed, "inline");
 * const doc: OpenApiDocument = parsed;
 * console.log(Object.keys(doc.paths).length);
 * ```
 */
export interface OpenApiDocument {
  openapi: string;
  info: { title?: string; version?: string; [k: string]: unknown };
  paths: Record<string, PathItem>;
  components?: { schemas?: Record<string, unknown>; [k: string]: unknown };
  security?: unknown[];
  [k: string]: unknown;
}

/**
 * The operations of one path, by HTTP method, and the parameters they share.
 * @example
 * ```ts
 * import type { PathItem } from "@dataloop-ts/codegen";
 *
 * const item: PathItem = { get: { operationId: "getProject", responses: { "200": { description: "ok" } } } };
 * ```
 */
export type PathItem = Partial<Record<HttpMethod, Operation>> & {
  parameters?: Parameter[];
  [k: string]: unknown;
};

/**
 * The parts of an OpenAPI operation the codegen reads (its id, parameters, body, responses, security); the rest passes through.
 * @example
 * ```ts
 * import type { Operation } from "@dataloop-ts/codegen";
 *
 * const publicOp: Operation = { operationId: "health", security: [], responses: { "200": { description: "ok" } } };
 * ```
 */
export interface Operation {
  operationId?: string;
  parameters?: Array<Parameter | { $ref: string }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }>; $ref?: string };
  responses?: Record<string, unknown>;
  security?: unknown[];
  [k: string]: unknown;
}

/**
 * An OpenAPI parameter (path, query, header or cookie), as far as the codegen reads it.
 * @example
 * ```ts
 * import type { Parameter } from "@dataloop-ts/codegen";
 *
 * const projectId: Parameter = { name: "projectId", in: "path", required: true, schema: { type: "string" } };
 * ```
 */
export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: unknown;
  [k: string]: unknown;
}

/**
 * The keys of a path item that are operations, in the order OpenAPI lists them.
 * @example
 * ```ts
 * import { HTTP_METHODS } from "@dataloop-ts/codegen";
 *
 * const isMethod = (key: string) => (HTTP_METHODS as readonly string[]).includes(key);
 * ```
 */
export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
/**
 * One of {@link HTTP_METHODS}, lower case as in the document.
 * @example
 * ```ts
 * import type { HttpMethod } from "@dataloop-ts/codegen";
 *
 * const method: HttpMethod = "get";
 * ```
 */
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * An operation with where it lives: its method and path.
 * @example
 * ```ts
 * import { findProject, listOperations, loadPinned, type OperationRef } from "@dataloop-ts/codegen";
 *
 * const { document } = await loadPinned(findProject());
 * const unnamed: OperationRef[] = listOperations(document).filter((op) => !op.operation.operationId);
 * ```
 */
export interface OperationRef {
  method: HttpMethod;
  path: string;
  operation: Operation;
}

/**
 * Every operation of the document, in document order.
 * @example
 * ```ts
 * import { findProject, listOperations, loadPinned } from "@dataloop-ts/codegen";
 *
 * const { document } = await loadPinned(findProject());
 * for (const { method, path, operation } of listOperations(document)) console.log(method, path, operation.operationId);
 * ```
 */
export function listOperations(doc: OpenApiDocument): OperationRef[] {
  const out: OperationRef[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = item?.[method];
      if (operation && typeof operation === "object") out.push({ method, path, operation });
    }
  }
  return out;
}

/** `GET /projects/{projectId}`: how operations are named in reports and diffs. */

/**
 * `METHOD /path` of the operations the document declares public (`security: []`): no Bearer token needed.
 * @example
 * ```ts
 * import { findProject, loadPinned, publicOperations } from "@dataloop-ts/codegen";
 *
 * const { document } = await loadPinned(findProject());
 * console.log(publicOperations(document)); // e.g. [ "GET /health", … ]
 * ```
 */
export const publicOperations = (doc: OpenApiDocument): string[] =>
  listOperations(doc)
    .filter(({ operation }) => Array.isArray(operation.security) && operation.security.length === 0)
    .map(({ method, path }) => operationKey(method, path));

/**
 * How big a document is: paths, operations and schemas (kept in the lock and the manifest).
 * @example
 * ```ts
 * import { findProject, loadPinned, type SpecCounts } from "@dataloop-ts/codegen";
 *
 * const { pin } = await loadPinned(findProject());
 * const counts: SpecCounts = pin.counts;
 * console.log(`${counts.paths} paths, ${counts.operations} operations, ${counts.schemas} schemas`);
 * ```
 */
export interface SpecCounts {
  paths: number;
  operations: number;
  schemas: number;
}

export function countSpec(doc: OpenApiDocument): SpecCounts {
  return {
    paths: Object.keys(doc.paths ?? {}).length,
    operations: listOperations(doc).length,
    schemas: Object.keys(doc.components?.schemas ?? {}).length,
  };
}

/** Visits every object node depth-first; `visit` may replace the node by returning a new one. */
export function walk(node: unknown, visit: (node: Record<string, unknown>) => unknown): unknown {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const item = node[i];
      // Leaves are skipped without a call, and a slot is written only when its node was replaced:
      // writing every property back made a walk of the 1.3 MB document take ~1.5x as long (two runs).
      if (item === null || typeof item !== "object") continue;
      const next = walk(item, visit);
      if (next !== item) node[i] = next;
    }
    return node;
  }
  if (node === null || typeof node !== "object") return node;
  const replaced = visit(node as Record<string, unknown>);
  const target = (replaced ?? node) as Record<string, unknown>;
  for (const key of Object.keys(target)) {
    const value = target[key];
    if (value === null || typeof value !== "object") continue;
    const next = walk(value, visit);
    if (next !== value) target[key] = next;
  }
  return target;
}

/** A parameter as written, or the one its local `$ref` points at. */
export function resolveParameter(
  doc: OpenApiDocument,
  p: Parameter | { $ref: string },
): Parameter | undefined {
  const ref = (p as { $ref?: unknown }).$ref;
  if (typeof ref !== "string") return p as Parameter;
  return jsonpointer.get(doc, decodeURIComponent(ref.slice(1))) as Parameter | undefined;
}
