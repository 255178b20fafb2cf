/**
 * `manifest.json` of an exported spec: which document, which repairs, which generated types match it.
 * @example
 * ```ts
 * import { readFile } from "node:fs/promises";
 * import type { SpecManifest } from "@dataloop-ts/core";
 *
 * const manifest: SpecManifest = JSON.parse(await readFile("dist/manifest.json", "utf8"));
 * console.log(`${manifest.title} ${manifest.version}: ${manifest.counts.operations} operations`);
 * ```
 */
export interface SpecManifest {
  /** `info.title` of the document. */
  title: string;
  /** `info.version` of the document: the gateway's API version. */
  version: string;
  /** The OpenAPI version of the repaired document (`3.0.3`). */
  openapi: string;
  /** Provenance of the pinned bytes (the gateway's URL, or a path in the repository). */
  source: string;
  /** When the pinned bytes were fetched (ISO 8601). */
  retrievedAt: string;
  /** How big the document is. */
  counts: { paths: number; operations: number; schemas: number };
  /** sha256 of `upstream` (the pinned bytes, unchanged). */
  sha256: string;
  /** sha256 of `overlay.yaml`, the repairs that made `openapi.json`; "none" without one. */
  overlaySha256: string;
  /** The fingerprint written into the client's generated types: equal means "made from this". */
  fingerprint: string;
  /** The `@dataloop-ts/codegen` version that exported it. */
  codegen: string;
  /** The file names, beside `manifest.json`, of each part. */
  files: { upstream: string; repaired: "openapi.json"; overlay?: "overlay.yaml"; manifest: "manifest.json" };
}
