// COCO instances ↔ Dataloop JSON (dtlpy's one-JSON-per-item layout).
//
// COCO → Dataloop: `bbox` alone is a box (a CVAT-style `attributes.rotation`, degrees, is its angle);
// polygon `segmentation` is one `segment` per polygon (several polygons of one COCO annotation share a
// `metadata.system.objectId`, which brings them back together); RLE (either form) is a `binary` mask of
// the image's size; `iscrowd: 1` and any other `attributes` ride in `metadata.user.coco`. Dataloop →
// COCO is the inverse; crowd masks are written as uncompressed RLE (as COCO's ground truth is), other
// masks compressed. `area` is computed (w·h, the shoelace area, or the mask's pixel count), `bbox` of a
// polygon or mask is its extent. Types COCO cannot hold (point, polyline, ellipse, class, …) are listed.
import type { Conversion, Source } from "./conversion.js";
import { readForExport } from "./conversion.js";
import { AnnotationInputError, AnnotationNotExpressibleError, type ConversionIssue } from "./errors.js";
import { isKnownType, readAnnotation } from "./readers.js";
import { countsToString, maskToCounts, type Rle, rleToMask } from "./rle.js";
import type { AnnotationBody, ItemAnnotationsJson, Point } from "./types.js";

/**
 * One image of a COCO file: its id, file name and size.
 * @example
 * ```ts
 * import type { CocoImage } from "@dataloop-ts/client/annotations";
 *
 * const image: CocoImage = { id: 1, file_name: "cats/1.jpg", width: 640, height: 480 };
 * console.log(image);
 * ```
 */
export interface CocoImage {
  id: number | string;
  file_name: string;
  width?: number;
  height?: number;
  [key: string]: unknown;
}

/**
 * One annotation of a COCO file: its image and category, a `bbox` `[x, y, w, h]`, polygons or an RLE mask.
 * @example
 * ```ts
 * import type { CocoAnnotation } from "@dataloop-ts/client/annotations";
 *
 * const a: CocoAnnotation = { id: 7, image_id: 1, category_id: 2, bbox: [10, 20, 100, 50], iscrowd: 0 };
 * const polygon: CocoAnnotation = { id: 8, image_id: 1, category_id: 2, segmentation: [[0, 0, 10, 0, 5, 8]] };
 * console.log(a, polygon);
 * ```
 */
