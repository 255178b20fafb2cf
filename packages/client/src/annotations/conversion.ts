import type { ConversionIssue } from "./errors.js";

/**
 * A conversion under way: `items` is read lazily (one item at a time), and `issues` fills as it is
 * read — every annotation that was bad or could not be expressed, with where it came from.
 */
export interface Conversion<T> {
  items: AsyncGenerator<T, void, undefined>;
  issues: ConversionIssue[];
}

export type Source<T> = Iterable<T> | AsyncIterable<T>;
