// A COCO file indexed without holding it: the bytes are read twice, a window at a time. The first pass
// follows the JSON's structure byte by byte, keeps the `images` array's bytes (its images are parsed one
// at a time, when they are converted), parses the other top-level values (categories, info) and keeps,
// for `annotations`, runs of neighbouring elements with the same `image_id`: their byte ranges and the
// id. The second pass (`annotationsOf`, image after image) reads an image's runs back, each run of
// neighbours parsed in one `JSON.parse`.
//
// Why: holding the file's bytes (an earlier design) put the whole file in RSS, and parsing every
// annotation twice (once for its image id) was the largest cost of the conversion (CPU profile of the
// annotations bench).
//
// Why it is shaped as it is (peak RSS, which the issue bounds at 3× the file; the annotations bench):
// - The byte loop (`feed`) is a small method, and the top levels of the document (`structural`,
//   `stringByte`, `skipValue`) are methods of their own. When all of it was one function with its
//   helpers as closures, V8 optimised it as one graph, and the compilers' zones (in glibc's per-thread
//   arenas) and compiler code paged in from the node binary were most of the scan's RSS (compare a run
//   with `--no-opt --no-maglev`).
// - What lives for the whole run stays off the JS heap: runs in chunks of a Float64Array, an integer
//   `image_id` (the usual case) read from its digits, the images as bytes. Objects and strings kept
//   for the run survive V8's scavenges, and survivors are what grows its young generation (semi-spaces
//   of 1, 2, 4, 8 MB: each step is RSS for the rest of the run; `--trace-gc-nvp` shows
//   `new_space_capacity` and what each scavenge kept).
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
const ZERO = 0x30;
const NINE = 0x39;
/** "image_id" in bytes. */
const IMAGE_ID = [0x69, 0x6d, 0x61, 0x67, 0x65, 0x5f, 0x69, 0x64];

// Where the top-level object is: expecting a key (or its end), a colon, a value, a comma / the end, or a
// key after a comma (its end there is a trailing comma, which JSON.parse rejects).
const T_KEY = 0;
const T_COLON = 1;
const T_VALUE = 2;
const T_IN_VALUE = 3;
const T_AFTER = 4;
const T_NEXT_KEY = 5;
// In `annotations`: expecting an element (or its end), inside one, after one, an element after a comma.
const A_ELEMENT = 0;
const A_IN_ELEMENT = 1;
const A_AFTER = 2;
const A_NEXT = 3;
// What the current string (or bare token) is.
const NONE = 0;
const TOP_KEY = 1;
const TOP_VALUE = 2;
const ELEMENT = 3;
const ELEMENT_KEY = 4;
const IMAGE_VALUE = 5;
// An element's image id (in `Runs`): ≥ 0 an integer id, NO_ID none, ≤ -2 the raw id of slot -(id + 2).
const NO_ID = -1;

const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
/** What ends a bare token (a number, true, false, null). */
const endsBare = (c: number) => isWs(c) || c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY;
/** What a bare token cannot hold: where skipping one stops. */
const stopsBare = (c: number) =>
  endsBare(c) || c === QUOTE || c === COLON || c === OPEN_OBJECT || c === OPEN_ARRAY;

/** Whether a key's raw bytes (escapes and all, no quotes) are image_id once decoded. */
function isImageIdKey(raw: number[]): boolean {
  try {
    return JSON.parse(`"${String.fromCharCode(...raw)}"`) === "image_id";
  } catch {
    return false;
  }
}

/** An id's text as the integer it is when JSON would read it as one (0, or 1–15 digits without a leading 0); otherwise -1. */
function integerOf(text: string): number {
  return /^(?:0|[1-9][0-9]{0,14})$/.test(text) ? Number(text) : -1;
}

/**
 * What the scan keeps of `annotations`: runs of neighbouring elements with the same image id (its first
 * byte, the byte after its last element, the image id as in `NO_ID`'s comment), three numbers a run in
 * fixed chunks of a Float64Array: off the JS heap, never copied as the list grows. A file whose
 * annotations come image by image (COCO exporters write them so) keeps a run per image, a tenth of the
 * numbers of one per element for the bench's file; a run is cut where it would outgrow the window
 * (what the second pass reads at once).
 */
class Runs {
  private chunks: Float64Array[] = [];
  length = 0;

  push(start: number, end: number, id: number): void {
    const at = (this.length & (CHUNK - 1)) * 3;
    if (at === 0) this.chunks.push(new Float64Array(CHUNK * 3));
    const chunk = this.chunks[this.chunks.length - 1] as Float64Array;
    chunk[at] = start;
    chunk[at + 1] = end;
    chunk[at + 2] = id;
    this.length++;
  }

