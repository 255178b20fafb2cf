// `dataloop annotations convert IN --from F --to T --out PATH`: COCO, YOLO and Dataloop JSON into one
// another on disk, like dtlpy's converters, with no login and no gateway. Streamed: a COCO file is
// indexed and read back an image at a time, items are written as they come, every file atomically.
// The same summary, --json and exit codes as `annotations upload|download` (annotations-report.ts).
//
// This module loads no client transport and no auth: `main.ts` routes here before choosing a gate,
// so a conversion's process holds the converters and little else (the annotations bench measures it).
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  AnnotationInputError,
  type ConversionIssue,
  cocoToDataloop,
  type ItemAnnotationsJson,
  type YoloLabelFile,
  yoloToDataloop,
} from "@dataloop-ts/client/annotations";
import { openCocoFile, readItemJsons, readYoloFolder } from "@dataloop-ts/client/annotations/node";
import { type Failure, formatOf, report, UsageError } from "./annotations-report.js";
import { writeAnnotations } from "./annotations-write.js";
import type { Context } from "./commands.js";

/** What `convert` needs of a run: no gate, no store, no client. */
export type OfflineContext = Pick<Context, "out" | "values" | "args">;

/** Extensions an image of a YOLO dataset may have, tried in this order beside its label file. */
const IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif"];

const isFile = async (path: string) => (await stat(path).catch(() => undefined))?.isFile() === true;

/**
 * The label files of a YOLO folder with the size of their images: YOLO's numbers are fractions of the
 * image, and offline the image itself says its size. Ultralytics' layout (`images/x/a.jpg` for
 * `labels/x/a.txt`) or images beside the labels. A label file with no image is a failure of its own.
 */
async function* sized(
  dir: string,
  files: AsyncIterable<{ path: string; source: string; text: string }>,
  failed: Failure[],
): AsyncGenerator<YoloLabelFile> {
  const { imageSizeFromFile } = await import("image-size/fromFile");
  const hasImages = (await stat(join(dir, "images")).catch(() => undefined))?.isDirectory();
  const imagesDir = hasImages ? join(dir, "images") : dir;
  for await (const file of files) {
    const stem = file.path.replace(/\.txt$/, "");
    let image: string | undefined;
    for (const ext of IMAGE_EXTENSIONS)
      if (await isFile(join(imagesDir, stem + ext))) {
        image = stem + ext;
        break;
      }
    if (!image) {
      failed.push({
        key: file.source,
        error: new AnnotationInputError({
          source: file.source,
          message: `no image ${join(imagesDir, stem)}.(${IMAGE_EXTENSIONS.map((e) => e.slice(1)).join("|")}) to read its size from`,
          hint: "YOLO numbers are fractions of the image: keep the images beside the labels (images/… for labels/…).",
        }),
      });
      continue;
    }
    let size: { width?: number; height?: number };
    try {
      size = await imageSizeFromFile(join(imagesDir, image));
      if (!size.width || !size.height) throw new Error("no width and height in its header");
    } catch (cause) {
      failed.push({
        key: file.source,
        error: new AnnotationInputError({
          source: join(imagesDir, image),
          message: `its size cannot be read (${(cause as Error).message})`,
          hint: "Give an image file (JPEG, PNG, …) for each label file.",
        }),
      });
      continue;
    }
    yield {
      filename: `/${image}`,
      source: file.source,
      text: file.text,
      width: size.width as number,
      height: size.height as number,
    };
  }
}

export async function convert(ctx: OfflineContext): Promise<number> {
  const usage =
    "annotations convert needs one input PATH and --from dataloop|coco|yolo --to dataloop|coco|yolo --out PATH";
  if (ctx.args.length !== 1) throw new UsageError(usage);
  const input = ctx.args[0] as string;
  const from = formatOf(ctx.values.from, "--from", true);
  const to = formatOf(ctx.values.to, "--to", true);
  const out = ctx.values.out;
  if (!out) throw new UsageError(usage);
  const kind = await stat(input).catch(() => undefined);
  if (!kind) throw new UsageError(`annotations convert: no file or folder ${input}`);
  if (from === "yolo" && !kind.isDirectory())
    throw new UsageError(`--from yolo takes a YOLO folder (data.yaml, labels/…), and ${input} is a file`);
  if (from === "coco" && !kind.isFile())
    throw new UsageError(`--from coco takes a COCO instances file, and ${input} is a folder`);
  if (resolve(input) === resolve(out))
    throw new UsageError("annotations convert: --out must not be the input");

  const started = Date.now();
  const issues: ConversionIssue[][] = [];
  const failed: Failure[] = [];
  let source: AsyncIterable<ItemAnnotationsJson>;
  if (from === "coco") {
    const conversion = cocoToDataloop(await openCocoFile(input), { source: input });
    issues.push(conversion.issues);
    source = conversion.items;
  } else if (from === "yolo") {
    const yolo = await readYoloFolder(input);
    const conversion = yoloToDataloop(sized(input, yolo.files, failed), yolo.names);
    issues.push(conversion.issues);
    source = conversion.items;
  } else source = readItemJsons(input);

  let items = 0;
  let annotations = 0;
  const counted = async function* () {
    for await (const item of source) {
      items++;
      annotations += item.annotations.length;
      yield item;
    }
  };
  issues.push(await writeAnnotations(counted(), to, out));
  return report(ctx, "Converted", { items, annotations, failed }, issues.flat(), Date.now() - started, {
    from,
    to,
    out: resolve(out),
  });
}
