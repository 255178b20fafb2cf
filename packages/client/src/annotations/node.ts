// `@dataloop-ts/client/annotations/node`: the annotations' files on disk (Node only): dtlpy-layout JSON
// folders, COCO files and YOLO folders, read and written as streams; every file written atomically.
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";
import { leadingBytes } from "@dataloop-ts/core";
import type { CocoFile, CocoIndex } from "./coco.js";
import { scanCoco } from "./coco-scan.js";
import type { Source } from "./conversion.js";
import { AnnotationInputError } from "./errors.js";
import type { ItemAnnotationsJson } from "./types.js";
import { parseYoloNames, type YoloOutputFile, yoloDataYaml } from "./yolo.js";

// Loaded when a folder is written: `@dataloop-ts/core/node` brings `node:http` (its loopback server),
// which loads Node's own undici, ~10 MB of RSS and ~150 ms of CPU that a COCO conversion does not need
// (process.moduleLoadList, the annotations bench).
const writeFileAtomic = async (path: string, text: string) =>
  (await import("@dataloop-ts/core/node")).writeFileAtomic(path, text);
// Loaded when a folder is listed (tinyglobby and its matcher): a few MB of RSS that a conversion of one
// file does not need (the annotations bench's "loaded" figure).
const glob = async (pattern: string, options: { cwd: string; absolute?: boolean; dot?: boolean }) =>
  (await import("tinyglobby")).glob(pattern, options);

/** `rel` under `dir`, or an error when it would land outside it (a hostile `../` in an item's name). */
function inside(dir: string, rel: string, source: string): string {
  const root = resolve(dir);
  const path = resolve(root, `.${sep}${rel.replace(/^[/\\]+/, "")}`);
  if (path !== root && path.startsWith(root + sep)) return path;
  throw new AnnotationInputError({
    source,
    message: `the path "${rel}" leads outside the output folder`,
    hint: "Rename the item: its path must stay inside the dataset's folders.",
  });
}

/**
 * Writes text chunks to `path` as one file: a temp beside it, renamed when complete (never a torn file).
 * Chunks are gathered to `WRITE_BYTES` and each write awaited before more is read (backpressure).
 * @example
 * ```ts
 * import { dataloopToCoco } from "@dataloop-ts/client/annotations";
 * import { writeChunksAtomic } from "@dataloop-ts/client/annotations/node";
 *
 * const coco = dataloopToCoco([{ filename: "/a.jpg", metadata: { system: { width: 9, height: 9 } }, annotations: [] }]);
 * await writeChunksAtomic("./out/coco.json", coco.items); // never a torn file, even if the run dies
 * ```
 */
export async function writeChunksAtomic(path: string, chunks: AsyncIterable<string>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const { tmp, file } = await createTemp(path);
  try {
    // Gathered into one buffer, each string encoded into it as UTF-8 where it lands. Why: one write per
    // item (a stream's writev of 10 000 small buffers) cost 285 ms of 2.4 s CPU in the annotations
    // bench, and joining the strings first copied them twice (two-byte strings once a label is CJK).
    const buf = Buffer.allocUnsafe(WRITE_BYTES);
    let used = 0;
    for await (const chunk of chunks) {
      // A UTF-16 unit takes at most 3 bytes in UTF-8: what may not fit is written first.
      if (chunk.length * 3 > WRITE_BYTES - used) {
        if (used) await file.write(buf, 0, used);
        used = 0;
        if (chunk.length * 3 > WRITE_BYTES) {
          await file.write(chunk);
          continue;
        }
      }
      used += buf.write(chunk, used);
    }
    if (used) await file.write(buf, 0, used);
    await file.close();
    await rename(tmp, path);
  } catch (error) {
    await file.close().catch(() => {});
    await rm(tmp, { force: true });
    throw error;
  }
}

