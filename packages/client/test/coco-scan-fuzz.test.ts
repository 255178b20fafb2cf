// Differential, seeded tests of the windowed COCO scanner (`scanCoco`): random COCO-like documents
// written in every way JSON allows (key order, whitespace, escapes, duplicate keys, number spellings),
// and random corruptions of them, read through windows of many sizes; the index must convert exactly as
// `JSON.parse` of the same bytes does, and a bad file must be an `AnnotationInputError`.
import { describe, expect, it } from "vitest";
import { scanCoco } from "../src/annotations/coco-scan.js";
import { AnnotationInputError, cocoToDataloop } from "../src/annotations/index.js";
import { bytesSource, collect } from "./annotations-fixtures.js";

const SEED = Number(process.env.COCO_FUZZ_SEED ?? 20261201);
const DOCUMENTS = Number(process.env.COCO_FUZZ_DOCUMENTS ?? 300);
const WINDOWS = [1, 2, 3, 7, 64, 4096, 1 << 16];

/** mulberry32: a small seeded PRNG, so that a failure is replayed by its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Rng = ReturnType<typeof prng>;

const PIECES = [
  '"',
  "\\",
  "]",
  "}",
  "[",
  "{",
  ",",
  ":",
  "image_id",
  "é",
  "漢字",
  "😀",
  "\ud800",
  "\udfff",
  "\n",
  "\t",
  "\u0000",
  "/",
  " ",
];
const randomString = (r: Rng) => {
  let s = "";
  for (let i = r.int(5); i > 0; i--)
    s += r.chance(0.5) ? r.pick(PIECES) : String.fromCharCode(0x61 + r.int(26));
  return s;
};

/** A JSON value written as text in any of the ways JSON allows for it. */
class Writer {
  constructor(private readonly r: Rng) {}

  ws(): string {
    const r = this.r;
    if (r.chance(0.6)) return "";
    let s = "";
    for (let i = 1 + r.int(3); i > 0; i--) s += r.pick([" ", "\t", "\n", "\r\n", "  "]);
    return s;
  }

  string(s: string): string {
    const r = this.r;
    let out = '"';
    for (const ch of s) {
      const code = ch.charCodeAt(0);
      if (ch.length === 2) {
        // A code point past U+FFFF (emoji): raw UTF-8, or its surrogate pair escaped.
        out += r.chance(0.5) ? ch : `\\u${hex4(code)}\\u${hex4(ch.charCodeAt(1))}`;
        continue;
      }
      // Control characters and lone surrogates must be escaped (a lone surrogate has no UTF-8).
      const mustEscape = ch === '"' || ch === "\\" || code < 0x20 || (code >= 0xd800 && code <= 0xdfff);
      if (mustEscape || r.chance(0.08)) {
        if (!mustEscape || r.chance(0.5) || code >= 0xd800)
          out += `\\u${r.chance(0.5) ? hex4(code) : hex4(code).toUpperCase()}`;
        else
          out +=
            ch === '"'
              ? '\\"'
              : ch === "\\"
                ? "\\\\"
                : ch === "\n"
                  ? "\\n"
                  : ch === "\t"
                    ? "\\t"
                    : `\\u${hex4(code)}`;
      } else out += ch;
    }
    return `${out}"`;
  }

  number(v: number): string {
    const r = this.r;
    if (Number.isInteger(v) && Math.abs(v) < 1e6) {
      const forms = [String(v), `${v}.0`, `${v}e0`, `${v}E+0`, `${v}.000`];
      if (v === 0) forms.push("-0", "-0.0", "0e5");
      else forms.push(`${v}0e-1`);
      return r.pick(forms);
    }
    return JSON.stringify(v);
  }

