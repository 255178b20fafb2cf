import { AnnotationInputError, type AnnotationPlace } from "./errors.js";
import type {
  Annotation,
  AnnotationCommon,
  AnnotationShapes,
  AnnotationType,
  MaskDataUrl,
  Point,
  StoredAnnotation,
} from "./types.js";

const TYPES = new Set<string>([
  "box",
  "segment",
  "polyline",
  "point",
  "ellipse",
  "cube",
  "pose",
  "note",
  "subtitle",
  "item_description",
  "binary",
  "class",
]);

/**
 * Whether a wire `type` has a typed shape here (others, e.g. `text_mark` or `cube_3d`, are kept as stored).
 * @example
 * ```ts
 * import { isKnownType, readAnnotation, type StoredAnnotation } from "@dataloop-ts/client/annotations";
 *
 * const stored: StoredAnnotation[] = [{ type: "box", label: "a", coordinates: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }, { type: "hologram", label: "b" }];
 * for (const s of stored) if (isKnownType(s.type)) console.log(readAnnotation(s).type);
 * ```
 */
export const isKnownType = (type: string): type is AnnotationType => TYPES.has(type);

const isPoint = (p: unknown): p is Point =>
  typeof p === "object" && p !== null && Number.isFinite((p as Point).x) && Number.isFinite((p as Point).y);

const pt = (p: Point): Point => ({ x: p.x, y: p.y, z: p.z ?? 0 });

/**
 * A stored annotation (from `GET /items/{itemId}/annotations` or a DQL query) back in its typed shape:
 * the inverse of the builders. With `expected`, the result is that type or an `AnnotationInputError`.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { readAnnotation } from "@dataloop-ts/client/annotations";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const annotationId = "64f0c1a2b3c4d5e6f7a8b9c0";
 * const { data: stored } = await dl.GET("/annotations/{annotationId}", { params: { path: { annotationId } } });
 * const b = readAnnotation(stored, "box"); // Annotation<"box">: b.coordinates is [Point, Point]
 * console.log(b.label, b.coordinates[0].x, b.angle);
 * ```
 */
export function readAnnotation<T extends AnnotationType = AnnotationType>(
  stored: StoredAnnotation,
  expected?: T,
  place: AnnotationPlace = {},
): Annotation<T> {
  const bad = (message: string) =>
    new AnnotationInputError({
      ...place,
      id: place.id ?? stored.id,
      message: `"${stored.label}" (${stored.type}): ${message}`,
    });
  if (expected && stored.type !== expected) throw bad(`expected a ${expected} annotation`);
  if (!isKnownType(stored.type)) throw bad("a type with no typed shape here");
  const c = stored.coordinates as unknown;
  let shape: AnnotationShapes[AnnotationType];
  switch (stored.type) {
    case "box": {
      const [tl, br, angle] = (Array.isArray(c) ? c : []) as unknown[];
      if (!isPoint(tl) || !isPoint(br)) throw bad("a box needs two corner points");
      shape =
        typeof angle === "number" && angle !== 0
          ? { coordinates: [pt(tl), pt(br)], angle }
          : { coordinates: [pt(tl), pt(br)] };
      break;
    }
    case "segment":
    case "polyline": {
      const line = Array.isArray(c) ? (c[0] as unknown) : undefined;
      const min = stored.type === "segment" ? 3 : 2;
      if (!Array.isArray(line) || !line.every(isPoint) || line.length < min)
        throw bad(
          `a ${stored.type === "segment" ? "polygon" : "polyline"} needs one contour of ${min} points or more`,
        );
      if ((c as unknown[]).length > 1) throw bad("more than one contour (holes are not read here)");
      shape = { coordinates: line.map(pt) };
      break;
    }
    case "point":
      if (!isPoint(c)) throw bad("a point needs x and y");
      shape = { coordinates: pt(c) };
      break;
    case "ellipse": {
      const e = c as { center?: unknown; rx?: unknown; ry?: unknown; angle?: unknown };
      if (!isPoint(e?.center) || typeof e.rx !== "number" || typeof e.ry !== "number")
        throw bad("an ellipse needs center, rx and ry");
      shape = {
        coordinates: {
          center: pt(e.center),
          rx: e.rx,
          ry: e.ry,
          ...(typeof e.angle === "number" ? { angle: e.angle } : {}),
        },
      };
      break;
    }
    case "cube": {
      const q = c as Record<string, unknown>;
      const keys = [
        "front_tl",
        "front_tr",
        "front_br",
        "front_bl",
        "back_tl",
        "back_tr",
        "back_br",
        "back_bl",
      ];
      if (!keys.every((k) => isPoint(q?.[k]))) throw bad("a cube needs its 8 corners");
      shape = {
        coordinates: {
          ...(Object.fromEntries(
            keys.map((k) => [k, pt(q[k] as Point)]),
          ) as unknown as AnnotationShapes["cube"]["coordinates"]),
          ...(typeof q.angle === "number" ? { angle: q.angle } : {}),
        },
      };
      break;
    }
    case "pose": {
      const p = c as { templateId?: unknown; instanceId?: unknown };
      if (typeof p?.templateId !== "string" || typeof p.instanceId !== "string")
        throw bad("a pose needs templateId and instanceId");
      shape = { coordinates: { templateId: p.templateId, instanceId: p.instanceId } };
      break;
    }
    case "note":
      if (typeof c !== "object" || c === null || !("note" in c)) throw bad("a note needs its note");
      shape = { coordinates: c as AnnotationShapes["note"]["coordinates"] };
      break;
    case "subtitle":
    case "item_description": {
      const text = typeof c === "string" ? c : (c as { text?: unknown })?.text;
      if (typeof text !== "string") throw bad("needs a text");
      shape = { coordinates: { text } };
      break;
    }
    case "binary":
      if (typeof c !== "string" || !c.startsWith("data:image/png;base64,"))
        throw bad("a mask must be a PNG data URL");
      shape = { coordinates: c as MaskDataUrl };
      break;
    default:
      shape = {};
  }
  // Made at once, in the order a spread of the parts gave: the spreads made three objects more per
  // annotation read (an export reads every annotation of a dataset).
  const read: Record<string, unknown> & AnnotationCommon = stored.id
    ? { type: stored.type, id: stored.id, label: stored.label }
    : { type: stored.type, label: stored.label };
  // The gateway stores `attributes: []` on an annotation created without any (the twin does the same):
  // an empty list reads as none, so a built annotation reads back equal to itself.
  if (Array.isArray(stored.attributes) && stored.attributes.length)
    read.attributes = stored.attributes as string[];
  if (stored.metadata && hasKeys(stored.metadata)) read.metadata = stored.metadata;
  if (typeof stored.description === "string") read.description = stored.description;
  if ("coordinates" in shape) read.coordinates = shape.coordinates;
  if ("angle" in shape) read.angle = shape.angle;
  return read as unknown as Annotation<T>;
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}
