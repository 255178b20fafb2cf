// Type tests of `@dataloop-ts/client/annotations`: checked by `tsc` in the package's typecheck (never run).
// Each `@ts-expect-error` fails the check when the line it guards stops being an error.
import { expectTypeOf } from "vitest";
import {
  type Annotation,
  type AnnotationBody,
  binary,
  box,
  classification,
  cube,
  ellipse,
  type MaskDataUrl,
  type Point,
  point,
  polyline,
  pose,
  readAnnotation,
  type StoredAnnotation,
  segment,
  subtitle,
} from "../src/annotations/index.js";

declare const p: Point;
declare const url: MaskDataUrl;
declare const stored: StoredAnnotation;

export function buildersTakeTheirOwnShape() {
  expectTypeOf(box({ label: "b", coordinates: [p, p], angle: 30 })).toEqualTypeOf<AnnotationBody<"box">>();
  expectTypeOf(segment({ label: "s", coordinates: [p, p, p] }).coordinates).toEqualTypeOf<Point[][]>();
  expectTypeOf(binary({ label: "m", coordinates: url }).type).toEqualTypeOf<"binary">();
}

export function buildersRejectOtherTypesCoordinates() {
  // @ts-expect-error a box cannot carry a polygon's contours
  box({ label: "b", coordinates: [[p, p, p]] });
  // @ts-expect-error a box cannot carry a point
  box({ label: "b", coordinates: p });
  // @ts-expect-error a polygon cannot carry a point
  segment({ label: "s", coordinates: p });
  // @ts-expect-error a polyline cannot carry an ellipse
  polyline({ label: "l", coordinates: { center: p, rx: 1, ry: 1 } });
  // @ts-expect-error a point cannot carry a box's two corners
  point({ label: "p", coordinates: [p, p] });
  // @ts-expect-error an ellipse cannot carry a polygon
  ellipse({ label: "e", coordinates: [p, p, p] });
  // @ts-expect-error a cube needs its 8 corners, not a box
  cube({ label: "c", coordinates: [p, p] });
  // @ts-expect-error a pose is a template and an instance, not a point
  pose({ label: "p", coordinates: p });
  // @ts-expect-error a subtitle is a text, not a mask
  subtitle({ label: "s", coordinates: url });
  // @ts-expect-error a mask is a PNG data URL, not any string
  binary({ label: "m", coordinates: "hello" });
  // @ts-expect-error a class has no geometry
  classification({ label: "c", coordinates: [p, p] });
  // @ts-expect-error an angle belongs to boxes only
  segment({ label: "s", coordinates: [p, p, p], angle: 3 });
}

export function readersReturnTheExactType() {
  const b = readAnnotation(stored, "box");
  expectTypeOf(b).toEqualTypeOf<Annotation<"box">>();
  expectTypeOf(b.coordinates).toEqualTypeOf<[Point, Point]>();
  expectTypeOf(b.angle).toEqualTypeOf<number | undefined>();
  expectTypeOf(readAnnotation(stored, "segment").coordinates).toEqualTypeOf<Point[]>();
  expectTypeOf(readAnnotation(stored, "binary").coordinates).toEqualTypeOf<MaskDataUrl>();
  const any = readAnnotation(stored);
  if (any.type === "ellipse") expectTypeOf(any.coordinates.rx).toEqualTypeOf<number>();
  // @ts-expect-error without narrowing, the coordinates are a union
  any.coordinates.rx;
  // @ts-expect-error not a type with a typed shape
  readAnnotation(stored, "text_mark");
}

/**
 * A builder's body is the gateway's request body as the spec types it: `dl.POST` takes it, one or an
 * array (the spec's `APIMetadata` requires `metadata.system`; the builders always send it with metadata).
 */
export async function aBuiltBodyIsTheTypedRequestBody() {
  const { createDataloopClient } = await import("../src/index.js");
  const dl = createDataloopClient({ auth: { apiKey: "k" } });
  const path = { itemId: "64f0c1a2b3c4d5e6f7a8b9c0" };
  await dl.POST("/items/{itemId}/annotations", {
    params: { path },
    body: box({ label: "car", coordinates: [p, p] }),
  });
  await dl.POST("/items/{itemId}/annotations", {
    params: { path },
    body: [
      classification({ label: "day", metadata: { user: { by: "me" } } }),
      segment({ label: "s", coordinates: [p, p, p] }),
    ],
  });
}
