import { AnnotationInputError, AnnotationNotExpressibleError, type ConversionIssue } from "./errors.js";
import { isKnownType, readAnnotation } from "./readers.js";

/**
 * A conversion under way: `items` is read lazily (one item at a time), and `issues` fills as it is
 * read — every annotation that was bad or could not be expressed, with where it came from.
 */
export interface Conversion<T> {
  items: AsyncGenerator<T, void, undefined>;
  issues: ConversionIssue[];
}

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