// Both buffers are touched whole, so they are peak RSS: 1 MB of reading and 256 KB of writing cost
// the annotations bench's Dataloop JSON → COCO 0.9 MB and ~0.3 MB more than these (5 runs each),
// and 28 MB read 128 KB at a time is ~220 reads.
const WRITE_BYTES = 64 * 1024;
const READ_BYTES = 128 * 1024;

/**
 * A new temp file beside `path`, `.NAME.<12 hex>.tmp`. The hex is from `Math.random`, not node:crypto:
 * loading node:crypto cost 1.8 MB of peak RSS (an empty node: 42.9 → 44.7 MB), and the name needs no
 * secrecy: "wx" (O_EXCL) never opens a file or a link that exists, and a name taken is drawn again.
 */
async function createTemp(path: string) {
  for (let attempt = 1; ; attempt++) {
    const hex = Math.floor(Math.random() * 2 ** 48)
      .toString(16)
      .padStart(12, "0");
    const tmp = join(dirname(path), `.${leadingBytes(basename(path), 200)}.${hex}.tmp`);
    try {
      return { tmp, file: await open(tmp, "wx") };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt === 5) throw error;
    }
  }
}

/**
 * The JSON path of an item in dtlpy's layout: its path with `.json` for its extension.
 * @example
 * ```ts
 * import { jsonPathOf } from "@dataloop-ts/client/annotations/node";
 *
 * console.log(jsonPathOf("/cats/a.jpg")); // cats/a.json
 * ```
 */
export const jsonPathOf = (filename: string) =>
  `${filename.replace(/^\/+/, "").replace(/\.[^./]*$/, "")}.json`;

/**
 * Writes one JSON per item under `dir` (dtlpy's layout: `dir/<item path>.json`, `{ filename, annotations }`).
 * Returns the paths written; an item whose path would leave `dir` is an `AnnotationInputError`.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { downloadAnnotations } from "@dataloop-ts/client/annotations";
 * import { writeItemJsons } from "@dataloop-ts/client/annotations/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const written = await writeItemJsons("./json", downloadAnnotations(dl, "64f0c1a2b3c4d5e6f7a8b9c1"), (item, path) =>
 *   console.log(item.filename, "→", path),
 * );
 * console.log(written.length);
 * ```
 */
export async function writeItemJsons(
  dir: string,
  items: Source<ItemAnnotationsJson>,
  onItem?: (item: ItemAnnotationsJson, path: string) => void,
): Promise<string[]> {
  const written: string[] = [];
  for await (const item of items) {
    const path = inside(dir, jsonPathOf(item.filename), item.filename);
    await writeFileAtomic(path, `${JSON.stringify(item, null, 2)}\n`);
    written.push(path);
    onItem?.(item, path);
  }
  return written;
}

const notAnItem = (source: string) =>
  new AnnotationInputError({
    source,
    message: "not an item's annotations: expected { filename, annotations: [...] }",
    hint: "Give the JSON files `dataloop annotations download` writes (dtlpy's layout).",
  });

const isItem = (json: unknown): json is ItemAnnotationsJson => {
  const item = json as Partial<ItemAnnotationsJson> | undefined;
  return typeof item?.filename === "string" && Array.isArray(item.annotations);
};

const asItem = (json: unknown, source: string): ItemAnnotationsJson => {
  if (!isItem(json)) throw notAnItem(source);
  return json;
};

/**
 * The items of a JSON Lines file (one dtlpy-layout item per line), read a window at a time and cut at
 * newline bytes, each line decoded alone: memory holds one window and one item. Why not readline: its
 * iterator cost 360 ms of 2.4 s CPU on the bench's 28 MB file. Why not decode a window at once: the
 * 1 MB string outlived several scavenges (its lines slice it) and was promoted, window after window,
 * growing the old generation to 90 MB (--trace-gc).
 */
