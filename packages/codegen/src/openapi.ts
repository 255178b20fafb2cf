import { operationKey } from "@dataloop-ts/core";
import jsonpointer from "jsonpointer";
/** The slice of OpenAPI 3.x the codegen reads; everything else passes through untouched. */
export interface OpenApiDocument {
  openapi: string;
  info: { title?: string; version?: string; [k: string]: unknown };
  paths: Record<string, PathItem>;
  components?: { schemas?: Record<string, unknown>; [k: string]: unknown };
  security?: unknown[];
  [k: string]: unknown;
}

export type PathItem = Partial<Record<HttpMethod, Operation>> & {
  parameters?: Parameter[];
  [k: string]: unknown;
};

export interface Operation {
  operationId?: string;
  parameters?: Array<Parameter | { $ref: string }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }>; $ref?: string };
  responses?: Record<string, unknown>;
  security?: unknown[];
  [k: string]: unknown;
}

export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: unknown;
  [k: string]: unknown;
}

export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface OperationRef {
  method: HttpMethod;
  path: string;
  operation: Operation;
}

/** Every operation of the document, in document order. */
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

/** `METHOD /path` of the operations the document declares public (`security: []`): no Bearer token needed. */
export const publicOperations = (doc: OpenApiDocument): string[] =>
  listOperations(doc)
    .filter(({ operation }) => Array.isArray(operation.security) && operation.security.length === 0)
    .map(({ method, path }) => operationKey(method, path));

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
