import { JSONPath } from "jsonpath-plus";
import { OverlayInvalidError } from "./errors.js";

/**
 * An OpenAPI Overlay 1.0 document: the spec's repairs, kept as data.
 * @example
 * ```ts
 * import { findProject, readOverlay } from "@dataloop-ts/codegen";
 *
 * const overlay = await readOverlay(findProject());
 * console.log(`${overlay.info.title}: ${overlay.actions.length} repairs`);
 * ```
 */
export interface Overlay {
  overlay: string;
  info: { title: string; version: string };
  actions: OverlayAction[];
}

/**
 * One repair: the JSONPath `target` it applies to, and the `update` merged there or the `remove` of it.
 * @example
 * ```ts
 * import type { Overlay, OverlayAction } from "@dataloop-ts/codegen";
 *
 * const requireName: OverlayAction = {
 *   target: "$.components.schemas.Dataset",
 *   description: "`name` is required by the gateway",
 *   update: { required: ["name"] },
 * };
 * const overlay: Overlay = { overlay: "1.0.0", info: { title: "repairs", version: "1" }, actions: [requireName] };
 * ```
 */
export interface OverlayAction {
  target: string;
  description?: string;
  update?: unknown;
  remove?: boolean;
}

/**
 * What one overlay action did: how many nodes its target matched (0: a stale repair).
 * @example
 * ```ts
 * import { findProject, repairPinned } from "@dataloop-ts/codegen";
 *
 * const { report } = await repairPinned(findProject());
 * const stale = report.overlay.filter((action) => action.matched === 0); // repairs the document no longer needs
 * ```
 */
export interface OverlayActionResult {
  target: string;
  description?: string;
  kind: "update" | "remove";
  matched: number;
}

/** Checks the shape of an overlay read from disk; throws OVERLAY_INVALID with the offending action. */
export function parseOverlay(value: unknown, source: string): Overlay {
  const fail = (what: string) =>
    new OverlayInvalidError({
      message: `The overlay ${source} is invalid: ${what}.`,
      hint: "See https://spec.openapis.org/overlay/v1.0.0: each action needs a JSONPath `target` and `update` or `remove: true`.",
    });
  if (value === null || typeof value !== "object") throw fail("not an object");
  const o = value as Partial<Overlay>;
  if (typeof o.overlay !== "string" || !o.overlay.startsWith("1.")) throw fail('missing `overlay: "1.0.0"`');
  if (!Array.isArray(o.actions)) throw fail("missing `actions` list");
  o.actions.forEach((a, i) => {
    if (!a || typeof a.target !== "string" || !a.target.startsWith("$"))
      throw fail(`action ${i} has no JSONPath target`);
    if (a.remove !== true && a.update === undefined)
      throw fail(`action ${i} (${a.target}) has neither update nor remove`);
  });
  return o as Overlay;
}

/** Applies the overlay's actions in order, in place; returns how many nodes each action touched. */
export function applyOverlay(doc: object, overlay: Overlay): OverlayActionResult[] {
  return overlay.actions.map((action) => {
    const matches = JSONPath({ path: action.target, json: doc, resultType: "all", eval: "safe" }) as Array<{
      value: unknown;
      parent: Record<string | number, unknown> | unknown[] | null;
      parentProperty: string | number;
    }>;
    if (action.remove === true) {
      // Remove from the deepest/last index first so array positions stay valid.
      for (const m of [...matches].reverse()) {
        if (Array.isArray(m.parent)) m.parent.splice(Number(m.parentProperty), 1);
        else if (m.parent) delete (m.parent as Record<string, unknown>)[m.parentProperty];
      }
    } else {
      for (const m of matches) merge(m.value, action.update);
    }
    return {
      target: action.target,
      ...(action.description ? { description: action.description } : {}),
      kind: action.remove === true ? "remove" : "update",
      matched: matches.length,
    };
  });
}

// Overlay 1.0 merge: objects merge recursively, arrays append, anything else replaces.
function merge(target: unknown, update: unknown): void {
  if (Array.isArray(target)) {
    target.push(...(Array.isArray(update) ? structuredClone(update) : [structuredClone(update)]));
    return;
  }
  if (!isObject(target) || !isObject(update)) return;
  for (const [key, value] of Object.entries(update)) {
    const current = target[key];
    if (isObject(current) && isObject(value)) merge(current, value);
    else target[key] = structuredClone(value);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);