  /** Ends the last run at `end` instead (the next element joins it). */
  extend(end: number): void {
    const k = this.length - 1;
    (this.chunks[k >> CHUNK_BITS] as Float64Array)[(k & (CHUNK - 1)) * 3 + 1] = end;
  }

  private at(k: number, field: number): number {
    return (this.chunks[k >> CHUNK_BITS] as Float64Array)[(k & (CHUNK - 1)) * 3 + field] as number;
  }
  start(k: number): number {
    return this.at(k, 0);
  }
  end(k: number): number {
    return this.at(k, 1);
  }
  id(k: number): number {
    return this.at(k, 2);
  }
}
const CHUNK_BITS = 13;
const CHUNK = 1 << CHUNK_BITS;

/** The first pass: the document's structure, byte by byte, a window at a time. */
class FirstPass {
  readonly buf: Uint8Array;
  /** The file position of `buf[0]`. */
  base = 0;
  /** The count of bytes of the window read. */
  n = 0;
  readonly source: string;
  readonly decoder = new TextDecoder();
  // Structure.
  readonly stack: number[] = [];
  depth = 0;
  inString = false;
  escaped = false;
  /** What the string (or bare token) under way is. */
  role = NONE;
  /** A bare token under way: what it is. */
  bare = NONE;
  done = false;
  top = T_KEY;
  key = "";
  inAnnotations = false;
  element = A_ELEMENT;
  // A captured top-level key or value: its start, and the copies of the windows it spans so far.
  capStart = -1;
  capParts: Uint8Array[] = [];
  readonly values: Record<string, unknown> = {};
  /** The value under capture is the `images` array: kept as bytes, its images parsed one at a time later. */
  capturingImages = false;
  /** The `images` array's bytes (off the JS heap), and the file position of its first. */
  imagesBytes: Uint8Array | undefined = undefined;
  imagesAt = 0;
  sawAnnotations = false;
  readonly runs = new Runs();
  /** The runs before this one are of an `annotations` given again later: read only for what is not JSON. */
  dropped = 0;
  elementStart = 0;
  /** The image id of the element under way (as in `NO_ID`'s comment). */
  id = NO_ID;
  /** In an element: the next string is a key. */
  expectKey = false;
  keyPos = 0;
  keyIsImageId = false;
  /** A key with an escape that may still be image_id (`image\u005fid`): its raw bytes, decoded at its end. */
  keyRaw: number[] | undefined = undefined;
  lastKeyImageId = false;
  imagePending = false;
  // The raw bytes of an image_id read byte by byte (a string, or cut by a window), in a reused buffer.
  idBytes = new Uint8Array(64);
  idLength = 0;
  /**
   * Where an image_id that is an array or an object started (-1: none under way): its bytes are the raw
   * id, as JSON.parse's reading of it is what `String` makes of it (`[5]` is image 5, `{}` none).
   */
  idCapStart = -1;
  // The last raw id that was not an integer, and its slot: neighbours mostly share their image.
  lastBytes = new Uint8Array(64);
  lastLength = -1;
  lastSlot = NO_ID;
  /** Image ids that are not integers, by raw text. */
  readonly rawIds: string[] = [];
  readonly slotOfRaw = new Map<string, number>();

  constructor(source: string, windowBytes: number) {
    this.source = source;
    this.buf = new Uint8Array(windowBytes);
  }

  fail(message: string, at: number): never {
    throw new AnnotationInputError({ source: this.source, message: `${message} at byte ${at}` });
  }

  notJson(cause: unknown, start: number, end: number): AnnotationInputError {
    return new AnnotationInputError({
      source: this.source,
      message: `not JSON (${(cause as Error).message}) in bytes ${start}–${end}`,
    });
  }

