import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { SpecManifest } from "@dataloop-ts/core";
import { writeFilesAtomic } from "@dataloop-ts/core/node";
import { CODEGEN_VERSION, fingerprintOf } from "./fingerprint.js";
import { repairPinned } from "./pipeline.js";
import type { Project } from "./project.js";

/**
 * Writes the pinned document, its repaired form, the overlay and a manifest into `outDir`: what
 * `@dataloop-ts/spec` publishes, so the document a user validates against, the one the mock serves
 * and the client's types come from one pin.
 * @example
 * ```ts
 * import { exportSpec, findProject } from "@dataloop-ts/codegen";
 *
 * const manifest = await exportSpec(findProject(), "dist");
 * console.log(manifest.sha256, manifest.files.repaired); // dist/openapi.json, dist/manifest.json, …
 * ```
 */
export async function exportSpec(project: Project, outDir: string): Promise<SpecManifest> {
  const { pin, bytes, repaired, overlaySha256 } = await repairPinned(project);
  const overlay = overlaySha256 === "none" ? undefined : await readFile(project.overlayPath);
  const upstream = `upstream.${pin.file.endsWith(".json") ? "json" : "yaml"}`;
  const manifest: SpecManifest = {
    title: pin.title,
    version: pin.version,
    openapi: pin.openapi,
    source: pin.source,
    retrievedAt: pin.retrievedAt,
    counts: pin.counts,
    sha256: pin.sha256,
    overlaySha256,
    fingerprint: fingerprintOf(pin.sha256, overlaySha256),
    codegen: CODEGEN_VERSION,
    files: {
      upstream,
      repaired: "openapi.json",
      ...(overlay ? { overlay: "overlay.yaml" as const } : {}),
      manifest: "manifest.json",
    },
  };
  await writeFilesAtomic([
    [join(outDir, upstream), bytes],
    [join(outDir, "openapi.json"), JSON.stringify(repaired)],
    ...(overlay ? [[join(outDir, "overlay.yaml"), overlay] as const] : []),
    [join(outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`],
  ]);
  return manifest;
}
