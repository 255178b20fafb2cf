// The annotation shapes the gateway takes, one per type. The spec types `coordinates` as an `anyOf` of
// thirteen shapes (APIAnnotationCoordinateTypes); here each `type` names exactly one, so the compiler
// refuses a box carrying a polygon's contours. Shapes follow the spec's schemas (Point, APIBoxCoordinates,
// PolygonCoordinates_V1, EllipseCoordinates_V1, CubeCoordinates_V1, PoseCoordinates,
// APINoteAnnotationCoordinates_V1, ItemDescriptionCoordinates) and dtlpy's annotation definitions.

/**
 * A point in pixels (z is 0 for images).
 * @example
 * ```ts
 * import { type Point, point } from "@dataloop-ts/client/annotations";
 *
 * const p: Point = { x: 10, y: 20 };
 * console.log(point({ label: "nose", coordinates: p }));
 * ```
 */
export interface Point {
  x: number;
  y: number;
  z?: number;
}

/**
 * An ellipse: its centre, radii in pixels, and angle in degrees.
 * @example
 * ```ts
 * import { type EllipseCoordinates, ellipse } from "@dataloop-ts/client/annotations";
 *
 * const coordinates: EllipseCoordinates = { center: { x: 50, y: 50 }, rx: 20, ry: 10, angle: 15 };
 * console.log(ellipse({ label: "wheel", coordinates }));
 * ```
 */
export interface EllipseCoordinates {
  center: Point;
  rx: number;
  ry: number;
  /** Degrees. */
  angle?: number;
}

/**
 * A 3D box in an image: its eight corners (front and back, each top-left, top-right, bottom-right, bottom-left), and angle in degrees.
 * @example
 * ```ts
 * import type { CubeCoordinates, Point } from "@dataloop-ts/client/annotations";
 *
 * const p = (x: number, y: number): Point => ({ x, y });
 * const cube: CubeCoordinates = {
 *   front_tl: p(0, 0), front_tr: p(10, 0), front_br: p(10, 10), front_bl: p(0, 10),
 *   back_tl: p(3, 3), back_tr: p(13, 3), back_br: p(13, 13), back_bl: p(3, 13),
 * };
 * console.log(cube);
 * ```
 */
export interface CubeCoordinates {
  front_tl: Point;
  front_tr: Point;
  front_br: Point;
  front_bl: Point;
  back_tl: Point;
  back_tr: Point;
  back_br: Point;
  back_bl: Point;
  /** Degrees. */
  angle?: number;
}

/**
 * A pose annotation's coordinates: the pose template it follows and its instance (the points are child annotations).
 * @example
 * ```ts
 * import { pose, type PoseCoordinates } from "@dataloop-ts/client/annotations";
 *
 * const coordinates: PoseCoordinates = { templateId: "64f0c1a2b3c4d5e6f7a8b9c0", instanceId: "person-1" };
 * console.log(pose({ label: "person", coordinates }));
 * ```
 */
export interface PoseCoordinates {
  templateId: string;
  instanceId: string;
}

/**
 * One message of a note's thread: its id, author, time (ms since the epoch) and text.
 * @example
 * ```ts
 * import type { NoteMessage } from "@dataloop-ts/client/annotations";
 *
 * const message: NoteMessage = { id: "m1", creator: "me@example.com", time: Date.now(), body: "Check this box" };
 * console.log(message);
 * ```
 */
export interface NoteMessage {
  id: string;
  creator: string;
  /** ms since the epoch. */
  time: number;
  body: string;
}

/**
 * A note annotation's coordinates: the box it is pinned to, its thread and status, and who changed it last.
 * @example
 * ```ts
 * import { note, type NoteCoordinates } from "@dataloop-ts/client/annotations";
 *
 * const coordinates: NoteCoordinates = {
 *   box: [{ x: 0, y: 0 }, { x: 40, y: 40 }],
 *   note: { messages: [], status: "open", createTime: Date.now(), creator: "me@example.com", asignee: "you@example.com" },
 *   updatedAt: new Date().toISOString(),
 *   updatedBy: "me@example.com",
 * };
 * console.log(note({ label: "review", coordinates }));
 * ```
 */
export interface NoteCoordinates {
  /** The box the note is pinned to: left-top, right-bottom. */
  box?: [Point, Point];
  note: { messages: NoteMessage[]; status: string; createTime: number; creator: string; asignee: string };
  updatedAt: string;
  updatedBy: string;
}

