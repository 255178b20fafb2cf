import { NORMALISATIONS } from "./normalize.js";
import { type OpenApiDocument, publicOperations } from "./openapi.js";
import { applyOverlay, type Overlay, type OverlayActionResult } from "./overlay.js";
import { assertRefsResolve } from "./validate.js";

declare const repairedBrand: unique symbol;
/**
 * A document that went through `repairSpec`; the emitter takes nothing else.
 * @example
 * ```ts
 * import { findProject, loadPinned, readOverlay, type RepairedDocument, repairSpec } from "@dataloop-ts/codegen";
 *
 * const project = findProject();
 * const { document } = await loadPinned(project);
 * const repaired: RepairedDocument = repairSpec(document, await readOverlay(project)).document;
 * ```
 */
export type RepairedDocument = OpenApiDocument & { readonly [repairedBrand]: true };

/**
 * What the repairs did: each overlay action's matches, each normalisation's count, and the operations left public.
 * @example
 * ```ts
 * import { findProject, repairPinned } from "@dataloop-ts/codegen";
 *
 * const { report } = await repairPinned(findProject());
 * for (const n of report.normalisations) console.log(`${n.name}: ${n.count} (${n.description})`);
 * console.log("public:", report.publicOperations);
 * ```
 */
export interface RepairReport {
  overlay: OverlayActionResult[];
  normalisations: Array<{ name: string; description: string; count: number }>;
  /** Operations left with `security: []`, i.e. declared public. */
  publicOperations: string[];
}

/**
 * Overlay first (it is written against the upstream document), then the generic normalisations.
 * @example
 * ```ts
 * import { findProject, loadPinned, readOverlay, repairSpec } from "@dataloop-ts/codegen";
 *
 * const project = findProject();
 * const { document, pin } = await loadPinned(project);
 * const { document: repaired, report } = repairSpec(document, await readOverlay(project), pin.source);
 * ```
 */
export function repairSpec(
  upstream: OpenApiDocument,
  overlay: Overlay,
  source = "the spec",
): { document: RepairedDocument; report: RepairReport } {
  const doc = structuredClone(upstream);
  const overlayResults = applyOverlay(doc, overlay);
  const normalisations = NORMALISATIONS.map((n) => ({
    name: n.name,
    description: n.description,
    count: n.apply(doc),
  }));
  assertRefsResolve(doc, `${source} (after repair)`);
  return {
    document: doc as RepairedDocument,
    report: { overlay: overlayResults, normalisations, publicOperations: publicOperations(doc) },
  };
}

/**
 * The short human report the CLI prints.
 * @example
 * ```ts
 * import { findProject, formatRepairReport, repairPinned } from "@dataloop-ts/codegen";
 *
 * console.log(formatRepairReport((await repairPinned(findProject())).report));
 * ```
 */
export function formatRepairReport(report: RepairReport): string {
  const lines = ["Repairs:"];
  for (const a of report.overlay) {
    const warn = a.matched === 0 ? "  ⚠ matched nothing: the spec changed or the overlay is stale" : "";
    lines.push(`  overlay  ${String(a.matched).padStart(4)} × ${a.kind} ${a.description ?? a.target}${warn}`);
  }
  for (const n of report.normalisations) {
    if (n.count > 0) lines.push(`  generic  ${String(n.count).padStart(4)} × ${n.description}`);
  }
  lines.push(`  public operations (security: []): ${report.publicOperations.join(", ") || "none"}`);
  return lines.join("\n");
}
