import { AnnotationInputError } from "./errors.js";
import type {
  AnnotationBody,
  AnnotationCommon,
  AnnotationInput,
  AnnotationType,
  Point,
  WireCoordinates,
} from "./types.js";

const common = (a: AnnotationCommon) => ({
  label: a.label,
  ...(a.attributes ? { attributes: a.attributes } : {}),
  // The gateway's schema requires `metadata.system` whenever `metadata` is sent (APIMetadata).
  ...(a.metadata ? { metadata: { ...a.metadata, system: a.metadata.system ?? {} } } : {}),
  ...(a.description !== undefined ? { description: a.description } : {}),
});

function checkPoint(p: Point, label: string): Point {
  if (!Number.isFinite(p?.x) || !Number.isFinite(p?.y))
    throw new AnnotationInputError({
      message: `"${label}": a point needs finite x and y, got ${JSON.stringify(p)}`,
      hint: "Give coordinates in pixels as finite numbers.",
    });
  return { x: p.x, y: p.y, z: p.z ?? 0 };
}

function contour(points: Point[], min: number, what: string, label: string): Point[] {
  if (!Array.isArray(points) || points.length < min)
    throw new AnnotationInputError({
      message: `"${label}": a ${what} needs at least ${min} points, got ${Array.isArray(points) ? points.length : 0}`,
      hint: `Drop the ${what} or give it ${min} or more points.`,
    });
  return points.map((p) => checkPoint(p, label));
}

const body = <T extends AnnotationType>(type: T, a: AnnotationCommon, coordinates: WireCoordinates[T]) =>
  ({ type, ...common(a), coordinates }) as AnnotationBody<T>;

/**
 * A box: left-top and right-bottom corners; `angle` (degrees, about the centre) goes on the wire as a third element when not 0.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { box, uploadAnnotations } from "@dataloop-ts/client/annotations";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const body = box({ label: "car", coordinates: [{ x: 10, y: 20 }, { x: 110, y: 220 }], angle: 30 });
 * console.log(body.coordinates); // [{ x: 10, y: 20 }, { x: 110, y: 220 }, 30]
 * await uploadAnnotations(dl, "64f0c1a2b3c4d5e6f7a8b9c1", [{ itemId: "64f0c1a2b3c4d5e6f7a8b9c0", annotations: [body] }]);
 * ```
 */
export function box(a: AnnotationInput<"box">): AnnotationBody<"box"> {
  const [tl, br] = a.coordinates.map((p) => checkPoint(p, a.label)) as [Point, Point];
  if (a.angle !== undefined && !Number.isFinite(a.angle))
    throw new AnnotationInputError({
      message: `"${a.label}": a box angle must be a finite number of degrees`,
    });
  return body("box", a, a.angle ? [tl, br, a.angle] : [tl, br]);
}

/**
 * A polygon (one closed contour, 3 points or more): `[[{x, y, z}, …]]` on the wire.
 * @example
 * ```ts
 * import { segment } from "@dataloop-ts/client/annotations";
 *
 * const body = segment({ label: "road", coordinates: [{ x: 0, y: 0 }, { x: 50, y: 0 }, { x: 25, y: 40 }] });
 * console.log(body.coordinates); // [[{ x: 0, y: 0 }, …]]
 * ```
 */
export const segment = (a: AnnotationInput<"segment">): AnnotationBody<"segment"> =>
  body("segment", a, [contour(a.coordinates, 3, "polygon", a.label)]);

/**
 * `segment` by its everyday name.
 * @example
 * ```ts
 * import { polygon } from "@dataloop-ts/client/annotations";
 *
 * console.log(polygon({ label: "lake", coordinates: [{ x: 0, y: 0 }, { x: 9, y: 0 }, { x: 4, y: 7 }] }).type); // "segment"
 * ```
 */
export const polygon = segment;

/**
 * An open line of 2 points or more.
 * @example
 * ```ts
 * import { polyline } from "@dataloop-ts/client/annotations";
 *
 * console.log(polyline({ label: "lane", coordinates: [{ x: 0, y: 100 }, { x: 50, y: 60 }, { x: 90, y: 0 }] }));
 * ```
 */