  /** The window just read (`n` bytes at `base`), byte by byte: the hot loop, kept small (see the top). */
  feed(): void {
    const buf = this.buf;
    const n = this.n;
    for (let j = 0; j < n; j++) {
      if (this.depth >= 2 && !this.inAnnotations) {
        j = this.skipValue(j);
        continue;
      }
      if (this.inString) {
        if (!this.escaped && this.role !== ELEMENT_KEY && this.role !== IMAGE_VALUE) {
          // Nothing to look at inside: skip to the quote or backslash.
          while (j < n && buf[j] !== QUOTE && buf[j] !== BACKSLASH) j++;
          if (j === n) break;
        }
        this.stringByte(buf[j] as number, j);
        continue;
      }
      const c = buf[j] as number;
      if (this.bare !== NONE) {
        if (!endsBare(c)) {
          if (this.bare === IMAGE_VALUE) this.idByte(c);
          continue;
        }
        this.endBare(j);
      }
      if (isWs(c)) continue;
      if (this.depth > 3) {
        // Inside an annotation's values (segmentation, bbox: most of the file): only nesting and strings
        // matter, so numbers and commas are skipped in a tight loop.
        let d = c;
        while (
          d !== QUOTE &&
          d !== OPEN_ARRAY &&
          d !== CLOSE_ARRAY &&
          d !== OPEN_OBJECT &&
          d !== CLOSE_OBJECT &&
          ++j < n
        )
          d = buf[j] as number;
        if (j === n) break;
        if (d === QUOTE) this.inString = true;
        else if (d === OPEN_OBJECT || d === OPEN_ARRAY) {
          this.stack.push(d);
          this.depth++;
        } else {
          if (this.stack.pop() !== (d === CLOSE_OBJECT ? OPEN_OBJECT : OPEN_ARRAY))
            this.fail("unbalanced brackets", this.base + j);
          this.depth--;
          if (this.idCapStart >= 0 && this.depth === 3) this.endIdCapture(this.base + j + 1);
        }
        continue;
      }
      j = this.structural(c, j);
    }
    if (this.idCapStart >= 0) {
      this.idBytesOf(this.idCapStart - this.base, n);
      this.idCapStart = this.base + n;
    }
    if (this.capStart >= 0) {
      this.capParts.push(buf.slice(this.capStart - this.base, n));
      this.capStart = this.base + n;
    }
  }