  /** `entries` in a random order, with decoys of keys that come again later (JSON.parse keeps the last). */
  object(entries: Array<[string, string]>): string {
    const r = this.r;
    const shuffled = shuffle(r, entries);
    const out: Array<[string, string]> = [];
    for (const [k, v] of shuffled) {
      if (r.chance(0.1)) out.push([k, this.value(junk(r, 1))]);
      out.push([k, v]);
    }
    return `{${this.ws()}${out.map(([k, v]) => `${this.string(k)}${this.ws()}:${this.ws()}${v}`).join(`${this.ws()},${this.ws()}`)}${this.ws()}}`;
  }

  array(values: string[]): string {
    return `[${this.ws()}${values.join(`${this.ws()},${this.ws()}`)}${this.ws()}]`;
  }

  value(v: unknown): string {
    if (typeof v === "string") return this.string(v);
    if (typeof v === "number") return this.number(v);
    if (v === null || typeof v === "boolean") return String(v);
    if (Array.isArray(v)) return this.array(v.map((x) => this.value(x)));
    return this.object(Object.entries(v as object).map(([k, x]) => [k, this.value(x)]));
  }
}
const hex4 = (code: number) => code.toString(16).padStart(4, "0");

function shuffle<T>(r: Rng, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Nested values with strings that hold JSON's structural characters. */
function junk(r: Rng, depth: number): unknown {
  const k = r.int(depth > 2 ? 4 : 7);
  if (k === 0) return r.int(1000) - 500;
  if (k === 1) return r.pick([true, false, null, 1.5, -2e-3, 12345678901234567000]);
  if (k === 2 || k === 3) return randomString(r);
  if (k === 4 || k === 5) return Array.from({ length: r.int(3) }, () => junk(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = r.int(3); i > 0; i--) o[r.pick(["image_id", "id", "a", randomString(r)])] = junk(r, depth + 1);
  return o;
}

/** Keys an annotation may hold besides its own: some start like image_id, or are it spelled otherwise. */
const EXTRA_KEYS = ["image_idx", "image_i", "image", "imageid", "image_id ", "Image_id", "x", "note", "是"];

/** A random COCO-like document, written as text. */
function cocoText(r: Rng): string {
  const w = new Writer(r);
  const imageIds: unknown[] = [];
  // 15 digits (the most the scanner reads as an integer), 16, and 20 (written 12345678901234567000);
  // text ids that look like numbers or hold JSON's structure.
  const idPool = [
    0,
    1,
    2,
    3,
    7,
    42,
    123456789012345,
    1234567890123456,
    12345678901234567000,
    "a",
    "Ω-1",
    "007",
    "5",
    ' "q" ',
    "]}",
  ];
  const images: string[] = [];
  for (let i = r.int(5); i > 0; i--) {
    const id = r.pick(idPool);
    imageIds.push(id);
    const entries: Array<[string, string]> = [
      ["id", w.value(id)],
      ["file_name", w.value(`${randomString(r)}.jpg`)],
    ];
    if (r.chance(0.7))
      entries.push(["width", w.value(10 + r.int(100))], ["height", w.value(10 + r.int(100))]);
    if (r.chance(0.3)) entries.push(["extra", w.value(junk(r, 1))]);
    images.push(w.object(entries));
  }
  const annotations: string[] = [];
  for (let i = r.int(12); i > 0; i--) {
    // Neighbours mostly share an image (as exporters write them); some are orphans.
    const imageId = r.chance(0.8) && imageIds.length ? r.pick(imageIds) : r.pick(idPool);
    const entries: Array<[string, string]> = [
      ["id", w.value(i)],
      ["category_id", w.value(r.pick([1, 1, 1, 2, 9]))],
      ["bbox", w.value([r.int(5), r.int(5), 1 + r.int(5), 1 + r.int(5)])],
    ];
    if (r.chance(0.95)) entries.push(["image_id", idValue(r, w, imageId)]);
    for (let e = r.int(3); e > 0; e--) entries.push([r.pick(EXTRA_KEYS), w.value(junk(r, 1))]);
    if (r.chance(0.2)) entries.push(["attributes", w.value({ image_id: junk(r, 2), deep: junk(r, 1) })]);
    annotations.push(w.object(entries));
    if (r.chance(0.2)) annotations.push(annotations.at(-1) as string);
    // Elements that are not objects: JSON.parse reads their image_id as undefined (null would fail both ways).
    if (r.chance(0.05)) annotations.push(w.value(r.pick(["x", 5, [1, "image_id"], [{ image_id: 3 }], true])));
  }
  const categories = w.array(
    [1, 2].map((id) =>
      w.object([
        ["id", w.value(id)],
        ["name", w.value(randomString(r) || "c")],
      ]),
    ),
  );
  const top: Array<[string, string]> = [
    ["images", w.array(images)],
    ["annotations", w.array(annotations)],
    ["categories", categories],
  ];
  for (let e = r.int(3); e > 0; e--)
    top.push([r.pick(["info", "licenses", "n", "s", randomString(r)]), w.value(junk(r, 1))]);
  return `${w.ws()}${w.object(top)}${w.ws()}`;
}

/** An image id as JSON may spell it: a number in any form, a string, or the odd value JSON.parse reads as one. */
function idValue(r: Rng, w: Writer, id: unknown): string {
  const k = r.int(20);
  if (k === 0) return w.value([id]); // String([5]) is "5"
  if (k === 1) return w.value({ id });
  if (k === 2) return w.value(String(id)); // 5 and "5" are one image
  if (k === 3) return w.value(r.pick([true, null, 1.5, -1]));
  return w.value(id);
}

/** The items and issues' messages of a conversion of `file`, read whole. */
const convert = (file: Parameters<typeof cocoToDataloop>[0]) =>
  collect(cocoToDataloop(file, { source: "c.json" }));

/** The same bytes through a source that reads fewer than asked (1 byte or more, seeded), as a pipe or a network disk may. */
const shortReads = (bytes: Uint8Array, r: Rng) => ({
  read: async (buffer: Uint8Array, position: number) => {
    const part = bytes.subarray(position, position + 1 + r.int(buffer.length));
    buffer.set(part);
    return part.length;
  },
  close: async () => {},
});

async function outcome<T>(f: () => Promise<T>): Promise<{ value: T } | { error: unknown }> {
  try {
    return { value: await f() };
  } catch (error) {
    return { error };
  }
}

const isCoco = (v: unknown) =>
  typeof v === "object" &&
  v !== null &&
  !Array.isArray(v) &&
  ["images", "annotations", "categories"].every((k) => Array.isArray((v as Record<string, unknown>)[k]));

/** A corruption of `text`: truncated, a byte deleted, inserted or replaced, a bracket swapped. */
function corrupt(r: Rng, bytes: Uint8Array): Uint8Array {
  const at = r.int(bytes.length);
  const b = Array.from(bytes);
  switch (r.int(6)) {
    case 5: {
      // Next to a bracket: where a trailing comma, a stray ':' or a missing ',' is read or not.
      const brackets = b.flatMap((c, i) => ([0x5b, 0x5d, 0x7b, 0x7d].includes(c) ? [i] : []));
      const i = brackets.length ? r.pick(brackets) + r.int(2) : at;
      b.splice(i, 0, r.pick([0x2c, 0x3a, 0x22, 0x31, 0x5b, 0x7b, 0x5d, 0x7d]));
      break;
    }
    case 0:
      return bytes.subarray(0, at);
    case 1:
      b.splice(at, 1);
      break;
    case 2:
      b.splice(at, 0, r.pick([0x22, 0x5c, 0x5b, 0x5d, 0x7b, 0x7d, 0x2c, 0x3a, 0x31, 0x20, 0x80]));
      break;
    case 3: {
      const brackets = b.flatMap((c, i) => ([0x5b, 0x5d, 0x7b, 0x7d].includes(c) ? [i] : []));
      const i = brackets.length ? r.pick(brackets) : at;
      b[i] = ({ 91: 0x7b, 123: 0x5b, 93: 0x7d, 125: 0x5d } as Record<number, number>)[b[i] as number] ?? 0x5d;
      break;
    }
    default:
      b[at] = r.pick([0x22, 0x5c, 0x2c, 0x3a, 0x7d, 0x5d, 0x78]);
  }
  return Uint8Array.from(b);
}

describe("scanCoco against JSON.parse (seeded; COCO_FUZZ_SEED replays a seed)", () => {
  it("converts random COCO documents exactly as JSON.parse of the same bytes, at every window size", async () => {
    const r = prng(SEED);
    for (let d = 0; d < DOCUMENTS; d++) {
      const text = cocoText(r);
      const bytes = Buffer.from(text);
      let parsed: unknown;
      try {
        parsed = JSON.parse(bytes.toString());
      } catch (error) {
        throw new Error(`seed ${SEED}, document ${d}: the generator wrote no JSON: ${text}`, {
          cause: error,
        });
      }
      const expected = await convert(parsed as never);
      // `images` (what a conversion does not read: it reads eachImage) parses them all.
      const index = await scanCoco(bytesSource(bytes), "c.json", 7);
      expect(index.images, `seed ${SEED}, document ${d}: images`).toEqual(
        (parsed as { images: unknown }).images,
      );
      await index.close?.();
      for (const windowBytes of WINDOWS) {
        const got = await outcome(async () =>
          convert(await scanCoco(bytesSource(bytes), "c.json", windowBytes)),
        );
        expect(got, `seed ${SEED}, document ${d}, window ${windowBytes}: ${text}`).toEqual({
          value: expected,
        });
      }
      const short = await outcome(async () => convert(await scanCoco(shortReads(bytes, r), "c.json", 64)));
      expect(short, `seed ${SEED}, document ${d}, short reads: ${text}`).toEqual({ value: expected });
    }
  });

  it("a corrupted document converts as JSON.parse reads it, or is an AnnotationInputError, never another error", async () => {
    const r = prng(SEED + 1);
    for (let d = 0; d < DOCUMENTS; d++) {
      const bytes = corrupt(r, Buffer.from(cocoText(r)));
      const text = Buffer.from(bytes).toString();
      const where = `seed ${SEED + 1}, document ${d}: ${JSON.stringify(text)}`;
      let parsed: unknown;
      let json = true;
      try {
        parsed = JSON.parse(text);
      } catch {
        json = false;
      }
      const expected = json && isCoco(parsed) ? await outcome(() => convert(parsed as never)) : undefined;
      for (const windowBytes of [1, 3, 64, 1 << 16]) {
        const got = await outcome(async () =>
          convert(await scanCoco(bytesSource(bytes), "c.json", windowBytes)),
        );
        const w = `${where}, window ${windowBytes}`;
        if (expected && "value" in expected) expect(got, w).toEqual(expected);
        else if ("error" in got) {
          // The reference's own error (a conversion that throws on a parsed file) may be thrown again.
          if (!(got.error instanceof AnnotationInputError) && !(expected && "error" in expected))
            expect.fail(`${w}: ${String((got.error as Error)?.stack ?? got.error)}`);
        } else {
          // Accepted though not JSON or not COCO: only when an annotation is not JSON, named as an issue.
          expect(json, w).toBe(false);
          expect(
            got.value.issues.some((m) => /not JSON .* in bytes \d+–\d+$/s.test(m)),
            w,
          ).toBe(true);
        }
      }
    }
  });
});

/** A document's conversion through the scanner at each window, beside JSON.parse's of the same text. */
async function bothWays(text: string, windows = WINDOWS) {
  const expected = await convert(JSON.parse(text));
  const got = [];
  for (const windowBytes of windows)
    got.push(await convert(await scanCoco(bytesSource(Buffer.from(text)), "c.json", windowBytes)));
  return { expected, got };
}

const coco = (annotations: string) =>
  `{"images":[{"id":3,"file_name":"a.jpg"}],"categories":[{"id":1,"name":"c"}],"annotations":[${annotations}]}`;

describe("what the fuzz found (each the smallest document that showed it)", () => {
  it("an image_id that is an array or an object is the image String() makes of it, as JSON.parse reads it", async () => {
    // String([3]) is "3": image 3's; String({id: 3}) is "[object Object]": an orphan, even after an image_id 3.
    const { expected, got } = await bothWays(
      coco(
        '{"id":1,"category_id":1,"bbox":[0,0,1,1],"image_id":[3]},' +
          '{"id":2,"category_id":1,"bbox":[0,0,1,1],"image_id":3,"image_id":{"id":3}},' +
          '{"id":3,"category_id":1,"bbox":[0,0,1,1],"image_id":[[3, "x"]]}',
      ),
    );
    expect(expected.items[0]?.annotations).toHaveLength(1);
    expect(expected.issues).toEqual([
      "c.json, id 2: image_id [object Object] is not in images",
      "c.json, id 3: image_id 3,x is not in images",
    ]);
    for (const g of got) expect(g).toEqual(expected);
  });

  it("an annotation without image_id goes to an image without id, as String(undefined) matches them", async () => {
    const text =
      '{"images":[{"file_name":"a.jpg"}],"categories":[{"id":1,"name":"c"}],"annotations":[' +
      '{"id":1,"category_id":1,"bbox":[0,0,1,1]},{"id":2,"category_id":1,"bbox":[0,0,1,1],"image_id":"undefined"}]}';
    const { expected, got } = await bothWays(text);
    expect(expected.items[0]?.annotations).toHaveLength(2);
    for (const g of got) expect(g).toEqual(expected);
  });
});

describe("what the fuzz found: bytes that are not JSON, read as nothing", () => {
  /** Whether the scanner rejects `text` with an AnnotationInputError at every window, as JSON.parse rejects it. */
  async function rejected(text: string) {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    for (const windowBytes of [1, 3, 1 << 16]) {
      const got = await outcome(() => scanCoco(bytesSource(Buffer.from(text)), "c.json", windowBytes));
      expect("error" in got && got.error, `window ${windowBytes}`).toBeInstanceOf(AnnotationInputError);
    }
  }
  const empty = '"images":[],"categories":[],"annotations":[]';

  it("rejects a string, ',' or ':' before the document's object", async () => {
    for (const before of ['"x"', ",", ":"]) await rejected(`${before}{${empty}}`);
  });

  it("rejects a trailing comma in the document's object and in annotations", async () => {
    await rejected(`{${empty},}`);
    await rejected('{"images":[],"categories":[],"annotations":[{"id":1},]}');
  });

  it("rejects a ':' between annotations", async () => {
    await rejected('{"images":[],"categories":[],"annotations":[{"id":1}:]}');
    await rejected('{"images":[],"categories":[],"annotations":[{"id":1}:,{"id":2}]}');
  });

  it("rejects images without a comma between them, or with one too many", async () => {
    const images = (inside: string) => `{"images":[${inside}],"categories":[],"annotations":[]}`;
    for (const inside of [
      '{"id":1} {"id":2}',
      '{"id":1}\n1',
      "1 2",
      '"a" "b"',
      '{"id":1},',
      ',{"id":1}',
      '{"id":1},,{"id":2}',
    ])
      await rejected(images(inside));
  });

  it("names what is not JSON in an images or annotations array that a later key of the same name replaces", async () => {
    await rejected(`{"images":[tru],${empty}}`);
    const text = `{"annotations":[{"id":1,}, {"id":2}],"annotations":[{"id":3,}],${empty.replace(',"annotations":[]', "")}}`;
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    for (const windowBytes of [1, 3, 1 << 16]) {
      const got = await convert(await scanCoco(bytesSource(Buffer.from(text)), "c.json", windowBytes));
      expect(got.issues, `window ${windowBytes}`).toEqual([
        expect.stringMatching(/^c\.json: not JSON \(.*\) in bytes 16–25$/s),
        expect.stringMatching(/^c\.json: not JSON \(.*\) in bytes 52–61$/s),
      ]);
    }
  });
});