export const polyline = (a: AnnotationInput<"polyline">): AnnotationBody<"polyline"> =>
  body("polyline", a, [contour(a.coordinates, 2, "polyline", a.label)]);

/**
 * A key point: `{ x, y, z? }` in pixels.
 * @example
 * ```ts
 * import { point } from "@dataloop-ts/client/annotations";
 *
 * console.log(point({ label: "nose", coordinates: { x: 120, y: 88 }, metadata: { system: { parentId: "64f0c1a2b3c4d5e6f7a8b9c0" } } }));
 * ```
 */
export const point = (a: AnnotationInput<"point">): AnnotationBody<"point"> =>
  body("point", a, checkPoint(a.coordinates, a.label));

/**
 * An ellipse: centre, radii (≥ 0) and angle in degrees.
 * @example
 * ```ts
 * import { ellipse } from "@dataloop-ts/client/annotations";
 *
 * console.log(ellipse({ label: "wheel", coordinates: { center: { x: 50, y: 50 }, rx: 20, ry: 12, angle: 10 } }));
 * ```
 */
export function ellipse(a: AnnotationInput<"ellipse">): AnnotationBody<"ellipse"> {
  const { center, rx, ry, angle } = a.coordinates;
  if (!(rx >= 0 && ry >= 0))
    throw new AnnotationInputError({
      message: `"${a.label}": an ellipse needs radii >= 0, got ${rx}, ${ry}`,
    });
  return body("ellipse", a, {
    center: checkPoint(center, a.label),
    rx,
    ry,
    ...(angle !== undefined ? { angle } : {}),
  });
}

const CUBE_CORNERS = [
  "front_tl",
  "front_tr",
  "front_br",
  "front_bl",
  "back_tl",
  "back_tr",
  "back_br",
  "back_bl",
] as const;

/**
 * A 3D box drawn on an image: its eight corners and angle.
 * @example
 * ```ts
 * import { cube, type Point } from "@dataloop-ts/client/annotations";
 *
 * const p = (x: number, y: number): Point => ({ x, y });
 * const body = cube({
 *   label: "crate",
 *   coordinates: {
 *     front_tl: p(0, 0), front_tr: p(10, 0), front_br: p(10, 10), front_bl: p(0, 10),
 *     back_tl: p(3, 3), back_tr: p(13, 3), back_br: p(13, 13), back_bl: p(3, 13),
 *   },
 * });
 * console.log(body.type);
 * ```
 */
export function cube(a: AnnotationInput<"cube">): AnnotationBody<"cube"> {
  const c = a.coordinates;
  const corners = Object.fromEntries(CUBE_CORNERS.map((k) => [k, checkPoint(c[k], a.label)]));
  return body("cube", a, {
    ...(corners as Record<(typeof CUBE_CORNERS)[number], Point>),
    ...(c.angle !== undefined ? { angle: c.angle } : {}),
  });
}

/**
 * The parent of a pose: its template and instance (the key points are `point` annotations with it as parent).
 * @example
 * ```ts
 * import { point, pose } from "@dataloop-ts/client/annotations";
 *
 * const parent = pose({ label: "person", coordinates: { templateId: "64f0c1a2b3c4d5e6f7a8b9c0", instanceId: "p1" } });
 * const nose = point({ label: "nose", coordinates: { x: 4, y: 5 }, metadata: { system: { parentId: "the pose's id" } } });
 * console.log(parent, nose);
 * ```
 */
export const pose = (a: AnnotationInput<"pose">): AnnotationBody<"pose"> =>
  body("pose", a, { templateId: a.coordinates.templateId, instanceId: a.coordinates.instanceId });

/**
 * A note pinned to the item (optionally to a box): a thread of messages with a status.
 * @example
 * ```ts
 * import { note } from "@dataloop-ts/client/annotations";
 *
 * const body = note({
 *   label: "review",
 *   coordinates: {
 *     note: { messages: [], status: "open", createTime: Date.now(), creator: "me@example.com", asignee: "you@example.com" },
 *     updatedAt: new Date().toISOString(),
 *     updatedBy: "me@example.com",
 *   },
 * });
 * console.log(body.type);
 * ```
 */
