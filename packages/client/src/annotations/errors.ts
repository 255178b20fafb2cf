import { DataloopError } from "@dataloop-ts/core";

/**
 * Where a bad or lossy annotation came from: the file, and the line (YOLO) or the id (COCO, Dataloop).
 * @example
 * ```ts
 * import { AnnotationInputError, type AnnotationPlace } from "@dataloop-ts/client/annotations";
 *
 * const place: AnnotationPlace = { source: "labels/a.txt", line: 3 };
 * const e = new AnnotationInputError({ ...place, message: "5 numbers expected, got 4" });
 * console.log(e.message, e.source, e.line);
 * ```
 */
export interface AnnotationPlace {
  /** The file (or item filename) it was read from. */
  source?: string | undefined;
  /** 1-based line of a text format (YOLO). */
  line?: number | undefined;
  /** The annotation's (or image's, or category's) id in its source. */
  id?: string | number | undefined;
}

const where = (p: AnnotationPlace) =>
  [
    p.source,
    p.line !== undefined ? `line ${p.line}` : undefined,
    p.id !== undefined ? `id ${p.id}` : undefined,
  ]
    .filter(Boolean)
    .join(", ");

/**
 * An annotation that cannot be read or built: a polygon with fewer than 3 points, a YOLO line with the
 * wrong count of numbers, a COCO category that does not exist, a mask whose size is not its image's.
 * Converters list it and go on with the rest.
 * @example
 * ```ts
 * import { AnnotationInputError, segment } from "@dataloop-ts/client/annotations";
 *
 * try {
 *   segment({ label: "road", coordinates: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }); // 2 points: not a polygon
 * } catch (e) {
 *   if (e instanceof AnnotationInputError) console.log(e.code, e.message, e.source, e.line, e.id); // "ANNOTATION_INPUT"
 * }
 * ```
 */
export class AnnotationInputError extends DataloopError {
  static override readonly code = "ANNOTATION_INPUT" as const;
  override name = "AnnotationInputError";
  override readonly code = "ANNOTATION_INPUT" as const;
  readonly source: string | undefined;
  readonly line: number | undefined;
  readonly id: string | number | undefined;

  constructor(init: AnnotationPlace & { message: string; hint?: string }) {
    const at = where(init);
    super({
      message: at ? `${at}: ${init.message}` : init.message,
      hint: init.hint ?? "Fix the annotation at the place named; the others were converted.",
    });
    this.source = init.source;
    this.line = init.line;
    this.id = init.id;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), source: this.source, line: this.line, id: this.id };
  }
}

/**
 * An annotation the target format has no way to say (a point in COCO, a rotated box in YOLO): listed, not written.
 * @example
 * ```ts
 * import { AnnotationNotExpressibleError, dataloopToYolo, point } from "@dataloop-ts/client/annotations";
 *
 * const yolo = dataloopToYolo([{ filename: "/a.jpg", metadata: { system: { width: 9, height: 9 } }, annotations: [point({ label: "x", coordinates: { x: 1, y: 1 } })] }]);
 * for await (const _ of yolo.items);
 * for (const issue of yolo.issues)
 *   if (issue instanceof AnnotationNotExpressibleError) console.log(issue.code, issue.format, issue.type); // "ANNOTATION_NOT_EXPRESSIBLE" YOLO point
 * ```
 */
export class AnnotationNotExpressibleError extends DataloopError {
  static override readonly code = "ANNOTATION_NOT_EXPRESSIBLE" as const;
  override name = "AnnotationNotExpressibleError";
  override readonly code = "ANNOTATION_NOT_EXPRESSIBLE" as const;
  readonly format: string;
  readonly type: string;
  readonly source: string | undefined;
  readonly id: string | number | undefined;

  constructor(init: {
    format: string;
    type: string;
    reason?: string;
    source?: string;
    id?: string | number;
  }) {
    const at = where(init);
    super({
      message: `${at ? `${at}: ` : ""}a ${init.type} annotation cannot be written as ${init.format}${init.reason ? ` (${init.reason})` : ""}`,
      hint: `Keep the Dataloop JSON for it, or convert it to a type ${init.format} has first.`,
    });
    this.format = init.format;
    this.type = init.type;
    this.source = init.source;
    this.id = init.id;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), format: this.format, type: this.type, source: this.source, id: this.id };
  }
}

/**
 * What a conversion lists instead of dropping: bad input, or what the target cannot express.
 * @example
 * ```ts
 * import { type ConversionIssue, dataloopToCoco } from "@dataloop-ts/client/annotations";
 *
 * const { items, issues } = dataloopToCoco([]);
 * for await (const _ of items);
 * const bad: ConversionIssue[] = issues.filter((i) => i.code === "ANNOTATION_INPUT");
 * const lossy: ConversionIssue[] = issues.filter((i) => i.code === "ANNOTATION_NOT_EXPRESSIBLE");
 * console.log(bad.length, lossy.length);
 * ```
 */
export type ConversionIssue = AnnotationInputError | AnnotationNotExpressibleError;

/**
 * Annotations were given for a filename that names no item of the dataset.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { ItemNotFoundError, uploadAnnotations } from "@dataloop-ts/client/annotations";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const summary = await uploadAnnotations(dl, "64f0c1a2b3c4d5e6f7a8b9c1", [{ filename: "/no/such.jpg", annotations: [] }]);
 * for (const r of summary.results) if (r.error instanceof ItemNotFoundError) console.log(r.filename, r.error.code); // "ITEM_NOT_FOUND"
 * ```
 */
export class ItemNotFoundError extends DataloopError {
  static override readonly code = "ITEM_NOT_FOUND" as const;
  override name = "ItemNotFoundError";
  override readonly code = "ITEM_NOT_FOUND" as const;
  readonly datasetId: string;
  readonly filename: string;

  constructor(init: { datasetId: string; filename: string }) {
    super({
      message: `no item "${init.filename}" in dataset ${init.datasetId}`,
      hint: "Upload the item first (dataloop items upload), or fix the filename in the annotations' JSON.",
    });
    this.datasetId = init.datasetId;
    this.filename = init.filename;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), datasetId: this.datasetId, filename: this.filename };
  }
}