  /**
   * Inside a top-level value other than `annotations` (images, categories: captured whole, parsed at
   * its end), from byte `j`: only strings and brackets matter, up to the value's end. Returns the byte
   * of its closing bracket, or `n`. Apart from `feed` so that `feed` is optimised on the annotations'
   * bytes alone: optimised while it read the images first, it was deoptimised and compiled again when
   * the annotations came (`--trace-deopt`), and each compilation takes RSS (see the top).
   */
  skipValue(j: number): number {
    const buf = this.buf;
    const n = this.n;
    const stack = this.stack;
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    for (; j < n; j++) {
      const c = buf[j] as number;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (c === QUOTE) inString = true;
      else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        stack.push(c);
        depth++;
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (stack.pop() !== (c === CLOSE_OBJECT ? OPEN_OBJECT : OPEN_ARRAY))
          this.fail("unbalanced brackets", this.base + j);
        if (--depth === 1) {
          this.depth = 1;
          this.inString = false;
          this.escaped = false;
          this.endValue(this.base + j + 1);
          return j;
        }
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return n;
  }

  startCapture(at: number): void {
    this.capStart = at;
    this.capParts = [];
  }

  /** The bytes captured since `startCapture`, up to `end`. */
  endCaptureBytes(end: number): Uint8Array {
    this.capParts.push(this.buf.slice(this.capStart - this.base, end - this.base));
    const whole =
      this.capParts.length === 1 ? (this.capParts[0] as Uint8Array) : Buffer.concat(this.capParts);
    this.capStart = -1;
    this.capParts = [];
    return whole;
  }

  endCapture(end: number): unknown {
    const start = this.capStart;
    const whole = this.endCaptureBytes(end);
    try {
      return JSON.parse(this.decoder.decode(whole));
    } catch (cause) {
      throw this.notJson(cause, start, end);
    }
  }

  /**
   * A top-level container value ends at `end`: parsed into `values`, or, the `images` array, kept as
   * bytes. Why: 10,000 images parsed at once were the one big survivor of V8's scavenges in a
   * conversion (1.2 MB, `--trace-gc-nvp`): enough to grow its young generation from 2 × 2 MB to
   * 2 × 4 MB for the rest of the run. Parsed one at a time as they are converted, they die young.
   */
  endValue(end: number): void {
    if (this.capturingImages) {
      this.capturingImages = false;
      this.imagesAt = this.capStart;
      this.imagesBytes = this.endCaptureBytes(end);
    } else this.values[this.key] = this.endCapture(end);
    this.top = T_AFTER;
  }

  startElement(at: number): void {
    if (this.element !== A_ELEMENT && this.element !== A_NEXT) this.fail("',' or ']' expected", at);
    this.elementStart = at;
    this.id = NO_ID;
    this.element = A_IN_ELEMENT;
  }

  endElement(end: number): void {
    const runs = this.runs;
    // Joined to the run before when it is the same image's and the run still fits a window (what the
    // second pass reads at once).
    if (
      runs.length > this.dropped &&
      runs.id(runs.length - 1) === this.id &&
      end - runs.start(runs.length - 1) <= this.buf.length
    )
      runs.extend(end);
    else runs.push(this.elementStart, end, this.id);
    this.element = A_AFTER;
  }

  idByte(b: number): void {
    if (this.idLength === this.idBytes.length) {
      const bigger = new Uint8Array(this.idBytes.length * 2);
      bigger.set(this.idBytes);
      this.idBytes = bigger;
    }
    this.idBytes[this.idLength++] = b;
  }

  /** Bytes `from`…`to` of the window, appended to the image_id under way. */
  idBytesOf(from: number, to: number): void {
    const length = this.idLength + to - from;
    if (length > this.idBytes.length) {
      const bigger = new Uint8Array(Math.max(length, this.idBytes.length * 2));
      bigger.set(this.idBytes.subarray(0, this.idLength));
      this.idBytes = bigger;
    }
    this.idBytes.set(this.buf.subarray(from, to), this.idLength);
    this.idLength = length;
  }

  /** The image_id that is an array or an object ends at file position `end`. */
  endIdCapture(end: number): void {
    this.idBytesOf(this.idCapStart - this.base, end - this.base);
    this.idCapStart = -1;
    this.endImageId();
  }

  idStart(b: number): void {
    this.idLength = 0;
    this.idByte(b);
  }

  /** The image_id read byte by byte is whole: an integer, or a raw text's slot. */
  endImageId(): void {
    const bytes = this.idBytes;
    const length = this.idLength;
    let value = 0;
    let integer = length > 0 && length <= 15 && !(bytes[0] === ZERO && length > 1);
    for (let i = 0; integer && i < length; i++) {
      const b = bytes[i] as number;
      if (b < ZERO || b > NINE) integer = false;
      else value = value * 10 + (b - ZERO);
    }
    if (integer) {
      this.id = value;
      return;
    }
    let same = length === this.lastLength;
    for (let i = 0; same && i < length; i++) if (bytes[i] !== this.lastBytes[i]) same = false;
    if (!same) {
      const raw = this.decoder.decode(bytes.subarray(0, length));
      let s = this.slotOfRaw.get(raw);
      if (s === undefined) {
        s = this.rawIds.length;
        this.rawIds.push(raw);
        this.slotOfRaw.set(raw, s);
      }
      if (this.lastBytes.length < length) this.lastBytes = new Uint8Array(bytes.length);
      this.lastBytes.set(bytes.subarray(0, length));
      this.lastLength = length;
      this.lastSlot = -(s + 2);
    }
    this.id = this.lastSlot;
  }

  /** A bare token ends at byte `j` (not consumed). */
  endBare(j: number): void {
    const bare = this.bare;
    this.bare = NONE;
    if (bare === TOP_VALUE) {
      this.values[this.key] = this.endCapture(this.base + j);
      this.top = T_AFTER;
    } else if (bare === ELEMENT) this.endElement(this.base + j);
    else if (bare === IMAGE_VALUE) this.endImageId();
  }

  /** A byte of a string: an escape, the closing quote, or a byte of a key or image id being read. */
  stringByte(d: number, j: number): void {
    const role = this.role;
    if (this.escaped) {
      this.escaped = false;
      if (role === IMAGE_VALUE) this.idByte(d);
      else if (this.keyRaw) this.keyRaw.push(d);
      return;
    }
    if (d === BACKSLASH) {
      this.escaped = true;
      if (role === ELEMENT_KEY && this.keyIsImageId && !this.keyRaw)
        this.keyRaw = IMAGE_ID.slice(0, this.keyPos);
      this.keyIsImageId = false;
      if (role === IMAGE_VALUE) this.idByte(d);
      else if (this.keyRaw) this.keyRaw.push(d);
      return;
    }
    if (d !== QUOTE) {
      if (role === ELEMENT_KEY) {
        // image_id escaped whole is 48 bytes: a longer key is not it.
        if (this.keyRaw) {
          if (this.keyRaw.length < 48) this.keyRaw.push(d);
          else this.keyRaw = undefined;
        } else if (this.keyPos < 8 && d === IMAGE_ID[this.keyPos]) this.keyPos++;
        else this.keyIsImageId = false;
      } else if (role === IMAGE_VALUE) this.idByte(d);
      return;
    }
    this.inString = false;
    this.role = NONE;
    const at = this.base + j;
    if (role === TOP_KEY) {
      this.key = this.endCapture(at + 1) as string;
      this.top = T_COLON;
    } else if (role === TOP_VALUE) {
      this.values[this.key] = this.endCapture(at + 1);
      this.top = T_AFTER;
    } else if (role === ELEMENT) this.endElement(at + 1);
    else if (role === ELEMENT_KEY) {
      this.lastKeyImageId = this.keyRaw ? isImageIdKey(this.keyRaw) : this.keyIsImageId && this.keyPos === 8;
      this.keyRaw = undefined;
      this.expectKey = false;
    } else if (role === IMAGE_VALUE) {
      this.idByte(d);
      this.endImageId();
    }
  }

  /**
   * A key of an annotation starts at byte `j`. A key whole in the window and without escapes (all of
   * them, in practice) is read here at once; the byte of its closing quote is returned.
   */
  elementKey(j: number): number {
    const buf = this.buf;
    const n = this.n;
    let e = j + 1;
    while (e < n && buf[e] !== QUOTE && buf[e] !== BACKSLASH) e++;
    if (e < n && buf[e] === QUOTE) {
      let is = e - j - 1 === 8;
      for (let i = 0; is && i < 8; i++) if (buf[j + 1 + i] !== IMAGE_ID[i]) is = false;
      this.lastKeyImageId = is;
      this.expectKey = false;
      return e;
    }
    this.inString = true;
    this.role = ELEMENT_KEY;
    this.keyPos = 0;
    this.keyIsImageId = true;
    return j;
  }

  /**
   * An annotation's image_id that is a bare token starts at byte `j`: an integer whole in the window is
   * read here at once (the byte before its end is returned); anything else byte by byte.
   */
  imageValue(j: number): number {
    const buf = this.buf;
    const n = this.n;
    let e = j;
    let value = 0;
    for (let b = buf[e] as number; b >= ZERO && b <= NINE && e < n; b = buf[++e] as number)
      value = value * 10 + (b - ZERO);
    const length = e - j;
    if (
      e < n &&
      length > 0 &&
      length <= 15 &&
      !(buf[j] === ZERO && length > 1) &&
      endsBare(buf[e] as number)
    ) {
      this.id = value;
      return e - 1;
    }
    this.idStart(buf[j] as number);
    this.bare = IMAGE_VALUE;
    return j;
  }

  /** A byte outside strings at depth 3 or less: the document's structure. Returns the last byte consumed. */
  structural(c: number, j: number): number {
    const at = this.base + j;
    if (this.done) this.fail("data after the end of the JSON", at);
    const depth = this.depth;
    // Before the document's object, only its `{` (a string, ',' or ':' there were read as nothing).
    if (depth === 0 && (c === QUOTE || c === COMMA || c === COLON)) this.fail("not a JSON object", at);
    if (c === QUOTE) {
      if (depth === 1) {
        if (this.top === T_KEY || this.top === T_NEXT_KEY) this.role = TOP_KEY;
        else if (this.top === T_VALUE) {
          this.role = TOP_VALUE;
          this.top = T_IN_VALUE;
        } else this.fail(this.top === T_COLON ? "':' expected" : "',' or '}' expected", at);
        this.startCapture(at);
      } else if (depth === 2 && this.inAnnotations) {
        this.startElement(at);
        this.role = ELEMENT;
      } else if (depth === 3 && this.inAnnotations) {
        if (this.expectKey) return this.elementKey(j);
        if (this.imagePending) {
          this.role = IMAGE_VALUE;
          this.imagePending = false;
          this.idStart(c);
        }
      }
      this.inString = true;
      return j;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth === 0) {
        if (c !== OPEN_OBJECT) this.fail("not a JSON object", at);
      } else if (depth === 1) {
        if (this.top !== T_VALUE) this.fail(this.top === T_COLON ? "':' expected" : "a key expected", at);
        this.top = T_IN_VALUE;
        if (this.key === "annotations" && c === OPEN_ARRAY) {
          this.inAnnotations = true;
          this.sawAnnotations = true;
          this.element = A_ELEMENT;
        } else {
          this.startCapture(at);
          this.capturingImages = this.key === "images" && c === OPEN_ARRAY;
        }
      } else if (depth === 2 && this.inAnnotations) {
        this.startElement(at);
        this.expectKey = c === OPEN_OBJECT;
        this.lastKeyImageId = false;
        this.imagePending = false;
      } else if (depth === 3 && this.imagePending) {
        this.imagePending = false;
        this.idLength = 0;
        this.idCapStart = at;
      }
      this.stack.push(c);
      this.depth = depth + 1;
      return j;
    }
    if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (this.stack.pop() !== (c === CLOSE_OBJECT ? OPEN_OBJECT : OPEN_ARRAY))
        this.fail("unbalanced brackets", at);
      this.depth = depth - 1;
      if (depth === 1) {
        if (this.top !== T_KEY && this.top !== T_AFTER)
          this.fail(this.top === T_NEXT_KEY ? "a key expected" : "a value expected", at);
        this.done = true;
      } else if (depth === 2) {
        if (this.inAnnotations) {
          if (this.element === A_NEXT) this.fail("a value expected", at);
          this.inAnnotations = false;
          this.top = T_AFTER;
        } else this.endValue(at + 1);
      } else if (depth === 3 && this.inAnnotations) this.endElement(at + 1);
      return j;
    }
    if (c === COMMA) {
      if (depth === 1) {
        if (this.top !== T_AFTER) this.fail("a value expected", at);
        this.top = T_NEXT_KEY;
      } else if (depth === 2 && this.inAnnotations) {
        if (this.element !== A_AFTER) this.fail("a value expected", at);
        this.element = A_NEXT;
      } else if (depth === 3) {
        this.expectKey = true;
        this.imagePending = false;
      }
      return j;
    }
    if (c === COLON) {
      if (depth === 1) {
        if (this.top !== T_COLON) this.fail("a value expected", at);
        this.top = T_VALUE;
        // A key given twice: JSON.parse keeps its last value, so the elements of an earlier one go; but
        // not JSON there is still not JSON (JSON.parse rejects the file): images that are not are the
        // file's error, annotations that are not are issues (`dropped`).
        if (this.key === "images" && this.imagesBytes) {
          try {
            JSON.parse(this.decoder.decode(this.imagesBytes));
          } catch (cause) {
            throw this.notJson(cause, this.imagesAt, this.imagesAt + this.imagesBytes.length);
          }
          this.imagesBytes = undefined;
        }
        if (this.key === "images") delete this.values.images;
        if (this.key === "annotations") {
          this.dropped = this.runs.length;
          this.sawAnnotations = false;
        }
      } else if (depth === 2 && this.inAnnotations) this.fail("',' or ']' expected", at);
      else if (depth === 3) {
        this.imagePending = this.lastKeyImageId;
        this.lastKeyImageId = false;
      }
      return j;
    }
    // The first byte of a bare token (a number, true, false, null).
    if (depth === 0) this.fail("not a JSON object", at);
    if (depth === 1) {
      if (this.top !== T_VALUE) this.fail(this.top === T_COLON ? "':' expected" : "a key expected", at);
      this.top = T_IN_VALUE;
      this.startCapture(at);
      this.bare = TOP_VALUE;
    } else if (depth === 2 && this.inAnnotations) {
      this.startElement(at);
      this.bare = ELEMENT;
    } else if (depth === 3 && this.imagePending) {
      this.imagePending = false;
      return this.imageValue(j);
    } else {
      // Any other bare token at this depth means nothing here: skipped to where it stops.
      const buf = this.buf;
      while (j + 1 < this.n && !stopsBare(buf[j + 1] as number)) j++;
    }
    return j;
  }
}