export interface CocoAnnotation {
  id: number | string;
  image_id: number | string;
  category_id: number | string;
  bbox?: number[];
  segmentation?: number[][] | Rle;
  area?: number;
  iscrowd?: number;
  attributes?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * A category of a COCO file: its id and name (a Dataloop label).
 * @example
 * ```ts
 * import type { CocoCategory } from "@dataloop-ts/client/annotations";
 *
 * const categories: CocoCategory[] = [{ id: 1, name: "cat", supercategory: "animal" }];
 * console.log(categories);
 * ```
 */
export interface CocoCategory {
  id: number | string;
  name: string;
  supercategory?: string;
}

/**
 * A COCO instances file: its images, annotations and categories.
 * @example
 * ```ts
 * import { type CocoFile, cocoToDataloop } from "@dataloop-ts/client/annotations";
 *
 * const coco: CocoFile = {
 *   images: [{ id: 1, file_name: "1.jpg", width: 64, height: 48 }],
 *   annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [4, 4, 10, 10] }],
 *   categories: [{ id: 1, name: "cat" }],
 * };
 * for await (const item of cocoToDataloop(coco).items) console.log(item.filename, item.annotations);
 * ```
 */
export interface CocoFile {
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
  [key: string]: unknown;
}

interface CocoUserMetadata {
  iscrowd?: number;
  attributes?: Record<string, unknown>;
}

const filenameOf = (fileName: string) => `/${fileName.replace(/^\/+/, "")}`;

/** The masks' codec, loaded when a mask is first met (a COCO file of polygons and boxes never loads it). */
const masks = () => import("./mask.js");

/** An RLE segmentation as a `binary` annotation (async: the PNG codec is loaded on the first one). */
async function maskAnnotation(
  seg: Rle,
  label: string,
  metadata: AnnotationBody["metadata"],
): Promise<AnnotationBody> {
  const { encodeMask } = await masks();
  const coordinates = await encodeMask(rleToMask(seg));
  return metadata ? { type: "binary", label, coordinates, metadata } : { type: "binary", label, coordinates };
}

/**
 * Adds the Dataloop bodies of COCO annotation `a` to `out`: a box, one segment per polygon, or a mask
 * (then a promise: its codec is loaded on the first one). A bad annotation throws before any is added.
 * Bodies are made whole, without spreads or closures: what a conversion allocates per annotation is
 * what grows V8's young generation over a long file (the annotations bench, `--trace-gc-nvp`).
 */
function addAnnotations(
  a: CocoAnnotation,
  label: string,
  image: CocoImage,
  source: string,
  out: AnnotationBody[],
): undefined | Promise<void> {
  const bad = (message: string) => new AnnotationInputError({ source, id: a.id, message });
  let rotation: unknown;
  let user: { coco: CocoUserMetadata } | undefined;
  // Most annotations have neither: the common case allocates nothing here.
  if (a.iscrowd || a.attributes) {
    const { rotation: r, ...otherAttributes } = a.attributes ?? {};
    rotation = r;
    const coco: CocoUserMetadata = {
      ...(a.iscrowd ? { iscrowd: a.iscrowd } : {}),
      ...(Object.keys(otherAttributes).length ? { attributes: otherAttributes } : {}),
    };
    if (Object.keys(coco).length) user = { coco };
  }
  const seg = a.segmentation;
  if (seg && !Array.isArray(seg)) {
    if (!Array.isArray(seg.size) || (typeof seg.counts !== "string" && !Array.isArray(seg.counts)))
      throw bad("an RLE segmentation needs size [h, w] and counts");
    const [h, w] = seg.size;
    if (image.width !== undefined && image.height !== undefined && (w !== image.width || h !== image.height))
      throw bad(`the mask is ${w}×${h} but image ${image.id} is ${image.width}×${image.height}`);
    return maskAnnotation(seg, label, user ? { system: {}, user } : undefined).then((body) => {
      out.push(body);
    });
  }
  if (Array.isArray(seg) && seg.length) {
    for (let n = 0; n < seg.length; n++) {
      const flat = seg[n];
      if (!Array.isArray(flat) || flat.length % 2 || flat.length < 6 || !flat.every(Number.isFinite))
        throw bad(
          `polygon ${n} has ${Array.isArray(flat) ? flat.length / 2 : 0} points; a polygon needs 3 or more (x, y pairs)`,
        );
    }
    // `system` goes with any metadata: the gateway's schema (APIMetadata) requires it.
    const system = seg.length > 1 ? { objectId: String(a.id) } : undefined;
    const metadata = user ? { system: system ?? {}, user } : system ? { system } : undefined;
    // The points were checked above: the body is made here rather than by `segment`, which would
    // check and copy each point again (a third of the conversion's time in the bench).
    for (const flat of seg as number[][]) {
      const points = new Array<Point>(flat.length / 2);
      for (let i = 0; i < flat.length; i += 2)
        points[i / 2] = { x: flat[i] as number, y: flat[i + 1] as number, z: 0 };
      out.push(
        metadata
          ? { type: "segment", label, coordinates: [points], metadata }
          : { type: "segment", label, coordinates: [points] },
      );
    }
    return;
  }
  const b = a.bbox;
  if (
    !Array.isArray(b) ||
    b.length !== 4 ||
    !b.every(Number.isFinite) ||
    (b[2] as number) < 0 ||
    (b[3] as number) < 0
  )
    throw bad("an annotation with no segmentation needs a bbox [x, y, width, height]");
  if (rotation !== undefined && !Number.isFinite(rotation))
    throw bad("attributes.rotation must be a number of degrees");
  const [x, y, w, h] = b as [number, number, number, number];
  const tl = { x, y, z: 0 };
  const br = { x: x + w, y: y + h, z: 0 };
  const coordinates: [Point, Point] | [Point, Point, number] = rotation
    ? [tl, br, rotation as number]
    : [tl, br];
  out.push(
    user
      ? { type: "box", label, coordinates, metadata: { system: {}, user } }
      : { type: "box", label, coordinates },
  );
  return;
}

/**
 * A COCO file grouped by image, its annotations read on demand: what `openCocoFile`
 * (`@dataloop-ts/client/annotations/node`) gives for a big file, so that only one image's annotations
 * are parsed at a time.
 * @example
 * ```ts
 * import { cocoToDataloop, indexCoco } from "@dataloop-ts/client/annotations";
 *
 * const index = indexCoco({ images: [{ id: 1, file_name: "1.jpg" }], annotations: [], categories: [] });
 * console.log(index.annotationsOf("1"), index.orphans);
 * const { items } = cocoToDataloop(index);
 * for await (const item of items) console.log(item.filename);
 * ```
 */
export interface CocoIndex {
  images: CocoImage[];
  /**
   * The images in order, each parsed as it is reached and let go after: what a conversion reads when
   * the index offers it (`openCocoFile`'s does; its `images` parses them all when first read).
   */
  eachImage?(): Iterable<CocoImage>;
  categories: CocoCategory[];
  /**
   * The annotations of one image (by `String(image.id)`); one that is not JSON comes as the
   * `AnnotationInputError` naming its bytes, so that the others go on.
   */
  annotationsOf(
    imageId: string,
  ):
    | ReadonlyArray<CocoAnnotation | AnnotationInputError>
    | Promise<ReadonlyArray<CocoAnnotation | AnnotationInputError>>;
  /** Annotations whose `image_id` is not in `images` (or not JSON). */
  orphans: ReadonlyArray<CocoAnnotation | AnnotationInputError>;
  /** Releases what the index holds open (a file); called when a conversion ends. */
  close?(): Promise<void>;
}

/**
 * Groups an in-memory COCO file by image.
 * @example
 * ```ts
 * import { indexCoco } from "@dataloop-ts/client/annotations";
 *
 * const index = indexCoco({
 *   images: [{ id: 1, file_name: "1.jpg" }],
 *   annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 2, 2] }, { id: 2, image_id: 9, category_id: 1 }],
 *   categories: [{ id: 1, name: "cat" }],
 * });
 * console.log((await index.annotationsOf("1")).length, index.orphans.length); // 1 1
 * ```
 */
export function indexCoco(coco: CocoFile): CocoIndex {
  const byImage = new Map<string, CocoAnnotation[]>();
  const ids = new Set((coco.images ?? []).map((i) => String(i.id)));
  const orphans: CocoAnnotation[] = [];
  for (const a of coco.annotations ?? []) {
    const key = String(a.image_id);
    if (!ids.has(key)) {
      orphans.push(a);
      continue;
    }
    const list = byImage.get(key);
    if (list) list.push(a);
    else byImage.set(key, [a]);
  }
  return {
    images: coco.images ?? [],
    categories: coco.categories ?? [],
    annotationsOf: (id) => byImage.get(id) ?? [],
    orphans,
  };
}

/**
 * A COCO instances file as Dataloop JSON, one item per image (images with no annotations too), in the
 * order of `images`. Bad annotations (a category that does not exist, a polygon of two points, a mask
 * of the wrong size) are `issues`; the rest goes on.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { cocoToDataloop, uploadAnnotations } from "@dataloop-ts/client/annotations";
 * import { openCocoFile } from "@dataloop-ts/client/annotations/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const there = cocoToDataloop(await openCocoFile("instances.json"), { source: "instances.json" });
 * await uploadAnnotations(dl, "64f0c1a2b3c4d5e6f7a8b9c1", there.items); // entries by filename
 * for (const issue of there.issues) console.log(issue.code, issue.message); // filled as items are read
 * ```
 */
export function cocoToDataloop(
  file: CocoFile | CocoIndex,
  options: { source?: string } = {},
): Conversion<ItemAnnotationsJson> {
  const source = options.source ?? "coco.json";
  const issues: ConversionIssue[] = [];
  async function* items() {
    const coco =
      typeof (file as CocoIndex).annotationsOf === "function"
        ? (file as CocoIndex)
        : indexCoco(file as CocoFile);
    try {
      const labels = new Map<string, string>();
      for (const c of coco.categories) labels.set(String(c.id), c.name);
      for (const a of coco.orphans)
        issues.push(
          a instanceof AnnotationInputError
            ? a
            : new AnnotationInputError({
                source,
                id: a.id,
                message: `image_id ${a.image_id} is not in images`,
              }),
        );
      for (const image of coco.eachImage?.() ?? coco.images) {
        const annotations: AnnotationBody[] = [];
        for (const a of await coco.annotationsOf(String(image.id))) {
          if (a instanceof AnnotationInputError) {
            issues.push(a);
            continue;
          }
          const label = labels.get(String(a.category_id));
          if (label === undefined) {
            issues.push(
              new AnnotationInputError({
                source,
                id: a.id,
                message: `category_id ${a.category_id} is not in categories`,
                hint: "Add the category to `categories`, or fix the annotation's category_id.",
              }),
            );
            continue;
          }
          try {
            const made = addAnnotations(a, label, image, source, annotations);
            // Only a mask is a promise: the common case is not awaited (an await per annotation).
            if (made) await made;
          } catch (error) {
            if (!(error instanceof AnnotationInputError)) throw error;
            issues.push(error);
          }
        }
        const system: { width?: number; height?: number } = {};
        if (image.width !== undefined) system.width = image.width;
        if (image.height !== undefined) system.height = image.height;
        yield {
          filename: filenameOf(image.file_name),
          metadata: { system },
          annotations,
        } satisfies ItemAnnotationsJson;
      }
    } finally {
      await coco.close?.();
    }
  }
  return { items: items(), issues };
}

const shoelace = (p: Point[]) => {
  let s = 0;
  for (let i = 0, j = p.length - 1; i < p.length; j = i++) s += (p[j]!.x + p[i]!.x) * (p[j]!.y - p[i]!.y);
  return Math.abs(s / 2);
};

type Corners = [x0: number, y0: number, x1: number, y1: number];

function cornersOf(points: Point[]): Corners {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    if (p.x < x0) x0 = p.x;
    if (p.y < y0) y0 = p.y;
    if (p.x > x1) x1 = p.x;
    if (p.y > y1) y1 = p.y;
  }
  return [x0, y0, x1, y1];
}

