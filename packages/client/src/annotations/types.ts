// The annotation shapes the gateway takes, one per type. The spec types `coordinates` as an `anyOf` of
// thirteen shapes (APIAnnotationCoordinateTypes); here each `type` names exactly one, so the compiler
// refuses a box carrying a polygon's contours. Shapes follow the spec's schemas (Point, APIBoxCoordinates,
// PolygonCoordinates_V1, EllipseCoordinates_V1, CubeCoordinates_V1, PoseCoordinates,
// APINoteAnnotationCoordinates_V1, ItemDescriptionCoordinates) and dtlpy's annotation definitions.

/** A point in pixels (z is 0 for images). */
export interface Point {
  x: number;
  y: number;
  z?: number;
}

export interface EllipseCoordinates {
  center: Point;
  rx: number;
  ry: number;
  /** Degrees. */
  angle?: number;
}

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

export interface PoseCoordinates {
  templateId: string;
  instanceId: string;
}

export interface NoteMessage {
  id: string;
  creator: string;
  /** ms since the epoch. */
  time: number;
  body: string;
}

export interface NoteCoordinates {
  /** The box the note is pinned to: left-top, right-bottom. */
  box?: [Point, Point];
  note: { messages: NoteMessage[]; status: string; createTime: number; creator: string; asignee: string };
  updatedAt: string;
  updatedBy: string;
}

export interface TextCoordinates {
  text: string;
}

/** A PNG data URL (`data:image/png;base64,…`), RGBA, of the item's size: the mask is alpha > 127. */
export type MaskDataUrl = `data:image/png;base64,${string}`;

/** What each builder takes besides the label: the typed shape, and what readers give back. */
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

export type AnnotationType = keyof AnnotationShapes;

/** What the gateway keeps per annotation in `metadata.system` (frames of a video, the object, the parent). */
export interface AnnotationSystemMetadata {
  frame?: number;
  endFrame?: number;
  objectId?: string;
  parentId?: string;
  /** Set by `uploadAnnotations`: the id that makes a retried upload skip what already landed. */
  clientId?: string;
  [key: string]: unknown;
}

export interface AnnotationMetadata {
  system?: AnnotationSystemMetadata;
  user?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Fields every annotation has besides its geometry. */
export interface AnnotationCommon {
  label: string;
  attributes?: string[];
  metadata?: AnnotationMetadata;
  description?: string;
}

/** A builder's input for type `T`. */
export type AnnotationInput<T extends AnnotationType> = AnnotationCommon & AnnotationShapes[T];

/** An annotation in its typed shape (a reader's output; a builder's input plus `type`). */
export type Annotation<T extends AnnotationType = AnnotationType> = {
  [K in T]: { type: K; id?: string } & AnnotationInput<K>;
}[T];

/** What `coordinates` is on the wire for each type. */
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

/** The request body of `POST /items/{itemId}/annotations` for type `T` (one, or an array of them). */
export type AnnotationBody<T extends AnnotationType = AnnotationType> = {
  [K in T]: AnnotationCommon & { type: K; coordinates: WireCoordinates[K] };
}[T];

/** An annotation as the gateway stores and returns it (what DQL `resource: "annotations"` yields). */
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

/** One item's annotations in dtlpy's JSON layout (`dataset.download_annotations`: one file per item). */
export interface ItemAnnotationsJson {
  /** The item's id, when it is known. */
  id?: string;
  /** The item's path in the dataset, `/dir/name.jpg`. */
  filename: string;
  /** The item's image size (`metadata.system.width/height`), which COCO and YOLO need. */
  metadata?: { system?: { width?: number; height?: number; [key: string]: unknown }; [key: string]: unknown };
  annotations: Array<AnnotationBody | StoredAnnotation>;
}