/**
 * The coordinates of a `subtitle` or an `item_description`: its text.
 * @example
 * ```ts
 * import { subtitle, type TextCoordinates } from "@dataloop-ts/client/annotations";
 *
 * const coordinates: TextCoordinates = { text: "Hello there" };
 * console.log(subtitle({ label: "en", coordinates }));
 * ```
 */
export interface TextCoordinates {
  text: string;
}

/**
 * A PNG data URL (`data:image/png;base64,…`), RGBA, of the item's size: the mask is alpha > 127.
 * @example
 * ```ts
 * import { encodeMask, type MaskDataUrl } from "@dataloop-ts/client/annotations";
 *
 * const url: MaskDataUrl = await encodeMask({ width: 2, height: 1, data: new Uint8Array([1, 0]) });
 * console.log(url.startsWith("data:image/png;base64,"));
 * ```
 */
export type MaskDataUrl = `data:image/png;base64,${string}`;

/**
 * What each builder takes besides the label: the typed shape, and what readers give back.
 * @example
 * ```ts
 * import type { AnnotationShapes } from "@dataloop-ts/client/annotations";
 *
 * const box: AnnotationShapes["box"] = { coordinates: [{ x: 0, y: 0 }, { x: 10, y: 10 }], angle: 30 };
 * const line: AnnotationShapes["polyline"] = { coordinates: [{ x: 0, y: 0 }, { x: 5, y: 5 }] };
 * console.log(box, line);
 * ```
 */
export interface AnnotationShapes {
  /** Left-top and right-bottom corners; `angle` in degrees, about the centre. */
  box: { coordinates: [Point, Point]; angle?: number };
  /** One closed contour, at least 3 points. */
  segment: { coordinates: Point[] };
  /** One open line, at least 2 points. */
  polyline: { coordinates: Point[] };
  point: { coordinates: Point };
  ellipse: { coordinates: EllipseCoordinates };
  cube: { coordinates: CubeCoordinates };
  pose: { coordinates: PoseCoordinates };
  note: { coordinates: NoteCoordinates };
  subtitle: { coordinates: TextCoordinates };
  item_description: { coordinates: TextCoordinates };
  binary: { coordinates: MaskDataUrl };
  /** A label with no geometry. */
  class: { coordinates?: never };
}

/**
 * Every annotation type Dataloop knows: `box`, `segment`, `polyline`, `point`, `ellipse`, `cube`, `pose`, `note`, `subtitle`, `item_description`, `binary`, `class`.
 * @example
 * ```ts
 * import { type AnnotationType, isKnownType } from "@dataloop-ts/client/annotations";
 *
 * const type: AnnotationType = "segment";
 * console.log(isKnownType(type), isKnownType("hologram"));
 * ```
 */
export type AnnotationType = keyof AnnotationShapes;

/**
 * What the gateway keeps per annotation in `metadata.system` (frames of a video, the object, the parent).
 * @example
 * ```ts
 * import { type AnnotationSystemMetadata, box } from "@dataloop-ts/client/annotations";
 *
 * const system: AnnotationSystemMetadata = { frame: 10, endFrame: 40, objectId: "7" };
 * console.log(box({ label: "car", coordinates: [{ x: 0, y: 0 }, { x: 5, y: 5 }], metadata: { system } }));
 * ```
 */
export interface AnnotationSystemMetadata {
  frame?: number;
  endFrame?: number;
  objectId?: string;
  parentId?: string;
  /** Set by `uploadAnnotations`: the id that makes a retried upload skip what already landed. */
  clientId?: string;
  [key: string]: unknown;
}

/**
 * An annotation's metadata: the gateway's `system` part (frames, object, parent) and your `user` part.
 * @example
 * ```ts
 * import { type AnnotationMetadata, classification } from "@dataloop-ts/client/annotations";
 *
 * const metadata: AnnotationMetadata = { system: { frame: 3 }, user: { reviewer: "me@example.com" } };
 * console.log(classification({ label: "daytime", metadata }));
 * ```
 */
