import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { SpecManifest } from "@dataloop-ts/core";

export type { SpecManifest } from "@dataloop-ts/core";

const file = (name: string) => fileURLToPath(new URL(`../dist/${name}`, import.meta.url));

/**
 * Absolute paths of the files this package ships.
 * @example
 * ```ts
 * import { readFile } from "node:fs/promises";
 * import { specFiles } from "@dataloop-ts/spec";
 *
 * const upstream = await readFile(specFiles.upstream); // the gateway's bytes, as pinned
 * console.log(specFiles.repaired); // …/node_modules/@dataloop-ts/spec/dist/openapi.json
 * ```
 */
export const specFiles = {
  /** The gateway's document exactly as pinned (upstream bytes; sha256 in the manifest). */
  upstream: file("upstream.json"),
  /** The repaired document: valid OpenAPI 3.0, what the client's types and the mock gateway are made from. */
  repaired: file("openapi.json"),
  /** The repairs, an OpenAPI Overlay 1.0 (to repair a newer upstream document the same way). */
  overlay: file("overlay.yaml"),
  /** `manifest.json`: see {@link readManifest}. */
  manifest: file("manifest.json"),
} as const;

/**
 * The manifest: title, version, sha256 of the pinned bytes, and the fingerprint shared with the client's types.
 * @example
 * ```ts
 * import { readManifest } from "@dataloop-ts/spec";
 *
 * const { title, version, sha256, fingerprint } = readManifest();
 * console.log(`${title} ${version} (sha256 ${sha256}); types made from it carry ${fingerprint}`);
 * ```
 */
export function readManifest(): SpecManifest {
  return JSON.parse(readFileSync(specFiles.manifest, "utf8")) as SpecManifest;
}

/**
 * The repaired OpenAPI document, parsed (a fresh object on every call).
 * @example
 * ```ts
 * import { readRepairedSpec } from "@dataloop-ts/spec";
 *
 * const spec = readRepairedSpec();
 * console.log(spec.openapi, Object.keys(spec.paths).length); // e.g. "3.0.3" and the number of paths
 * ```
 */
export function readRepairedSpec(): Record<string, unknown> & {
  openapi: string;
  paths: Record<string, unknown>;
} {
  return JSON.parse(readFileSync(specFiles.repaired, "utf8"));
}