async function* readItemLines(path: string): AsyncGenerator<ItemAnnotationsJson> {
  const file = await open(path, "r");
  try {
    const decoder = new TextDecoder();
    let buf = new Uint8Array(READ_BYTES);
    let kept = 0; // bytes of an unfinished line at the start of buf
    let line = 0;
    // The line's name (`path:line`) is made only for an error: made for every line, it nearly doubled
    // the bytes surviving scavenges while the bench's 28 MB file was read (--trace-gc-nvp: 0.97 → 0.52
    // MB survived or promoted), and those bytes are what grows V8's young generation.
    const parse = (bytes: Uint8Array) => {
      line++;
      const text = decoder.decode(bytes);
      if (!text.trim()) return undefined;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (cause) {
        throw new AnnotationInputError({
          source: `${path}:${line}`,
          message: `not JSON (${(cause as Error).message})`,
        });
      }
      if (!isItem(json)) throw notAnItem(`${path}:${line}`);
      return json;
    };
    for (let position = 0; ; ) {
      if (kept === buf.length) {
        // A line longer than the window: a bigger window.
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      const { bytesRead } = await file.read(buf, kept, buf.length - kept, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const end = kept + bytesRead;
      let start = 0;
      for (let nl = buf.indexOf(0x0a, kept); nl >= 0 && nl < end; nl = buf.indexOf(0x0a, start)) {
        const item = parse(buf.subarray(start, nl));
        start = nl + 1;
        if (item) yield item;
        if (start >= end) break;
      }
      buf.copyWithin(0, start, end);
      kept = end - start;
    }
    const item = kept ? parse(buf.subarray(0, kept)) : undefined;
    if (item) yield item;
  } finally {
    await file.close();
  }
}

/**
 * The dtlpy-layout JSONs of a file or a folder (every `*.json` under it), one at a time; a `.jsonl`
 * file holds one item per line.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { uploadAnnotations } from "@dataloop-ts/client/annotations";
 * import { readItemJsons } from "@dataloop-ts/client/annotations/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * await uploadAnnotations(dl, "64f0c1a2b3c4d5e6f7a8b9c1", readItemJsons("./json")); // items matched by filename
 * ```
 */
export async function* readItemJsons(path: string): AsyncGenerator<ItemAnnotationsJson> {
  if (path.endsWith(".jsonl") && !(await stat(path)).isDirectory()) {
    yield* readItemLines(path);
    return;
  }
  const files = (await stat(path)).isDirectory()
    ? (await glob("**/*.json", { cwd: path, absolute: true, dot: false })).sort()
    : [path];
  for (const file of files) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, "utf8"));
    } catch (cause) {
      throw new AnnotationInputError({ source: file, message: `not JSON (${(cause as Error).message})` });
    }
    yield asItem(json, file);
  }
}

/**
 * A COCO instances file indexed by image, without holding it (for `cocoToDataloop`): memory holds its
 * images' bytes, its categories, three numbers per run of an image's annotations and a 64 KiB window;
 * each image and its annotations are read back and parsed as they are converted. A file that is not JSON is an `AnnotationInputError` naming
 * the file and the byte; an annotation that is not JSON is one of the conversion's issues. The file
 * stays open until the conversion ends (or `close()`).
 * @example
 * ```ts
 * import { cocoToDataloop } from "@dataloop-ts/client/annotations";
 * import { openCocoFile } from "@dataloop-ts/client/annotations/node";
 *
 * const index = await openCocoFile("instances.json");
 * console.log(index.images.length, index.categories.map((c) => c.name));
 * for await (const item of cocoToDataloop(index, { source: "instances.json" }).items) console.log(item.filename);
 * ```
 */
