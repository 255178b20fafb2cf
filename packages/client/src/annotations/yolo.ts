// YOLO ↔ Dataloop JSON. YOLO keeps one text file per image, one object a line: `class cx cy w h`
// (a box, normalised to the image size) or `class x1 y1 x2 y2 …` (YOLO-seg: a polygon of 3 points or
// more), class being an index into `names` (data.yaml). YOLO has no rotation, masks, points or
// classifications: those are listed as not expressible.
import { box, segment } from "./builders.js";
import type { Conversion, Source } from "./conversion.js";
import { readForExport } from "./conversion.js";
import { AnnotationInputError, AnnotationNotExpressibleError, type ConversionIssue } from "./errors.js";
import { isKnownType, readAnnotation } from "./readers.js";
import type { AnnotationBody, ItemAnnotationsJson, Point } from "./types.js";

/**
 * One image's label file, with the size its numbers are normalised to.
 * @example
 * ```ts
 * import { type YoloLabelFile, yoloToDataloop } from "@dataloop-ts/client/annotations";
 *
 * const file: YoloLabelFile = { filename: "/train/a.jpg", source: "labels/train/a.txt", text: "0 0.5 0.5 0.25 0.25\n", width: 640, height: 480 };
 * for await (const item of yoloToDataloop([file], ["cat"]).items) console.log(item.annotations);
 * ```
 */
export interface YoloLabelFile {
  /** The item it belongs to, `/dir/name.jpg`. */
  filename: string;
  /** Where the text came from (for errors), e.g. `labels/name.txt`. */
  source?: string;
  text: string;
  width: number;
  height: number;
}

/**
 * Class names from a data.yaml (`names:` as a list or an index map) or a classes.txt (one per line).
 * Async: the YAML parser is loaded when a data.yaml is read (~10 MB of RSS that a process converting
 * COCO never needs; the annotations bench's "loaded" figure).
 * @example
 * ```ts
 * import { parseYoloNames } from "@dataloop-ts/client/annotations";
 *
 * console.log(await parseYoloNames("names: [cat, dog]\n")); // ["cat", "dog"]
 * console.log(await parseYoloNames("names:\n  0: cat\n  1: dog\n")); // ["cat", "dog"]
 * console.log(await parseYoloNames("cat\ndog\n", "classes.txt")); // ["cat", "dog"]
 * ```
 */
export async function parseYoloNames(text: string, source = "data.yaml"): Promise<string[]> {
  if (!/^\s*names\s*:/m.test(text))
    return text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
  const { parse } = await import("yaml");
  let names: unknown;
  try {
    names = (parse(text) as { names?: unknown })?.names;
  } catch (cause) {
    throw new AnnotationInputError({ source, message: `not YAML (${(cause as Error).message})` });
  }
  if (Array.isArray(names)) return names.map(String);
  if (names && typeof names === "object") {
    const out: string[] = [];
    for (const [k, v] of Object.entries(names)) out[Number(k)] = String(v);
    return out;
  }
  throw new AnnotationInputError({ source, message: "`names` must be a list or a map of index to name" });
}

/**
 * A data.yaml for `names` (index order): `nc` and `names` as a flow list of JSON strings, which YAML
 * reads as they are (JSON is YAML 1.2), so no YAML library is loaded to write it.
 * @example
 * ```ts
 * import { yoloDataYaml } from "@dataloop-ts/client/annotations";
 *
 * console.log(yoloDataYaml(["cat", "dog"])); // nc: 2\nnames: ["cat", "dog"]
 * ```
 */
export const yoloDataYaml = (names: readonly string[]) =>
  `nc: ${names.length}\nnames: [${names.map((n) => JSON.stringify(n)).join(", ")}]\n`;

/**
 * YOLO label files as Dataloop JSON, one item per file. Bad lines are `issues`; the other lines go on.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { uploadAnnotations, yoloToDataloop } from "@dataloop-ts/client/annotations";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const files = [{ filename: "/a.jpg", text: "0 0.5 0.5 0.2 0.2\n1 0.1 0.1 0.3 0.1 0.2 0.3\n", width: 640, height: 480 }];
 * const { items, issues } = yoloToDataloop(files, ["cat", "road"]);
 * await uploadAnnotations(dl, "64f0c1a2b3c4d5e6f7a8b9c1", items);
 * console.log(issues);
 * ```
 */