/**
 * The options of `dataloopToCoco`: category names in id order (ids from 1), and extra top-level fields (`info`, `licenses`).
 * @example
 * ```ts
 * import { dataloopToCoco, type DataloopToCocoOptions } from "@dataloop-ts/client/annotations";
 *
 * const options: DataloopToCocoOptions = { categories: ["cat", "dog"], header: { info: { description: "pets" } } };
 * const { items } = dataloopToCoco([], options);
 * let text = "";
 * for await (const chunk of items) text += chunk;
 * console.log(JSON.parse(text).categories);
 * ```
 */
export interface DataloopToCocoOptions {
  /** Category names in id order (ids from 1); labels not listed get the next ids as they are met. */
  categories?: readonly string[];
  /** Extra top-level fields (`info`, `licenses`). */
  header?: Record<string, unknown>;
}

/**
 * Dataloop JSON (one item after another) as a COCO instances file, written as it is read: `chunks`
 * yields the text, one item's annotations at a time; `images` and `categories` (one entry per item and
 * per label) are kept until the end. What COCO cannot hold is listed in `issues`.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { dataloopToCoco, downloadAnnotations } from "@dataloop-ts/client/annotations";
 * import { writeChunksAtomic } from "@dataloop-ts/client/annotations/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const back = dataloopToCoco(downloadAnnotations(dl, "64f0c1a2b3c4d5e6f7a8b9c1"));
 * await writeChunksAtomic("out/coco.json", back.items); // written as it is read
 * console.log(back.issues.length, "annotations COCO cannot hold or that were bad");
 * ```
 */
