import { AnnotationInputError, AnnotationNotExpressibleError, type ConversionIssue } from "./errors.js";
import { isKnownType, readAnnotation } from "./readers.js";

/**
 * A conversion under way: `items` is read lazily (one item at a time), and `issues` fills as it is
 * read — every annotation that was bad or could not be expressed, with where it came from.
 * @example
 * ```ts
 * import { type Conversion, type ItemAnnotationsJson, yoloToDataloop } from "@dataloop-ts/client/annotations";
 *
 * const conversion: Conversion<ItemAnnotationsJson> = yoloToDataloop(
 *   [{ filename: "/a.jpg", text: "0 0.5 0.5 0.2 0.2\n9 bad line", width: 100, height: 100 }],
 *   ["cat"],
 * );
 * for await (const item of conversion.items) console.log(item.annotations.length);
 * console.log(conversion.issues.map((i) => `${i.code}: ${i.message}`)); // read after `items`
 * ```
 */
export interface Conversion<T> {
  items: AsyncGenerator<T, void, undefined>;
  issues: ConversionIssue[];
}

/**
 * What converters and bulk helpers take: an array (any iterable) or an async iterable, read one element at a time.
 * @example
 * ```ts
 * import { dataloopToYolo, type ItemAnnotationsJson, type Source } from "@dataloop-ts/client/annotations";
 *
 * async function* fromSomewhere(): AsyncGenerator<ItemAnnotationsJson> {
 *   yield { filename: "/a.jpg", annotations: [] };
 * }
 * const sources: Array<Source<ItemAnnotationsJson>> = [[{ filename: "/b.jpg", annotations: [] }], fromSomewhere()];
 * for (const source of sources) for await (const file of dataloopToYolo(source).items) console.log(file.path);
 * ```
 */
export type Source<T> = Iterable<T> | AsyncIterable<T>;

/**
 * A stored annotation read back for a converter, or `undefined` with the reason listed in `issues`:
 * bad input as it is, a type the target format cannot hold as not expressible (one rule for COCO and YOLO).
 */
export function readForExport(
  stored: { type?: unknown },
  place: { source: string; id?: string | undefined },
  format: "COCO" | "YOLO",
  issues: ConversionIssue[],
): ReturnType<typeof readAnnotation> | undefined {
  try {
    return readAnnotation(stored as Parameters<typeof readAnnotation>[0], undefined, place);
  } catch (error) {
    if (!(error instanceof AnnotationInputError)) throw error;
    issues.push(
      isKnownType(stored.type as string)
        ? error
        : new AnnotationNotExpressibleError({ format, type: String(stored.type), ...place }),
    );
    return undefined;
  }
}
