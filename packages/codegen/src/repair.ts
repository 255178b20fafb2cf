import { NORMALISATIONS } from "./normalize.js";
import { type OpenApiDocument, publicOperations } from "./openapi.js";
import { applyOverlay, type Overlay, type OverlayActionResult } from "./overlay.js";
import { assertRefsResolve } from "./validate.js";

declare const repairedBrand: unique symbol;
/** A document that went through `repairSpec`; the emitter takes nothing else. */
export type RepairedDocument = OpenApiDocument & { readonly [repairedBrand]: true };

export interface RepairReport {
  overlay: OverlayActionResult[];
  normalisations: Array<{ name: string; description: string; count: number }>;
  /** Operations left with `security: []`, i.e. declared public. */
  publicOperations: string[];
}

/** Overlay first (it is written against the upstream document), then the generic normalisations. */
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

/** The short human report the CLI prints. */
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
