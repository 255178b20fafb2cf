// A COCO file indexed without parsing it whole: the bytes are scanned once for the top-level keys and
// the byte range of each element of `annotations`; an image's annotations are parsed when asked for.
// JSON.parse of a whole 25 MB COCO file of 100 000 annotations holds ~ 100 MB of objects at once; this
// holds the bytes (off the JS heap) and a few numbers per annotation (see the annotations bench).
import type { CocoAnnotation, CocoCategory, CocoImage, CocoIndex } from "./coco.js";
import { AnnotationInputError } from "./errors.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isWs = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Indexes the COCO instances file in `bytes` (UTF-8); `source` names it in errors. */
export function scanCoco(bytes: Uint8Array, source: string): CocoIndex {
  const text = new TextDecoder();
  const n = bytes.length;
  let i = 0;
  const fail = (message: string): never => {
    throw new AnnotationInputError({ source, message: `${message} at byte ${i}` });
  };
  const ws = () => {
    while (i < n && isWs(bytes[i])) i++;
  };
  const string = () => {
    i++;
    while (i < n) {
      const c = bytes[i];
      if (c === BACKSLASH) i += 2;
      else if (c === QUOTE) {
        i++;
        return;
      } else i++;
    }
    fail("a string that does not end");
  };
  const value = () => {
    ws();
    const c = bytes[i];
    if (c === QUOTE) return string();
    if (c === 0x7b || c === 0x5b) {
      let depth = 0;
      while (i < n) {
        const d = bytes[i];
        if (d === QUOTE) {
          string();
          continue;
        }
        if (d === 0x7b || d === 0x5b) depth++;
        else if (d === 0x7d || d === 0x5d) {
          depth--;
          if (depth === 0) {
            i++;
            return;
          }
        }
        i++;
      }
      fail("an object or array that does not end");
    }
    const start = i;
    while (i < n && !isWs(bytes[i]) && bytes[i] !== 0x2c && bytes[i] !== 0x7d && bytes[i] !== 0x5d) i++;
    if (i === start) fail("a value expected");
  };
  const parse = (start: number, end: number): unknown => {
    try {
      return JSON.parse(text.decode(bytes.subarray(start, end)));
    } catch (cause) {
      throw new AnnotationInputError({
        source,
        message: `not JSON (${(cause as Error).message}) in bytes ${start}–${end}`,
      });
    }
  };

  const top: Record<string, unknown> = {};
  const starts: number[] = [];
  const ends: number[] = [];
  ws();
  if (bytes[i] !== 0x7b) fail("not a JSON object");
  i++;
  for (;;) {
    ws();
    if (bytes[i] === 0x7d) break;
    if (bytes[i] !== QUOTE) fail("a key expected");
    const keyStart = i;
    string();
    const key = parse(keyStart, i) as string;
    ws();
    if (bytes[i] !== 0x3a) fail("':' expected");
    i++;
    ws();
    if (key === "annotations" && bytes[i] === 0x5b) {
      i++;
      for (;;) {
        ws();
        if (bytes[i] === 0x5d) {
          i++;
          break;
        }
        const start = i;
        value();
        starts.push(start);
        ends.push(i);
        ws();
        if (bytes[i] === 0x2c) i++;
        else if (bytes[i] !== 0x5d) fail("',' or ']' expected");
      }
      top.annotations = true;
    } else {
      const start = i;
      value();
      top[key] = parse(start, i);
    }
    ws();
    if (bytes[i] === 0x2c) i++;
    else if (bytes[i] !== 0x7d) fail("',' or '}' expected");
  }
  if (!Array.isArray(top.images) || !Array.isArray(top.categories) || top.annotations !== true)
    throw new AnnotationInputError({
      source,
      message: "not a COCO instances file: it needs images, annotations and categories arrays",
    });
  const images = top.images as CocoImage[];
  const ids = new Set(images.map((im) => String(im.id)));
  // One pass over the annotations for their image ids: each is parsed and dropped, only its number kept.
  const byImage = new Map<string, number[]>();
  const orphans: CocoAnnotation[] = [];
  for (let k = 0; k < starts.length; k++) {
    const a = parse(starts[k] as number, ends[k] as number) as CocoAnnotation;
    const key = String(a?.image_id);
    if (!ids.has(key)) {
      orphans.push(a);
      continue;
    }
    const list = byImage.get(key);
    if (list) list.push(k);
    else byImage.set(key, [k]);
  }
  return {
    images,
    categories: top.categories as CocoCategory[],
    annotationsOf: (id) =>
      (byImage.get(id) ?? []).map((k) => parse(starts[k] as number, ends[k] as number) as CocoAnnotation),
    orphans,
  };
}
