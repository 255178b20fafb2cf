// A COCO file indexed without holding it: the bytes are read twice, a window at a time. The first pass
// follows the JSON's structure byte by byte, parses the top-level values other than `annotations`
// (images, categories, info: needed whole) and keeps, per element of `annotations`, its byte range and
// the raw text of its `image_id`. The second pass (`annotationsOf`, image after image) reads an image's
// annotations back by range, each run of neighbours parsed in one `JSON.parse`.
//
// Why: holding the file's bytes (the previous design) put a 25 MB buffer in RSS for the bench's 25 MB
// file, and parsing every annotation twice (once for its image id) was the largest cost of the
// conversion (profile: 269 ms of 1.6 s CPU); see the annotations bench.
import type { CocoAnnotation, CocoCategory, CocoImage, CocoIndex } from "./coco.js";
import { AnnotationInputError } from "./errors.js";

/** A file read by position (a `FileHandle` in Node). */
export interface ByteSource {
  /** Reads into `buffer` from byte `position`; resolves to the count read (0 at the end of the file). */
  read(buffer: Uint8Array, position: number): Promise<number>;
  close(): Promise<void>;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
/** "image_id" in bytes. */
const IMAGE_ID = [0x69, 0x6d, 0x61, 0x67, 0x65, 0x5f, 0x69, 0x64];

// Where the top-level object is: expecting a key, a colon, a value, or a comma / the end.
const T_KEY = 0;
const T_COLON = 1;
const T_VALUE = 2;
const T_IN_VALUE = 3;
const T_AFTER = 4;
// In `annotations`: expecting an element, inside one, after one.
const A_ELEMENT = 0;
const A_IN_ELEMENT = 1;
const A_AFTER = 2;
// What the current string (or bare token) is.
const NONE = 0;
const TOP_KEY = 1;
const TOP_VALUE = 2;
const ELEMENT = 3;
const ELEMENT_KEY = 4;
const IMAGE_VALUE = 5;

/** Whether a key's raw bytes (escapes and all, no quotes) are image_id once decoded. */
function isImageIdKey(raw: number[]): boolean {
  try {
    return JSON.parse(`"${String.fromCharCode(...raw)}"`) === "image_id";
  } catch {
    return false;
  }
}

const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Indexes the COCO instances file read through `file` (UTF-8); `source` names it in errors. The file
 * stays open until the index's `close()` (which `cocoToDataloop` calls when done); on an error the
 * caller closes it.
 */
export async function scanCoco(file: ByteSource, source: string, windowBytes = 1 << 20): Promise<CocoIndex> {
  const decoder = new TextDecoder();
  const buf = new Uint8Array(windowBytes);
  let base = 0;
  const fail = (message: string, at: number): never => {
    throw new AnnotationInputError({ source, message: `${message} at byte ${at}` });
  };
  const notJson = (cause: unknown, start: number, end: number) =>
    new AnnotationInputError({
      source,
      message: `not JSON (${(cause as Error).message}) in bytes ${start}–${end}`,
    });

  // Structure.
  const stack: number[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let role = NONE; // of the string or bare token under way
  let bare = NONE; // a bare token (number, true, null) under way: what it is
  let done = false;
  let top = T_KEY;
  let key = "";
  let inAnnotations = false;
  let element = A_ELEMENT;
  // A captured top-level key or value: its start, and the copies of the windows it spans so far.
  let capStart = -1;
  let capParts: Uint8Array[] = [];
  const startCapture = (at: number) => {
    capStart = at;
    capParts = [];
  };
  const endCapture = (end: number): unknown => {
    capParts.push(buf.slice(capStart - base, end - base));
    const whole = capParts.length === 1 ? (capParts[0] as Uint8Array) : Buffer.concat(capParts);
    const start = capStart;
    capStart = -1;
    capParts = [];
    try {
      return JSON.parse(decoder.decode(whole));
    } catch (cause) {
      throw notJson(cause, start, end);
    }
  };
  const values: Record<string, unknown> = {};
  let sawAnnotations = false;
  // Elements of `annotations`.
  // In typed arrays (off the JS heap, grown by doubling): as number[] they were copied on growth and
  // survived scavenges, which grew V8's young generation to its 32 MB maximum (--trace-gc).
  let starts = new Float64Array(1024);
  let ends = new Float64Array(1024);
  let slots = new Int32Array(1024);
  let count = 0;
  let elementStart = 0;
  let expectKey = false; // in an element: the next string is a key
  let keyPos = 0;
  let keyIsImageId = false;
  // A key with an escape that may still be image_id (`image\u005fid`): its raw bytes, decoded at its end.
  let keyRaw: number[] | undefined;
  let lastKeyImageId = false;
  let imagePending = false;
  // The raw bytes of the image_id under way, in a reused buffer: no array or string per annotation
  // (most repeat their neighbour's id, compared byte by byte with the last one).
  let idBytes = new Uint8Array(64);
  let idLength = 0;
  let lastBytes = new Uint8Array(64);
  let lastLength = -1;
  const idByte = (b: number) => {
    if (idLength === idBytes.length) {
      const bigger = new Uint8Array(idBytes.length * 2);
      bigger.set(idBytes);
      idBytes = bigger;
    }
    idBytes[idLength++] = b;
  };
  const idStart = (b: number) => {
    idLength = 0;
    idByte(b);
  };
  let slot = -1;
  // Image ids by raw text.
  const rawIds: string[] = [];
  const slotOfRaw = new Map<string, number>();
  let lastSlot = -1;
  const endImageId = () => {
    let same = idLength === lastLength;
    for (let i = 0; same && i < idLength; i++) if (idBytes[i] !== lastBytes[i]) same = false;
    if (!same) {
      const bytes = idBytes.subarray(0, idLength);
      const raw = decoder.decode(bytes);
      let s = slotOfRaw.get(raw);
      if (s === undefined) {
        s = rawIds.length;
        rawIds.push(raw);
        slotOfRaw.set(raw, s);
      }
      if (lastBytes.length < idLength) lastBytes = new Uint8Array(idBytes.length);
      lastBytes.set(bytes);
      lastLength = idLength;
      lastSlot = s;
    }
    slot = lastSlot;
  };
  const endElement = (end: number) => {
    if (count === starts.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T, b: T) => {
        b.set(a);
        return b;
      };
      starts = grow(starts, new Float64Array(count * 2));
      ends = grow(ends, new Float64Array(count * 2));
      slots = grow(slots, new Int32Array(count * 2));
    }
    starts[count] = elementStart;
    ends[count] = end;
    slots[count] = slot;
    count++;
    element = A_AFTER;
  };

  for (;;) {
    const n = await file.read(buf, base);
    if (n === 0) break;
    for (let j = 0; j < n; j++) {
      const c = buf[j] as number;
      if (inString) {
        if (escaped) {
          escaped = false;
          if (role === IMAGE_VALUE) idByte(c);
          else if (keyRaw) keyRaw.push(c);
          continue;
        }
        if (role !== ELEMENT_KEY && role !== IMAGE_VALUE) {
          // Nothing to look at inside: skip to the quote or backslash.
          while (j < n && buf[j] !== QUOTE && buf[j] !== BACKSLASH) j++;
          if (j === n) break;
        }
        const d = buf[j] as number;
        if (d === BACKSLASH) {
          escaped = true;
          if (role === ELEMENT_KEY && keyIsImageId && !keyRaw) keyRaw = IMAGE_ID.slice(0, keyPos);
          keyIsImageId = false;
          if (role === IMAGE_VALUE) idByte(d);
          else if (keyRaw) keyRaw.push(d);
          continue;
        }
        if (d !== QUOTE) {
          if (role === ELEMENT_KEY) {
            // image_id escaped whole is 48 bytes: a longer key is not it.
            if (keyRaw) {
              if (keyRaw.length < 48) keyRaw.push(d);
              else keyRaw = undefined;
            } else if (keyPos < 8 && d === IMAGE_ID[keyPos]) keyPos++;
            else keyIsImageId = false;
          } else if (role === IMAGE_VALUE) idByte(d);
          continue;
        }
        inString = false;
        const at = base + j;
        if (role === TOP_KEY) {
          key = endCapture(at + 1) as string;
          top = T_COLON;
        } else if (role === TOP_VALUE) {
          values[key] = endCapture(at + 1);
          top = T_AFTER;
        } else if (role === ELEMENT) endElement(at + 1);
        else if (role === ELEMENT_KEY) {
          lastKeyImageId = keyRaw ? isImageIdKey(keyRaw) : keyIsImageId && keyPos === 8;
          keyRaw = undefined;
          expectKey = false;
        } else if (role === IMAGE_VALUE) {
          idByte(d);
          endImageId();
        }
        role = NONE;
        continue;
      }
      if (bare !== NONE) {
        if (!(isWs(c) || c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY)) {
          if (bare === IMAGE_VALUE) idByte(c);
          continue;
        }
        if (bare === TOP_VALUE) {
          values[key] = endCapture(base + j);
          top = T_AFTER;
        } else if (bare === ELEMENT) endElement(base + j);
        else if (bare === IMAGE_VALUE) endImageId();
        bare = NONE;
      }
      if (isWs(c)) continue;
      const at = base + j;
      if (done) fail("data after the end of the JSON", at);
      if (depth > 3) {
        // Inside an annotation's values (segmentation, bbox: most of the file): only nesting and strings
        // matter, so numbers and commas are skipped in a tight loop.
        let c = buf[j] as number;
        while (
          c !== QUOTE &&
          c !== OPEN_ARRAY &&
          c !== CLOSE_ARRAY &&
          c !== OPEN_OBJECT &&
          c !== CLOSE_OBJECT &&
          ++j < n
        )
          c = buf[j] as number;
        if (j === n) break;
        const at = base + j;
        if (c === QUOTE) inString = true;
        else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
          stack.push(c);
          depth++;
        } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
          if (stack.pop() !== (c === CLOSE_OBJECT ? OPEN_OBJECT : OPEN_ARRAY))
            fail("unbalanced brackets", at);
          depth--;
        }
        continue;
      }
      if (c === QUOTE) {
        inString = true;
        if (depth === 1) {
          if (top === T_KEY) role = TOP_KEY;
          else if (top === T_VALUE) {
            role = TOP_VALUE;
            top = T_IN_VALUE;
          } else fail(top === T_COLON ? "':' expected" : "',' or '}' expected", at);
          startCapture(at);
        } else if (depth === 2 && inAnnotations) {
          if (element !== A_ELEMENT) fail("',' or ']' expected", at);
          role = ELEMENT;
          elementStart = at;
          slot = -1;
          element = A_IN_ELEMENT;
        } else if (depth === 3 && inAnnotations) {
          if (expectKey) {
            role = ELEMENT_KEY;
            keyPos = 0;
            keyIsImageId = true;
          } else if (imagePending) {
            role = IMAGE_VALUE;
            imagePending = false;
            idStart(c);
          }
        }
        continue;
      }
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (depth === 0) {
          if (c !== OPEN_OBJECT) fail("not a JSON object", at);
        } else if (depth === 1) {
          if (top !== T_VALUE) fail(top === T_COLON ? "':' expected" : "a key expected", at);
          top = T_IN_VALUE;
          if (key === "annotations" && c === OPEN_ARRAY) {
            inAnnotations = true;
            sawAnnotations = true;
            element = A_ELEMENT;
          } else startCapture(at);
        } else if (depth === 2 && inAnnotations) {
          if (element !== A_ELEMENT) fail("',' or ']' expected", at);
          elementStart = at;
          slot = -1;
          expectKey = c === OPEN_OBJECT;
          lastKeyImageId = false;
          imagePending = false;
          element = A_IN_ELEMENT;
        } else if (depth === 3) imagePending = false;
        stack.push(c);
        depth++;
        continue;
      }
      if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (stack.pop() !== (c === CLOSE_OBJECT ? OPEN_OBJECT : OPEN_ARRAY)) fail("unbalanced brackets", at);
        depth--;
        if (depth === 0) {
          if (top !== T_KEY && top !== T_AFTER) fail("a value expected", at);
          done = true;
        } else if (depth === 1) {
          if (inAnnotations) inAnnotations = false;
          else values[key] = endCapture(at + 1);
          top = T_AFTER;
        } else if (depth === 2 && inAnnotations) endElement(at + 1);
        continue;
      }
      if (c === COMMA) {
        if (depth === 1) {
          if (top !== T_AFTER) fail("a value expected", at);
          top = T_KEY;
        } else if (depth === 2 && inAnnotations) {
          if (element !== A_AFTER) fail("a value expected", at);
          element = A_ELEMENT;
        } else if (depth === 3) {
          expectKey = true;
          imagePending = false;
        }
        continue;
      }
      if (c === COLON) {
        if (depth === 1) {
          if (top !== T_COLON) fail("a value expected", at);
          top = T_VALUE;
          // A key given twice: JSON.parse keeps its last value, so the elements of an earlier one go.
          if (key === "annotations") {
            count = 0;
            sawAnnotations = false;
          }
        } else if (depth === 3) {
          imagePending = lastKeyImageId;
          lastKeyImageId = false;
        }
        continue;
      }
      // The first byte of a bare token (a number, true, false, null).
      if (depth === 0) fail("not a JSON object", at);
      if (depth === 1) {
        if (top !== T_VALUE) fail(top === T_COLON ? "':' expected" : "a key expected", at);
        top = T_IN_VALUE;
        startCapture(at);
        bare = TOP_VALUE;
      } else if (depth === 2 && inAnnotations) {
        if (element !== A_ELEMENT) fail("',' or ']' expected", at);
        elementStart = at;
        slot = -1;
        element = A_IN_ELEMENT;
        bare = ELEMENT;
      } else if (depth === 3 && imagePending) {
        imagePending = false;
        idStart(c);
        bare = IMAGE_VALUE;
      }
    }
    if (capStart >= 0) {
      capParts.push(buf.slice(capStart - base, n));
      capStart = base + n;
    }
    base += n;
  }
  if (!done) fail(depth ? "a JSON value that does not end" : "not a JSON object", base);
  if (!Array.isArray(values.images) || !Array.isArray(values.categories) || !sawAnnotations)
    throw new AnnotationInputError({
      source,
      message: "not a COCO instances file: it needs images, annotations and categories arrays",
    });
  const images = values.images as CocoImage[];
  const keyOfSlot = rawIds.map((raw) => {
    try {
      return String(JSON.parse(raw));
    } catch {
      return undefined;
    }
  });
  // Grouped by image with a counting sort into one Int32Array: annotations of image i are
  // order[first[i]] … order[first[i + 1] - 1], in file order.
  const imageIndex = new Map<string, number>();
  for (let i = 0; i < images.length; i++) {
    const id = String(images[i]?.id);
    if (!imageIndex.has(id)) imageIndex.set(id, i);
  }
  const imageOfSlot = new Int32Array(keyOfSlot.length);
  for (let s = 0; s < keyOfSlot.length; s++) {
    const id = keyOfSlot[s];
    imageOfSlot[s] = id === undefined ? -1 : (imageIndex.get(id) ?? -1);
  }
  const first = new Int32Array(images.length + 2);
  const orphanIndexes: number[] = [];
  for (let k = 0; k < count; k++) {
    const s = slots[k] as number;
    const i = s >= 0 ? (imageOfSlot[s] as number) : -1;
    if (i < 0) orphanIndexes.push(k);
    else first[i + 2] = (first[i + 2] as number) + 1;
  }
  for (let i = 2; i < first.length; i++) first[i] = (first[i] as number) + (first[i - 1] as number);
  const order = new Int32Array(count - orphanIndexes.length);
  for (let k = 0; k < count; k++) {
    const s = slots[k] as number;
    const i = s >= 0 ? (imageOfSlot[s] as number) : -1;
    if (i >= 0) {
      const at = first[i + 1] as number;
      order[at] = k;
      first[i + 1] = at + 1;
    }
  }
  // The second pass: ranges read through a window of `windowBytes`.
  let windowStart = 0;
  let windowLength = 0;
  const fill = async (target: Uint8Array, position: number) => {
    let got = 0;
    while (got < target.length) {
      const n = await file.read(target.subarray(got), position + got);
      if (n === 0) break;
      got += n;
    }
    return got;
  };
  const text = async (start: number, end: number) => {
    if (start < windowStart || end > windowStart + windowLength) {
      if (end - start > buf.length) {
        const big = new Uint8Array(end - start);
        await fill(big, start);
        return decoder.decode(big);
      }
      windowStart = start;
      windowLength = await fill(buf, start);
    }
    return decoder.decode(buf.subarray(start - windowStart, end - windowStart));
  };
  const one = async (k: number): Promise<CocoAnnotation | AnnotationInputError> => {
    const start = starts[k] as number;
    const end = ends[k] as number;
    try {
      return JSON.parse(await text(start, end)) as CocoAnnotation;
    } catch (cause) {
      return notJson(cause, start, end);
    }
  };
  // Neighbours in the file (k, k+1, …) have only commas and spaces between them: one parse for the run.
  const read = async (indexes: ArrayLike<number>) => {
    const out: Array<CocoAnnotation | AnnotationInputError> = [];
    for (let r = 0; r < indexes.length; ) {
      const first = indexes[r] as number;
      let last = first;
      let e = r + 1;
      while (
        e < indexes.length &&
        indexes[e] === last + 1 &&
        (ends[last + 1] as number) - (starts[first] as number) <= buf.length
      )
        last = indexes[e++] as number;
      let parsed: CocoAnnotation[] | undefined;
      try {
        parsed = JSON.parse(
          `[${await text(starts[first] as number, ends[last] as number)}]`,
        ) as CocoAnnotation[];
      } catch {
        parsed = undefined;
      }
      if (parsed) for (const a of parsed) out.push(a);
      else for (let k = first; k <= last; k++) out.push(await one(k));
      r = e;
    }
    return out;
  };
  const orphans = await read(orphanIndexes);
  return {
    images,
    categories: values.categories as CocoCategory[],
    annotationsOf: (id) => {
      const i = imageIndex.get(id);
      return read(i === undefined ? [] : order.subarray(first[i] as number, first[i + 1] as number));
    },
    orphans,
    close: () => file.close(),
  };
}