export async function openCocoFile(path: string): Promise<CocoIndex> {
  const handle = await open(path, "r");
  try {
    return await scanCoco(
      {
        read: async (buffer, position) => (await handle.read(buffer, 0, buffer.length, position)).bytesRead,
        close: () => handle.close(),
      },
      path,
    );
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * A COCO instances file, parsed whole.
 * @example
 * ```ts
 * import { cocoToDataloop } from "@dataloop-ts/client/annotations";
 * import { readCocoFile } from "@dataloop-ts/client/annotations/node";
 *
 * const coco = await readCocoFile("instances.json");
 * console.log(coco.images.length, coco.annotations.length);
 * for await (const item of cocoToDataloop(coco).items) console.log(item.filename);
 * ```
 */
export async function readCocoFile(path: string): Promise<CocoFile> {
  let coco: CocoFile;
  try {
    coco = JSON.parse(await readFile(path, "utf8")) as CocoFile;
  } catch (cause) {
    throw new AnnotationInputError({ source: path, message: `not JSON (${(cause as Error).message})` });
  }
  if (!Array.isArray(coco?.images) || !Array.isArray(coco.annotations) || !Array.isArray(coco.categories))
    throw new AnnotationInputError({
      source: path,
      message: "not a COCO instances file: it needs images, annotations and categories arrays",
    });
  return coco;
}

/**
 * A YOLO folder: its class names (data.yaml, or classes.txt / obj.names) and its label files.
 * @example
 * ```ts
 * import { yoloToDataloop } from "@dataloop-ts/client/annotations";
 * import { readYoloFolder } from "@dataloop-ts/client/annotations/node";
 *
 * const { names, files } = await readYoloFolder("./yolo"); // data.yaml + labels/…txt
 * for await (const f of files) {
 *   const { items } = yoloToDataloop([{ filename: `/${f.path.replace(/\.txt$/, ".jpg")}`, source: f.source, text: f.text, width: 640, height: 480 }], names);
 *   for await (const item of items) console.log(item.filename, item.annotations.length);
 * }
 * ```
 */
export async function readYoloFolder(dir: string): Promise<{
  names: string[];
  /** Label files: `path` relative to the labels folder (`labels/` when there is one), e.g. `train/a.txt`. */
  files: AsyncGenerator<{ path: string; source: string; text: string }>;
}> {
  let names: string[] | undefined;
  for (const name of ["data.yaml", "data.yml", "classes.txt", "obj.names"]) {
    const text = await readFile(join(dir, name), "utf8").catch(() => undefined);
    if (text !== undefined) {
      names = await parseYoloNames(text, join(dir, name));
      break;
    }
  }
  if (!names)
    throw new AnnotationInputError({
      source: dir,
      message: "no data.yaml (or classes.txt) with the class names",
      hint: "Add a data.yaml with `names: [...]` in class index order.",
    });
  const labels = (await stat(join(dir, "labels")).catch(() => undefined))?.isDirectory()
    ? join(dir, "labels")
    : dir;
  const paths = (await glob("**/*.txt", { cwd: labels })).filter((p) => !/^(classes\.txt)$/.test(p)).sort();
  async function* files() {
    for (const p of paths) {
      const source = join(labels, p);
      yield { path: p.split(sep).join("/"), source, text: await readFile(source, "utf8") };
    }
  }
  return { names, files: files() };
}

/**
 * Writes a YOLO folder: `labels/<item path>.txt` per item, then `data.yaml` with the names met.
 * @example
 * ```ts
 * import { dataloopToYolo } from "@dataloop-ts/client/annotations";
 * import { writeYoloFolder } from "@dataloop-ts/client/annotations/node";
 *
 * const yolo = dataloopToYolo([{ filename: "/a.jpg", metadata: { system: { width: 9, height: 9 } }, annotations: [] }]);
 * const n = await writeYoloFolder("./yolo", yolo, (file) => console.log(file.path));
 * console.log(n, "label files and data.yaml written");
 * ```
 */
export async function writeYoloFolder(
  dir: string,
  conversion: { items: AsyncIterable<YoloOutputFile>; names: string[] },
  onFile?: (file: YoloOutputFile) => void,
): Promise<number> {
  let n = 0;
  for await (const file of conversion.items) {
    await writeFileAtomic(inside(join(dir, "labels"), file.path, file.filename), file.text);
    n++;
    onFile?.(file);
  }
  await writeFileAtomic(join(dir, "data.yaml"), yoloDataYaml(conversion.names));
  return n;
}