/**
 * The images of the `images` array's bytes (`at`: the file position of its first), parsed one at a time
 * and let go: their count, the image at an index, and the index of an image by id (integer ids in an
 * array, or a Map when they are sparse; others in a Map by text). A bad image is the file's error.
 */
function imagesOf(bytes: Uint8Array, at: number, scan: FirstPass) {
  const offsets = elementOffsets(bytes, 1, bytes.length - 1, (message, i) => scan.fail(message, at + i));
  const count = offsets.length / 2;
  const imageAt = (i: number): CocoImage => {
    const start = offsets[2 * i] as number;
    const end = offsets[2 * i + 1] as number;
    try {
      return JSON.parse(scan.decoder.decode(bytes.subarray(start, end))) as CocoImage;
    } catch (cause) {
      throw scan.notJson(cause, at + start, at + end);
    }
  };
  // Each image's id as an integer (-1: not one), in a typed array; the others by text.
  const integers = new Float64Array(count);
  const byText = new Map<string, number>();
  let max = -1;
  for (let i = 0; i < count; i++) {
    const id = imageAt(i)?.id;
    const v =
      typeof id === "number" && Number.isInteger(id) && id >= 0 && id < 1e15 ? id : integerOf(String(id));
    integers[i] = v;
    if (v > max) max = v;
    // The first image of an id is the one its annotations go to.
    if (v < 0 && !byText.has(String(id))) byText.set(String(id), i);
  }
  const dense = max < 4 * count + 4096 ? new Int32Array(max + 1).fill(-1) : undefined;
  const sparse = dense ? undefined : new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const v = integers[i] as number;
    if (v < 0) continue;
    if (dense) {
      if (dense[v] === -1) dense[v] = i;
    } else if (!sparse?.has(v)) sparse?.set(v, i);
  }
  const ofInteger = (v: number) =>
    dense ? (v < dense.length ? (dense[v] as number) : -1) : (sparse?.get(v) ?? -1);
  const ofKey = (key: string) => {
    const v = integerOf(key);
    return v >= 0 ? ofInteger(v) : (byText.get(key) ?? -1);
  };
  return { count, imageAt, ofKey, ofInteger };
}