export function yoloToDataloop(
  files: Source<YoloLabelFile>,
  names: readonly string[],
): Conversion<ItemAnnotationsJson> {
  const issues: ConversionIssue[] = [];
  async function* items() {
    for await (const file of files) {
      const source = file.source ?? file.filename;
      const { width: W, height: H } = file;
      const annotations: AnnotationBody[] = [];
      const lines = file.text.split(/\r?\n/);
      for (let n = 0; n < lines.length; n++) {
        const tokens = (lines[n] ?? "").trim().split(/\s+/).filter(Boolean);
        if (!tokens.length) continue;
        const bad = (message: string) =>
          issues.push(new AnnotationInputError({ source, line: n + 1, message }));
        const numbers = tokens.slice(1).map(Number);
        const cls = Number(tokens[0]);
        const label = names[cls];
        if (!Number.isInteger(cls) || label === undefined) {
          bad(`class ${tokens[0]} is not an index of names (0–${names.length - 1})`);
          continue;
        }
        if (!numbers.every(Number.isFinite)) {
          bad("a value is not a number");
          continue;
        }
        if (numbers.length === 4) {
          const [cx, cy, w, h] = numbers as [number, number, number, number];
          annotations.push(
            box({
              label,
              coordinates: [
                { x: (cx - w / 2) * W, y: (cy - h / 2) * H, z: 0 },
                { x: (cx + w / 2) * W, y: (cy + h / 2) * H, z: 0 },
              ],
            }),
          );
        } else if (numbers.length >= 6 && numbers.length % 2 === 0) {
          const points: Point[] = [];
          for (let i = 0; i < numbers.length; i += 2)
            points.push({ x: numbers[i]! * W, y: numbers[i + 1]! * H, z: 0 });
          annotations.push(segment({ label, coordinates: points }));
        } else {
          bad(
            `${numbers.length} numbers after the class: a box has 4 (cx cy w h), a polygon 6 or more (x y pairs)`,
          );
        }
      }
      yield {
        filename: file.filename,
        metadata: { system: { width: W, height: H } },
        annotations,
      } satisfies ItemAnnotationsJson;
    }
  }
  return { items: items(), issues };
}

/**
 * One label file of a YOLO export: `path` is the item's path with `.txt` for its extension, no leading `/`.
 * @example
 * ```ts
 * import { dataloopToYolo, type YoloOutputFile } from "@dataloop-ts/client/annotations";
 *
 * const files: YoloOutputFile[] = [];
 * for await (const file of dataloopToYolo([{ filename: "/cats/a.jpg", annotations: [] }]).items) files.push(file);
 * console.log(files.map((f) => `${f.filename} → ${f.path}`)); // /cats/a.jpg → cats/a.txt
 * ```
 */
export interface YoloOutputFile {
  filename: string;
  path: string;
  text: string;
}

/**
 * What `dataloopToYolo` returns: the label files as they are read (`items`), the `issues`, and the class `names` in index order (complete once `items` is read).
 * @example
 * ```ts
 * import { type DataloopToYolo, dataloopToYolo } from "@dataloop-ts/client/annotations";
 *
 * const yolo: DataloopToYolo = dataloopToYolo([], { names: ["cat"] });
 * for await (const file of yolo.items) console.log(file.path);
 * console.log(yolo.names, yolo.issues); // complete once items is read
 * ```
 */
export interface DataloopToYolo extends Conversion<YoloOutputFile> {
  /** The class names in index order: those given, then labels as they were met. Complete once `items` is read. */
  names: string[];
}

const txtPathOf = (filename: string) => `${filename.replace(/^\/+/, "").replace(/\.[^./]*$/, "")}.txt`;

/**
 * Dataloop JSON as YOLO label files (an empty file for an item with no annotations: a background image).
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { dataloopToYolo, downloadAnnotations } from "@dataloop-ts/client/annotations";
 * import { writeYoloFolder } from "@dataloop-ts/client/annotations/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const yolo = dataloopToYolo(downloadAnnotations(dl, "64f0c1a2b3c4d5e6f7a8b9c1"), { names: ["cat", "dog"] });
 * const written = await writeYoloFolder("./yolo", yolo);
 * console.log(written, "label files;", yolo.issues.length, "issues");
 * ```
 */
export function dataloopToYolo(
  source: Source<ItemAnnotationsJson>,
  options: { names?: readonly string[] } = {},
): DataloopToYolo {
  const issues: ConversionIssue[] = [];
  const names = [...(options.names ?? [])];
  const index = new Map(names.map((n, i) => [n, i]));
  const classOf = (label: string) => {
    const known = index.get(label);
    if (known !== undefined) return known;
    const i = names.length;
    index.set(label, i);
    names.push(label);
    return i;
  };
  async function* items() {
    for await (const item of source) {
      const W = item.metadata?.system?.width;
      const H = item.metadata?.system?.height;
      const lines: string[] = [];
      for (const stored of item.annotations) {
        const place = { source: item.filename, id: (stored as { id?: string }).id };
        if (!W || !H) {
          issues.push(
            new AnnotationInputError({
              ...place,
              message:
                "the item's width and height (metadata.system) are unknown: YOLO numbers are normalised to them",
            }),
          );
          continue;
        }
        const a = readForExport(stored, place, "YOLO", issues);
        if (!a) continue;
        if (a.type === "box" && !a.angle) {
          const [tl, br] = a.coordinates;
          lines.push(
            `${classOf(a.label)} ${(tl.x + br.x) / 2 / W} ${(tl.y + br.y) / 2 / H} ${(br.x - tl.x) / W} ${(br.y - tl.y) / H}`,
          );
        } else if (a.type === "segment") {
          lines.push(`${classOf(a.label)} ${a.coordinates.map((p) => `${p.x / W} ${p.y / H}`).join(" ")}`);
        } else {
          issues.push(
            new AnnotationNotExpressibleError({
              format: "YOLO",
              type: a.type,
              ...(a.type === "box" ? { reason: "a rotated box" } : {}),
              ...place,
            }),
          );
        }
      }
      yield {
        filename: item.filename,
        path: txtPathOf(item.filename),
        text: lines.length ? `${lines.join("\n")}\n` : "",
      };
    }
  }
  return { items: items(), issues, names };
}
