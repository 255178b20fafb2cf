// `@dataloop-ts/client/annotations/node`: the annotations' files on disk (Node only): dtlpy-layout JSON
// folders, COCO files and YOLO folders, read and written as streams; every file written atomically.
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { writeFileAtomic } from "@dataloop-ts/core/node";
import { glob } from "tinyglobby";
import type { CocoFile, CocoIndex } from "./coco.js";
import { scanCoco } from "./coco-scan.js";
import type { Source } from "./conversion.js";
import { AnnotationInputError } from "./errors.js";
import type { ItemAnnotationsJson } from "./types.js";
import { parseYoloNames, type YoloOutputFile, yoloDataYaml } from "./yolo.js";

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
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await pipeline(Readable.from(chunks), createWriteStream(tmp, { flags: "wx" }));
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
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

/**
 * The dtlpy-layout JSONs of a file or a folder (every `*.json` under it), one at a time.
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
    const item = json as Partial<ItemAnnotationsJson>;
    if (typeof item?.filename !== "string" || !Array.isArray(item.annotations))
      throw new AnnotationInputError({
        source: file,
        message: "not an item's annotations: expected { filename, annotations: [...] }",
        hint: "Give the JSON files `dataloop annotations download` writes (dtlpy's layout).",
      });
    yield item as ItemAnnotationsJson;
  }
}

/**
 * A COCO instances file indexed by image, without parsing it whole (for `cocoToDataloop`): memory holds
 * the file's bytes and a few numbers per annotation; each image's annotations are parsed as it is
 * converted. Bad JSON is an `AnnotationInputError` naming the file and the byte.
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
  return scanCoco(await readFile(path), path);
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
      names = parseYoloNames(text, join(dir, name));
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
