import { createHash } from "node:crypto";

/**
 * What "the same document" means when following the gateway: equal after canonicalisation. Two
 * serialisations of one document (keys in another order, other whitespace or indentation, JSON or
 * YAML) are the same; so are documents that differ only in `servers`, which names the host that
 * served it, not the API. Everything else is the API and counts: a different description is a change
 * (released as a patch), a different `info.version` is a change.
 */
export const VOLATILE_TOP_LEVEL_KEYS: readonly string[] = ["servers"];

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
}

/**
 * sha256 of the document in canonical form (sorted keys, no whitespace, volatile keys dropped).
 * @example
 * ```ts
 * import { canonicalSha256 } from "@dataloop-ts/codegen";
 *
 * // Key order, whitespace and `servers` do not count: the same API, the same hash.
 * canonicalSha256({ openapi: "3.0.3", info: { title: "A", version: "1" } }) ===
 *   canonicalSha256({ info: { version: "1", title: "A" }, openapi: "3.0.3", servers: [{ url: "https://x" }] }); // true
 * ```
 */
export function canonicalSha256(document: unknown): string {
  const doc = { ...(document as Record<string, unknown>) };
  for (const key of VOLATILE_TOP_LEVEL_KEYS) delete doc[key];
  return createHash("sha256").update(canonicalJson(doc)).digest("hex");
}
