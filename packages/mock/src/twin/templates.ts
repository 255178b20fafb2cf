import type { OpenApiDocument } from "@dataloop-ts/codegen";

/** Removes what a sampler could not fill believably (the literal `"string"`), deep, on a copy. */
export function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== "string").map(scrub);
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== "string") out[k] = scrub(v);
  return out;
}

/**
 * The shape the twin answers a resource with: the prepared spec's example of the route's JSON answer
 * (believable values, validated against the schema when the mock spec was made), without its
 * `"string"` placeholders. The twin then sets what it holds (ids, names, relations, timestamps).
 */
export function exampleOf(
  document: OpenApiDocument,
  path: string,
  method: string,
  status = "200",
): Record<string, unknown> {
  const operation = (document.paths as Record<string, Record<string, unknown>>)[path]?.[method] as
    | { responses?: Record<string, { content?: Record<string, { example?: unknown }> }> }
    | undefined;
  let example = operation?.responses?.[status]?.content?.["application/json"]?.example;
  if (Array.isArray(example)) example = example[0];
  return example && typeof example === "object" ? (scrub(example) as Record<string, unknown>) : {};
}

/** The templates of the resources the twin holds. */
export interface Templates {
  user: Record<string, unknown>;
  org: Record<string, unknown>;
  project: Record<string, unknown>;
  dataset: Record<string, unknown>;
  item: Record<string, unknown>;
  annotation: Record<string, unknown>;
  apiKey: Record<string, unknown>;
}

export function templatesOf(document: OpenApiDocument): Templates {
  return {
    user: exampleOf(document, "/users/me", "get"),
    org: exampleOf(document, "/orgs/{orgId}", "get"),
    project: exampleOf(document, "/projects/{projectId}", "get"),
    dataset: exampleOf(document, "/datasets/{id}", "get"),
    item: exampleOf(document, "/items/{id}", "get"),
    annotation: exampleOf(document, "/items/{itemId}/annotations/{annotationId}", "get"),
    apiKey: exampleOf(document, "/apikeys/{keyId}", "get"),
  };
}