export interface AnnotationMetadata {
  system?: AnnotationSystemMetadata;
  user?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Fields every annotation has besides its geometry.
 * @example
 * ```ts
 * import type { AnnotationCommon } from "@dataloop-ts/client/annotations";
 *
 * const common: AnnotationCommon = { label: "car", attributes: ["parked"], description: "left lane", metadata: { user: { n: 1 } } };
 * console.log(common);
 * ```
 */
export interface AnnotationCommon {
  label: string;
  attributes?: string[];
  metadata?: AnnotationMetadata;
  description?: string;
}

/**
 * A builder's input for type `T`.
 * @example
 * ```ts
 * import { type AnnotationInput, segment } from "@dataloop-ts/client/annotations";
 *
 * const input: AnnotationInput<"segment"> = { label: "road", coordinates: [{ x: 0, y: 0 }, { x: 50, y: 0 }, { x: 25, y: 40 }] };
 * console.log(segment(input));
 * ```
 */
export type AnnotationInput<T extends AnnotationType> = AnnotationCommon & AnnotationShapes[T];

/**
 * An annotation in its typed shape (a reader's output; a builder's input plus `type`).
 * @example
 * ```ts
 * import { type Annotation, readAnnotation, type StoredAnnotation } from "@dataloop-ts/client/annotations";
 *
 * const stored: StoredAnnotation = { id: "a1", type: "point", label: "nose", coordinates: { x: 3, y: 4 } };
 * const a: Annotation = readAnnotation(stored);
 * if (a.type === "point") console.log(a.coordinates.x, a.coordinates.y); // narrowed by `type`
 * ```
 */
export type Annotation<T extends AnnotationType = AnnotationType> = {
  [K in T]: { type: K; id?: string } & AnnotationInput<K>;
}[T];

/**
 * What `coordinates` is on the wire for each type.
 * @example
 * ```ts
 * import type { WireCoordinates } from "@dataloop-ts/client/annotations";
 *
 * const rotatedBox: WireCoordinates["box"] = [{ x: 0, y: 0 }, { x: 10, y: 10 }, 30];
 * const polygon: WireCoordinates["segment"] = [[{ x: 0, y: 0 }, { x: 5, y: 0 }, { x: 0, y: 5 }]];
 * console.log(rotatedBox, polygon);
 * ```
 */
export interface WireCoordinates {
  box: [Point, Point] | [Point, Point, number];
  segment: Point[][];
  polyline: Point[][];
  point: Point;
  ellipse: EllipseCoordinates;
  cube: CubeCoordinates;
  pose: PoseCoordinates;
  note: NoteCoordinates;
  subtitle: TextCoordinates;
  item_description: TextCoordinates;
  binary: MaskDataUrl;
  class: [];
}

/**
 * The request body of `POST /items/{itemId}/annotations` for type `T` (one, or an array of them).
 * @example
 * ```ts
 * import { type AnnotationBody, box } from "@dataloop-ts/client/annotations";
 *
 * const body: AnnotationBody<"box"> = box({ label: "car", coordinates: [{ x: 1, y: 2 }, { x: 30, y: 40 }] });
 * const literal: AnnotationBody = { type: "class", label: "daytime", coordinates: [] };
 * console.log(body, literal);
 * ```
 */
export type AnnotationBody<T extends AnnotationType = AnnotationType> = {
  [K in T]: Omit<AnnotationCommon, "metadata"> & {
    type: K;
    coordinates: WireCoordinates[K];
    /** The gateway's request schema (`APIMetadata`) requires `system` whenever `metadata` is sent. */
    metadata?: AnnotationMetadata & { system: AnnotationSystemMetadata };
  };
}[T];

/**
 * An annotation as the gateway stores and returns it (what DQL `resource: "annotations"` yields).
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import type { StoredAnnotation } from "@dataloop-ts/client/annotations";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const { data } = await dl.GET("/items/{itemId}/annotations", { params: { path: { itemId: "64f0c1a2b3c4d5e6f7a8b9c0" } } });
 * const stored = data as unknown as StoredAnnotation[];
 * console.log(stored.map((a) => `${a.type} ${a.label}`));
 * ```
 */
export interface StoredAnnotation {
  id?: string;
  type: string;
  label: string;
  coordinates?: unknown;
  attributes?: unknown;
  metadata?: Record<string, unknown>;
  itemId?: string;
  description?: string;
  [key: string]: unknown;
}

/**
 * One item's annotations in dtlpy's JSON layout (`dataset.download_annotations`: one file per item).
 * @example
 * ```ts
 * import type { ItemAnnotationsJson } from "@dataloop-ts/client/annotations";
 *
 * const item: ItemAnnotationsJson = {
 *   filename: "/cats/1.jpg",
 *   metadata: { system: { width: 640, height: 480 } },
 *   annotations: [{ type: "class", label: "cat", coordinates: [] }],
 * };
 * console.log(JSON.stringify(item));
 * ```
 */
export interface ItemAnnotationsJson {
  /** The item's id, when it is known. */
  id?: string;
  /** The item's path in the dataset, `/dir/name.jpg`. */
  filename: string;
  /** The item's image size (`metadata.system.width/height`), which COCO and YOLO need. */
  metadata?: { system?: { width?: number; height?: number; [key: string]: unknown }; [key: string]: unknown };
  annotations: Array<AnnotationBody | StoredAnnotation>;
}