export function dataloopToCoco(
  source: Source<ItemAnnotationsJson>,
  options: DataloopToCocoOptions = {},
): Conversion<string> {
  const issues: ConversionIssue[] = [];
  return { items: cocoChunks(source, options, issues), issues };
}

// The loop of `dataloopToCoco`, kept small: the work per item and per annotation is in the functions
// below. Why: when it was one generator of 150 lines, TurboFan compiled it twice at ~120 ms each
// (--trace-opt) and the peak RSS of the annotations bench's "Dataloop JSON → COCO" was 8 MB lower
// with --no-opt than without (the compiler's zones and code pages).
async function* cocoChunks(
  source: Source<ItemAnnotationsJson>,
  options: DataloopToCocoOptions,
  issues: ConversionIssue[],
): AsyncGenerator<string, void, undefined> {
  const out = new CocoWriter(options.categories ?? [], issues);
  const header = Object.entries(options.header ?? {}).map(
    ([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)},`,
  );
  yield `{${header.join("")}"annotations":[`;
  let first = true;
  for await (const item of source) {
    // Masks are decoded first (the PNG codec is async): the rest of an item is converted synchronously.
    const masks = item.annotations.some(isStoredMask) ? await decodeMasks(item) : undefined;
    const text = out.item(item, masks);
    if (text === undefined) continue;
    // The separator apart: `${sep}${text}` was a cons string, flattened (copied) when it was written.
    yield first ? "\n" : ",\n";
    first = false;
    yield text;
  }
  yield* out.end();
}

type MaskCodec = Awaited<ReturnType<typeof masks>>;
type DecodedMask = Awaited<ReturnType<MaskCodec["decodeMask"]>>;
type Masks = Map<unknown, DecodedMask | AnnotationInputError>;

const isStoredMask = (a: { type?: unknown; coordinates?: unknown } | undefined) =>
  a?.type === "binary" && typeof a.coordinates === "string";

/** The masks of an item decoded, by annotation; one that cannot be read is its `AnnotationInputError`. */
async function decodeMasks(item: ItemAnnotationsJson): Promise<Masks> {
  const { decodeMask } = await masks();
  const width = item.metadata?.system?.width;
  const height = item.metadata?.system?.height;
  const size = width !== undefined && height !== undefined ? { width, height } : undefined;
  const decoded: Masks = new Map();
  for (const stored of item.annotations) {
    if (!isStoredMask(stored)) continue;
    const place = { source: item.filename, id: (stored as { id?: string }).id };
    try {
      decoded.set(stored, await decodeMask(stored.coordinates as string, size, place));
    } catch (error) {
      if (!(error instanceof AnnotationInputError)) throw error;
      decoded.set(stored, error);
    }
  }
  return decoded;
}

/** What every COCO annotation of an image starts with (after its `id`). */
interface CocoBase {
  image_id: number;
  category_id: number;
  iscrowd: number;
}

/** `metadata.user.coco` of an annotation that has none (most): one object rather than one per annotation. */
const NO_COCO: CocoUserMetadata = Object.freeze({});

/** A polygon annotation that later polygons of the same object join: its corners so far, for the extent of them all. */
interface Joined {
  ann: CocoAnnotation & { segmentation: number[][] };
  corners: Corners;
}

/**
 * The COCO file `dataloopToCoco` writes: the annotations' text item by item, the images and
 * categories at the end. The images are kept as UTF-8 bytes, not objects: 10 000 image objects (and
 * their file names) survived scavenges and were promoted, and the bytes surviving scavenges are what
 * grows V8's young generation (semi-spaces 1 → 2 → 4 MB, each step more RSS; --trace-gc-nvp:
 * new_space_capacity, new_space_survived, promoted).
 */
class CocoWriter {
  private readonly categories = new Map<string, number>();
  private readonly images = new Utf8Pieces();
  /** The polygons of the current item that carry an object id, by object id and label. */
  private readonly groups = new Map<string, Joined>();
  private imageCount = 0;
  private annotationId = 0;

  constructor(
    names: readonly string[],
    private readonly issues: ConversionIssue[],
  ) {
    for (const name of names)
      if (!this.categories.has(name)) this.categories.set(name, this.categories.size + 1);
  }

  private categoryOf(label: string): number {
    const known = this.categories.get(label);
    if (known !== undefined) return known;
    const id = this.categories.size + 1;
    this.categories.set(label, id);
    return id;
  }

  /** An item's image kept, and its annotations' text (JSON, comma-separated), or `undefined` when it has none. */
  item(item: ItemAnnotationsJson, masks?: Masks): string | undefined {
    const imageId = this.image(item);
    const out: CocoAnnotation[] = [];
    for (const stored of item.annotations) {
      const ann = this.annotation(stored, item.filename, imageId, masks);
      if (ann) out.push(ann);
    }
    if (this.groups.size) this.groups.clear();
    // One JSON.stringify of the array, its brackets sliced off (a slice is not copied), rather than one
    // string per annotation joined: the joined copy was 28 MB of the bench's 390 MB allocated (sampling
    // heap profiler), and what is allocated sets how many scavenges run and how much survives them.
    return out.length ? JSON.stringify(out).slice(1, -1) : undefined;
  }

  /** The item's image kept (as text), its id returned. */
  private image(item: ItemAnnotationsJson): number {
    const id = ++this.imageCount;
    const width = item.metadata?.system?.width;
    const height = item.metadata?.system?.height;
    this.images.add(
      `${id === 1 ? "" : ",\n"}${JSON.stringify({
        id,
        file_name: item.filename.replace(/^\/+/, ""),
        ...(width !== undefined ? { width } : {}),
        ...(height !== undefined ? { height } : {}),
      })}`,
    );
    return id;
  }

  /**
   * One stored annotation as a new COCO annotation; `undefined` when it joined a polygon of its object,
   * or is listed in `issues` (bad, or a type COCO cannot hold).
   */
  private annotation(
    stored: ItemAnnotationsJson["annotations"][number],
    filename: string,
    imageId: number,
    masks: Masks | undefined,
  ): CocoAnnotation | undefined {
    const place = { source: filename, id: (stored as { id?: string }).id };
    const a = readForExport(stored, place, "COCO", this.issues);
    if (!a) return undefined;
    const coco = (a.metadata?.user?.coco as CocoUserMetadata | undefined) ?? NO_COCO;
    const base: CocoBase = {
      image_id: imageId,
      category_id: this.categoryOf(a.label),
      iscrowd: coco.iscrowd ?? 0,
    };
    if (a.type === "box") return boxOf(++this.annotationId, base, a.coordinates, a.angle, coco);
    if (a.type === "segment") {
      const group = a.metadata?.system?.objectId;
      const corners = cornersOf(a.coordinates);
      if (group === undefined) return polygonOf(++this.annotationId, base, a.coordinates, corners, coco);
      const key = `${group}\u0000${a.label}`;
      const joined = this.groups.get(key);
      if (joined) {
        join(joined, a.coordinates, corners);
        return undefined;
      }
      const ann = polygonOf(++this.annotationId, base, a.coordinates, corners, coco);
      this.groups.set(key, { ann, corners });
      return ann;
    }
    if (a.type === "binary") {
      const mask = masks?.get(stored);
      // Not decoded: only a mask whose coordinates are not a string, which readForExport refused.
      if (mask === undefined) return undefined;
      if (mask instanceof AnnotationInputError) {
        this.issues.push(mask);
        return undefined;
      }
      return maskOf(++this.annotationId, base, mask, coco);
    }
    this.issues.push(new AnnotationNotExpressibleError({ format: "COCO", type: a.type, ...place }));
    return undefined;
  }

  /** The end of the file: the images (in pieces of the text kept) and the categories. */
  *end(): Generator<string, void, undefined> {
    yield `\n],"images":[\n`;
    yield* this.images.read();
    yield `\n],"categories":[\n${[...this.categories]
      .map(([name, id]) => JSON.stringify({ id, name }))
      .join(",\n")}\n]}\n`;
  }
}

// The annotations are made with their keys written out (the order COCO files have), not spread from
// `base` and from `{}` or `{ attributes }`: no temporary objects for each annotation.
function boxOf(
  id: number,
  base: CocoBase,
  [tl, br]: [Point, Point],
  angle: number | undefined,
  coco: CocoUserMetadata,
): CocoAnnotation {
  const w = br.x - tl.x;
  const h = br.y - tl.y;
  const ann: CocoAnnotation = {
    id,
    image_id: base.image_id,
    category_id: base.category_id,
    iscrowd: base.iscrowd,
    bbox: [tl.x, tl.y, w, h],
    area: w * h,
    segmentation: [],
  };
  if (coco.attributes || angle) {
    const attributes = { ...coco.attributes, ...(angle ? { rotation: angle } : {}) };
    if (Object.keys(attributes).length) ann.attributes = attributes;
  }
  return ann;
}

function polygonOf(
  id: number,
  base: CocoBase,
  points: Point[],
  corners: Corners,
  coco: CocoUserMetadata,
): Joined["ann"] {
  // The extent now (merged as polygons join), not points kept and deleted before writing: a
  // `delete` turned each object into a dictionary, slow to stringify (profile of the bench).
  const ann: Joined["ann"] = {
    id,
    image_id: base.image_id,
    category_id: base.category_id,
    iscrowd: base.iscrowd,
    segmentation: [flatten(points)],
    area: shoelace(points),
    bbox: [corners[0], corners[1], corners[2] - corners[0], corners[3] - corners[1]],
  };
  if (coco.attributes) ann.attributes = coco.attributes;
  return ann;
}

/** A polygon of the same object added to `joined`: its extent is that of all of them (exact, not a union of widths). */
function join(joined: Joined, points: Point[], corners: Corners) {
  const { ann, corners: c } = joined;
  ann.segmentation.push(flatten(points));
  if (corners[0] < c[0]) c[0] = corners[0];
  if (corners[1] < c[1]) c[1] = corners[1];
  if (corners[2] > c[2]) c[2] = corners[2];
  if (corners[3] > c[3]) c[3] = corners[3];
  ann.bbox = [c[0], c[1], c[2] - c[0], c[3] - c[1]];
  ann.area = (ann.area as number) + shoelace(points);
}

function flatten(points: Point[]): number[] {
  const flat = new Array<number>(points.length * 2);
  for (let i = 0; i < points.length; i++) {
    flat[2 * i] = points[i]?.x as number;
    flat[2 * i + 1] = points[i]?.y as number;
  }
  return flat;
}

function maskOf(id: number, base: CocoBase, mask: DecodedMask, coco: CocoUserMetadata): CocoAnnotation {
  const counts = maskToCounts(mask);
  let area = 0;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < mask.data.length; i++)
    if (mask.data[i]) {
      area++;
      const x = i % mask.width;
      const y = (i - x) / mask.width;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  const ann: CocoAnnotation = {
    id,
    image_id: base.image_id,
    category_id: base.category_id,
    iscrowd: base.iscrowd,
    segmentation: {
      size: [mask.height, mask.width],
      counts: base.iscrowd ? counts : countsToString(counts),
    },
    area,
    bbox: area ? [x0, y0, x1 - x0 + 1, y1 - y0 + 1] : [0, 0, 0, 0],
  };
  if (coco.attributes) ann.attributes = coco.attributes;
  return ann;
}

const PIECE_BYTES = 64 * 1024;

/**
 * Text kept as UTF-8 bytes, off the JS heap, read back in pieces of about `PIECE_BYTES` (each text
 * added stays whole in one piece, so each piece decodes alone). Universal: `Uint8Array` and
 * `TextEncoder`, no `Buffer`.
 */
class Utf8Pieces {
  private readonly pieces: Uint8Array[] = [];
  private piece = new Uint8Array(0);
  private used = 0;
  private readonly encoder = new TextEncoder();

  add(text: string): void {
    const into = this.encoder.encodeInto(text, this.piece.subarray(this.used));
    if (into.read === text.length) {
      this.used += into.written;
      return;
    }
    if (this.used) this.pieces.push(this.piece.subarray(0, this.used));
    // A UTF-16 unit takes at most 3 bytes in UTF-8.
    this.piece = new Uint8Array(Math.max(PIECE_BYTES, text.length * 3));
    this.used = this.encoder.encodeInto(text, this.piece).written;
  }

  *read(): Generator<string, void, undefined> {
    const decoder = new TextDecoder();
    for (const piece of this.pieces) yield decoder.decode(piece);
    if (this.used) yield decoder.decode(this.piece.subarray(0, this.used));
  }
}
