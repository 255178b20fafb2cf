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
  ...(a.metadata ? { metadata: a.metadata } : {}),
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

/** A box: left-top and right-bottom corners; `angle` (degrees, about the centre) goes on the wire as a third element when not 0. */
export function box(a: AnnotationInput<"box">): AnnotationBody<"box"> {
  const [tl, br] = a.coordinates.map((p) => checkPoint(p, a.label)) as [Point, Point];
  if (a.angle !== undefined && !Number.isFinite(a.angle))
    throw new AnnotationInputError({
      message: `"${a.label}": a box angle must be a finite number of degrees`,
    });
  return body("box", a, a.angle ? [tl, br, a.angle] : [tl, br]);
}

/** A polygon (one closed contour, 3 points or more): `[[{x, y, z}, …]]` on the wire. */
export const segment = (a: AnnotationInput<"segment">): AnnotationBody<"segment"> =>
  body("segment", a, [contour(a.coordinates, 3, "polygon", a.label)]);

/** `segment` by its everyday name. */
export const polygon = segment;

/** An open line of 2 points or more. */
export const polyline = (a: AnnotationInput<"polyline">): AnnotationBody<"polyline"> =>
  body("polyline", a, [contour(a.coordinates, 2, "polyline", a.label)]);

export const point = (a: AnnotationInput<"point">): AnnotationBody<"point"> =>
  body("point", a, checkPoint(a.coordinates, a.label));

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

export function cube(a: AnnotationInput<"cube">): AnnotationBody<"cube"> {
  const c = a.coordinates;
  const corners = Object.fromEntries(CUBE_CORNERS.map((k) => [k, checkPoint(c[k], a.label)]));
  return body("cube", a, {
    ...(corners as Record<(typeof CUBE_CORNERS)[number], Point>),
    ...(c.angle !== undefined ? { angle: c.angle } : {}),
  });
}

/** The parent of a pose: its template and instance (the key points are `point` annotations with it as parent). */
export const pose = (a: AnnotationInput<"pose">): AnnotationBody<"pose"> =>
  body("pose", a, { templateId: a.coordinates.templateId, instanceId: a.coordinates.instanceId });

export const note = (a: AnnotationInput<"note">): AnnotationBody<"note"> => body("note", a, a.coordinates);

export const subtitle = (a: AnnotationInput<"subtitle">): AnnotationBody<"subtitle"> =>
  body("subtitle", a, { text: a.coordinates.text });

export const itemDescription = (a: AnnotationInput<"item_description">): AnnotationBody<"item_description"> =>
  body("item_description", a, { text: a.coordinates.text });

/** A mask: a PNG data URL (see `encodeMask`). */
export function binary(a: AnnotationInput<"binary">): AnnotationBody<"binary"> {
  if (typeof a.coordinates !== "string" || !a.coordinates.startsWith("data:image/png;base64,"))
    throw new AnnotationInputError({
      message: `"${a.label}": a mask must be a PNG data URL (data:image/png;base64,…)`,
      hint: "Build it with encodeMask(mask).",
    });
  return body("binary", a, a.coordinates);
}

/** A classification: a label with no geometry (coordinates `[]`, as dtlpy sends). */
export const classification = (a: AnnotationInput<"class">): AnnotationBody<"class"> => body("class", a, []);

/** Every builder by its wire type: `builders[a.type](a)` builds any typed annotation. */
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

/** The request body of any typed annotation (a reader's output goes back in unchanged). */
export function buildAnnotation<T extends AnnotationType>(
  a: { type: T } & AnnotationInput<T>,
): AnnotationBody<T> {
  const { type, ...rest } = a as { type: T; id?: string } & AnnotationInput<T>;
  delete (rest as { id?: string }).id;
  return (builders[type] as (x: AnnotationInput<T>) => AnnotationBody<T>)(
    rest as unknown as AnnotationInput<T>,
  );
}