/**
 * Indexes the COCO instances file read through `file` (UTF-8); `source` names it in errors. The file
 * stays open until the index's `close()` (which `cocoToDataloop` calls when done); on an error the
 * caller closes it.
 */
export async function scanCoco(file: ByteSource, source: string, windowBytes = 1 << 16): Promise<CocoIndex> {
  const scan = new FirstPass(source, windowBytes);
  const { buf, decoder } = scan;
  for (;;) {
    const n = await file.read(buf, scan.base);
    if (n === 0) break;
    scan.n = n;
    scan.feed();
    scan.base += n;
  }
  if (!scan.done) scan.fail(scan.depth ? "a JSON value that does not end" : "not a JSON object", scan.base);
  const { values, runs, dropped } = scan;
  const count = runs.length;
  const imagesBytes = scan.imagesBytes;
  if (!imagesBytes || !Array.isArray(values.categories) || !scan.sawAnnotations)
    throw new AnnotationInputError({
      source,
      message: "not a COCO instances file: it needs images, annotations and categories arrays",
    });
  const { count: imageCount, imageAt, ofKey, ofInteger } = imagesOf(imagesBytes, scan.imagesAt, scan);
  const imageOfSlot = scan.rawIds.map((raw) => {
    try {
      return ofKey(String(JSON.parse(raw)));
    } catch {
      return -1;
    }
  });
  // An annotation without image_id (or not an object) is String(undefined)'s: the image without an id, if any.
  const imageOfNoId = ofKey("undefined");
  const imageOfRun = (k: number) => {
    const id = runs.id(k);
    return id >= 0 ? ofInteger(id) : id === NO_ID ? imageOfNoId : (imageOfSlot[-id - 2] as number);
  };
  // Grouped by image with a counting sort into one Int32Array: the runs of image i are
  // order[first[i]] … order[first[i + 1] - 1], in file order.
  const first = new Int32Array(imageCount + 2);
  const orphanRuns: number[] = [];
  for (let k = dropped; k < count; k++) {
    const i = imageOfRun(k);
    if (i < 0) orphanRuns.push(k);
    else first[i + 2] = (first[i + 2] as number) + 1;
  }
  for (let i = 2; i < first.length; i++) first[i] = (first[i] as number) + (first[i - 1] as number);
  const order = new Int32Array(count - dropped - orphanRuns.length);
  for (let k = dropped; k < count; k++) {
    const i = imageOfRun(k);
    if (i >= 0) {
      const at = first[i + 1] as number;
      order[at] = k;
      first[i + 1] = at + 1;
    }
  }
  // The second pass: ranges read through the window, copied between brackets into `wrapped` so that
  // one decode gives the text of a JSON array (`[${text}]` made a second copy of every run's text when
  // JSON.parse flattened it: 25 MB of the bench's allocations, sampled by the heap profiler).
  let windowStart = 0;
  let windowLength = 0;
  let wrapped = new Uint8Array(buf.length + 2);
  const fill = async (target: Uint8Array, position: number) => {
    let got = 0;
    while (got < target.length) {
      const n = await file.read(target.subarray(got), position + got);
      if (n === 0) break;
      got += n;
    }
    return got;
  };
  /** Bytes `start`…`end` of the file (a view of the window, or a buffer of their own when longer). */
  const bytes = async (start: number, end: number) => {
    if (start < windowStart || end > windowStart + windowLength) {
      if (end - start > buf.length) {
        const big = new Uint8Array(end - start);
        await fill(big, start);
        return big;
      }
      windowStart = start;
      windowLength = await fill(buf, start);
    }
    return buf.subarray(start - windowStart, end - windowStart);
  };
  /** The text of bytes `start`…`end` as a JSON array's. */
  const arrayText = async (start: number, end: number) => {
    const inner = await bytes(start, end);
    if (wrapped.length < inner.length + 2) wrapped = new Uint8Array(inner.length + 2);
    wrapped[0] = OPEN_ARRAY;
    wrapped.set(inner, 1);
    wrapped[inner.length + 1] = CLOSE_ARRAY;
    return decoder.decode(wrapped.subarray(0, inner.length + 2));
  };
  /** The elements of a run that is not JSON as a whole, each parsed alone: the bad ones named by their bytes. */
  const oneByOne = async (start: number, end: number, out: Array<CocoAnnotation | AnnotationInputError>) => {
    const run = (await bytes(start, end)).slice();
    const offsets = elementOffsets(run, 0, run.length);
    for (let e = 0; e < offsets.length; e += 2) {
      const from = offsets[e] as number;
      const to = offsets[e + 1] as number;
      try {
        out.push(JSON.parse(decoder.decode(run.subarray(from, to))) as CocoAnnotation);
      } catch (cause) {
        out.push(scan.notJson(cause, start + from, start + to));
      }
    }
  };
  // Neighbouring runs in the file (k, k+1, …) have only commas and spaces between them: one parse for
  // as many as fit the window.
  const read = async (indexes: ArrayLike<number>) => {
    const out: Array<CocoAnnotation | AnnotationInputError> = [];
    for (let r = 0; r < indexes.length; ) {
      const first = indexes[r] as number;
      let last = first;
      let e = r + 1;
      while (
        e < indexes.length &&
        indexes[e] === last + 1 &&
        runs.end(last + 1) - runs.start(first) <= buf.length
      )
        last = indexes[e++] as number;
      const start = runs.start(first);
      const end = runs.end(last);
      let parsed: CocoAnnotation[] | undefined;
      try {
        parsed = JSON.parse(await arrayText(start, end)) as CocoAnnotation[];
      } catch {
        parsed = undefined;
      }
      if (parsed) for (const a of parsed) out.push(a);
      else await oneByOne(start, end, out);
      r = e;
    }
    return out;
  };
  // An `annotations` given again: of the earlier one's elements, only those that are not JSON are kept
  // (issues). A run at a time: neighbouring runs may be of two arrays, the bytes between them no JSON.
  const orphans: Array<CocoAnnotation | AnnotationInputError> = [];
  for (let k = 0; k < dropped; k++)
    for (const a of await read([k])) if (a instanceof AnnotationInputError) orphans.push(a);
  for (const a of await read(orphanRuns)) orphans.push(a);
  let images: CocoImage[] | undefined;
  return {
    // Parsed whole when first read; a conversion reads them one at a time (`eachImage`).
    get images() {
      if (!images) {
        images = [];
        for (let i = 0; i < imageCount; i++) images.push(imageAt(i));
      }
      return images;
    },
    *eachImage() {
      for (let i = 0; i < imageCount; i++) yield imageAt(i);
    },
    categories: values.categories as CocoCategory[],
    annotationsOf: (id) => {
      const i = ofKey(id);
      return read(i < 0 ? [] : order.subarray(first[i] as number, first[i + 1] as number));
    },
    orphans,
    close: () => file.close(),
  };
}