export const note = (a: AnnotationInput<"note">): AnnotationBody<"note"> => body("note", a, a.coordinates);

/**
 * A subtitle of a video or audio item: its text, with `metadata.system.frame`/`endFrame` for when it shows.
 * @example
 * ```ts
 * import { subtitle } from "@dataloop-ts/client/annotations";
 *
 * console.log(subtitle({ label: "en", coordinates: { text: "Hello" }, metadata: { system: { frame: 0, endFrame: 48 } } }));
 * ```
 */
export const subtitle = (a: AnnotationInput<"subtitle">): AnnotationBody<"subtitle"> =>
  body("subtitle", a, { text: a.coordinates.text });

/**
 * A description of the whole item (wire type `item_description`): its text.
 * @example
 * ```ts
 * import { itemDescription } from "@dataloop-ts/client/annotations";
 *
 * console.log(itemDescription({ label: "caption", coordinates: { text: "Two cats on a sofa" } }).type); // "item_description"
 * ```
 */
export const itemDescription = (a: AnnotationInput<"item_description">): AnnotationBody<"item_description"> =>
  body("item_description", a, { text: a.coordinates.text });

/**
 * A mask: a PNG data URL (see `encodeMask`).
 * @example
 * ```ts
 * import { binary, encodeMask } from "@dataloop-ts/client/annotations";
 *
 * const width = 4;
 * const height = 2;
 * const data = new Uint8Array(width * height).fill(1); // data[y * width + x] = 0 | 1
 * console.log(binary({ label: "sky", coordinates: await encodeMask({ width, height, data }) }).type);
 * ```
 */
export function binary(a: AnnotationInput<"binary">): AnnotationBody<"binary"> {
  if (typeof a.coordinates !== "string" || !a.coordinates.startsWith("data:image/png;base64,"))
    throw new AnnotationInputError({
      message: `"${a.label}": a mask must be a PNG data URL (data:image/png;base64,…)`,
      hint: "Build it with encodeMask(mask).",
    });
  return body("binary", a, a.coordinates);
}

/**
 * A classification: a label with no geometry (coordinates `[]`, as dtlpy sends).
 * @example
 * ```ts
 * import { classification } from "@dataloop-ts/client/annotations";
 *
 * console.log(classification({ label: "daytime", attributes: ["sunny"] })); // coordinates: []
 * ```
 */
export const classification = (a: AnnotationInput<"class">): AnnotationBody<"class"> => body("class", a, []);

/**
 * Every builder by its wire type: `builders[a.type](a)` builds any typed annotation.
 * @example
 * ```ts
 * import { type AnnotationInput, builders } from "@dataloop-ts/client/annotations";
 *
 * const input: AnnotationInput<"polyline"> = { label: "lane", coordinates: [{ x: 0, y: 0 }, { x: 9, y: 9 }] };
 * console.log(builders.polyline(input));
 * ```
 */
export const builders: { [K in AnnotationType]: (a: AnnotationInput<K>) => AnnotationBody<K> } = {
  box,
  segment,
  polyline,
  point,
  ellipse,
  cube,
  pose,
  note,
  subtitle,
  item_description: itemDescription,
  binary,
  class: classification,
};

/**
 * The request body of any typed annotation (a reader's output goes back in unchanged).
 * @example
 * ```ts
 * import { buildAnnotation, readAnnotation } from "@dataloop-ts/client/annotations";
 *
 * const typed = readAnnotation({ type: "box", label: "car", coordinates: [{ x: 0, y: 0 }, { x: 5, y: 5 }] });
 * const body = buildAnnotation(typed); // back to the request body, whatever its type
 * console.log(body);
 * ```
 */
export function buildAnnotation<T extends AnnotationType>(
  a: { type: T } & AnnotationInput<T>,
): AnnotationBody<T> {
  const { type, ...rest } = a as { type: T; id?: string } & AnnotationInput<T>;
  delete (rest as { id?: string }).id;
  return (builders[type] as (x: AnnotationInput<T>) => AnnotationBody<T>)(
    rest as unknown as AnnotationInput<T>,
  );
}
