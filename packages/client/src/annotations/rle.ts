// COCO's run-length encoding of masks (pycocotools' maskApi.c): counts of alternating 0s and 1s,
// starting with 0s, in column-major order; the compressed form is rleToString's LEB128-like text.
import type { Mask } from "./mask.js";

/**
 * COCO's run-length encoded mask: `size` as `[height, width]`, and `counts` as numbers or pycocotools' compressed string.
 * @example
 * ```ts
 * import { type Rle, rleToMask } from "@dataloop-ts/client/annotations";
 *
 * const rle: Rle = { size: [2, 2], counts: [1, 2, 1] }; // column-major: 0, then 1 1, then 0
 * console.log(rleToMask(rle).data); // row-major: 0 1 1 0
 * ```
 */
export interface Rle {
  /** `[height, width]`, as COCO writes it. */
  size: [number, number];
  counts: number[] | string;
}

/**
 * pycocotools' rleFrString.
 * @example
 * ```ts
 * import { countsFromString, countsToString } from "@dataloop-ts/client/annotations";
 *
 * const counts = countsFromString(countsToString([3, 5, 2]));
 * console.log(counts); // [3, 5, 2]
 * ```
 */
export function countsFromString(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = 1;
    let c = 0;
    while (more) {
      c = s.charCodeAt(p) - 48;
      x |= (c & 0x1f) << (5 * k);
      more = c & 0x20;
      p++;
      k++;
      if (!more && c & 0x10) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2]!;
    counts.push(x);
  }
  return counts;
}

/**
 * pycocotools' rleToString.
 * @example
 * ```ts
 * import { countsToString, maskToCounts } from "@dataloop-ts/client/annotations";
 *
 * const counts = maskToCounts({ width: 2, height: 2, data: new Uint8Array([0, 1, 1, 1]) });
 * console.log({ size: [2, 2], counts: countsToString(counts) }); // a compressed COCO RLE
 * ```
 */
export function countsToString(counts: readonly number[]): string {
  let s = "";
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i]!;
    if (i > 2) x -= counts[i - 2]!;
    let more = 1;
    while (more) {
      let c = x & 0x1f;
      x >>= 5;
      more = c & 0x10 ? (x !== -1 ? 1 : 0) : x !== 0 ? 1 : 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

/**
 * An RLE (either form) to a row-major mask.
 * @example
 * ```ts
 * import { rleToMask } from "@dataloop-ts/client/annotations";
 *
 * const mask = rleToMask({ size: [480, 640], counts: [1000, 200, 306000] });
 * console.log(mask.width, mask.height);
 * ```
 */
export function rleToMask(rle: Rle): Mask {
  const [height, width] = rle.size;
  const counts = typeof rle.counts === "string" ? countsFromString(rle.counts) : rle.counts;
  const data = new Uint8Array(width * height);
  let i = 0;
  let value = 0;
  for (const n of counts) {
    if (value)
      for (let j = i; j < i + n && j < data.length; j++) {
        // j is a column-major index: column j / height, row j % height.
        data[(j % height) * width + Math.floor(j / height)] = 1;
      }
    i += n;
    value ^= 1;
  }
  return { width, height, data };
}

/**
 * A row-major mask to RLE counts (column-major, starting with a run of 0s).
 * @example
 * ```ts
 * import { maskToCounts, rleToMask } from "@dataloop-ts/client/annotations";
 *
 * const mask = { width: 2, height: 2, data: new Uint8Array([0, 1, 1, 0]) };
 * const counts = maskToCounts(mask);
 * console.log(counts, rleToMask({ size: [2, 2], counts }).data);
 * ```
 */
export function maskToCounts(mask: Mask): number[] {
  const { width, height, data } = mask;
  const counts: number[] = [];
  let value = 0;
  let run = 0;
  for (let x = 0; x < width; x++)
    for (let y = 0; y < height; y++) {
      const v = data[y * width + x] ? 1 : 0;
      if (v !== value) {
        counts.push(run);
        run = 0;
        value = v;
      }
      run++;
    }
  counts.push(run);
  return counts;
}