/**
 * Where each element of the array bytes `from`…`to` (its inside, without its brackets) starts and ends,
 * as pairs in a Uint32Array (off the JS heap): the bytes are a JSON array's inside whose brackets the
 * first pass balanced (a run of `annotations`, the `images` array). The first pass checks the commas
 * between annotations, not those of `images` (it only balances their brackets): for those, `bad` is
 * told of a missing or extra comma (`[{…} {…}]`, `[{…},]`), which JSON.parse rejects.
 */
function elementOffsets(
  bytes: Uint8Array,
  from: number,
  to: number,
  bad?: (message: string, at: number) => never,
): Uint32Array {
  let offsets = new Uint32Array(64);
  let count = 0;
  const push = (start: number, end: number) => {
    if (count + 2 > offsets.length) {
      const bigger = new Uint32Array(offsets.length * 2);
      bigger.set(offsets);
      offsets = bigger;
    }
    offsets[count++] = start;
    offsets[count++] = end;
  };
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  /** A comma (or the array's start) came since the last element. */
  let separated = true;
  for (let i = from; i < to; i++) {
    const c = bytes[i] as number;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === BACKSLASH) escaped = true;
      else if (c === QUOTE) {
        inString = false;
        if (depth === 0) {
          push(start, i + 1);
          start = -1;
        }
      }
      continue;
    }
    if (start < 0) {
      if (isWs(c)) continue;
      if (c === COMMA) {
        if (separated && bad) bad("a value expected", i);
        separated = true;
        continue;
      }
      if (!separated && bad) bad("',' or ']' expected", i);
      separated = false;
      start = i;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
    else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (--depth === 0) {
        push(start, i + 1);
        start = -1;
      }
    } else if (depth === 0 && (isWs(c) || c === COMMA)) {
      push(start, i);
      start = -1;
      if (c === COMMA) separated = true;
    }
  }
  if (start >= 0) push(start, to);
  else if (separated && count > 0 && bad) bad("a value expected", to);
  return offsets.subarray(0, count);
}
