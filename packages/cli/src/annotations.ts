// `dataloop annotations upload|download`: a dataset's annotations in and out as Dataloop JSON (dtlpy's
// one JSON per item), COCO instances or YOLO, with the items commands' progress, summary, exit codes
// (0 all in, 1 an item failed or some input was bad, 2 a usage error) and --json.
import { join } from "node:path";
import { type DqlFilter, queryDataset } from "@dataloop-ts/client";
import {
  type AnnotationEntry,
  AnnotationInputError,
  type AnnotationUploadSummary,
  type ConversionIssue,
  cocoToDataloop,
  downloadAnnotations,
  type ItemAnnotationsJson,
  ItemNotFoundError,
  uploadAnnotations,
  yoloToDataloop,
} from "@dataloop-ts/client/annotations";
import { openCocoFile, readItemJsons, readYoloFolder } from "@dataloop-ts/client/annotations/node";
import cliProgress from "cli-progress";
import { type Format, formatOf, report, UsageError } from "./annotations-report.js";
import { writeAnnotations } from "./annotations-write.js";
import type { Context } from "./commands.js";
import type { Output } from "./output.js";

function concurrencyOf(text: string | undefined): number {
  const n = Number(text ?? 8);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new UsageError(`--concurrency takes a whole number from 1 to 64, got "${text}"`);
  return n;
}

function filterOf(text: string | undefined): DqlFilter | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as DqlFilter;
  } catch {
    throw new UsageError(`--filter must be a DQL filter as JSON, e.g. '{"$and":[{"dir":"/cats"}]}'`);
  }
}

/** A progress bar (items, annotations) on an interactive terminal; nothing elsewhere. */
function progressBar(out: Output, total: number) {
  if (!out.interactive || out.json)
    return { update: (_items: number, _annotations: number) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: total
        ? " {bar} {value}/{total} items | {annotations} annotations | ETA {eta_formatted}"
        : " {value} items | {annotations} annotations",
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { annotations: 0 });
  return {
    update: (items: number, annotations: number) => bar.update(items, { annotations }),
    stop: () => bar.stop(),
  };
}

const failuresOf = (summary: AnnotationUploadSummary) =>
  summary.results.filter((r) => !r.ok).map((r) => ({ key: r.filename ?? r.itemId, error: r.error as Error }));

async function upload(ctx: Context, dataset: string, path: string, format: Format): Promise<number> {
  const dl = ctx.client();
  const started = Date.now();
  let issues: ConversionIssue[] = [];
  let entries: AsyncIterable<AnnotationEntry>;
  let total = 0;
  // YOLO label files with no item (or no image size) in the dataset: failures of their own.
  let unmatched: Array<{ key: string; error: Error }> = [];
  const asEntries = async function* (items: AsyncIterable<ItemAnnotationsJson>) {
    for await (const item of items) yield { filename: item.filename, annotations: item.annotations };
  };
  if (format === "dataloop") {
    entries = asEntries(readItemJsons(path));
  } else if (format === "coco") {
    const coco = await openCocoFile(path);
    // Counted one image at a time: `images` would parse them all at once, and hold them (openCocoFile).
    for (const _ of coco.eachImage?.() ?? coco.images) total++;
    const conversion = cocoToDataloop(coco, { source: path });
    issues = conversion.issues;
    entries = asEntries(conversion.items);
  } else {
    const yolo = await readYoloFolder(path);
    // YOLO's numbers are fractions of the image: the dataset's items give each label file its image
    // (same path, any extension) and its size.
    const items = new Map<string, { filename: string; width?: number; height?: number }>();
    for await (const item of queryDataset(dl, dataset, { filter: { $and: [{ type: "file" }] } })) {
      if (!("filename" in item) || typeof item.filename !== "string") continue;
      const system = (item.metadata as { system?: { width?: number; height?: number } } | undefined)?.system;
      items.set(item.filename.replace(/^\/+/, "").replace(/\.[^./]*$/, ""), {
        filename: item.filename,
        ...(system?.width ? { width: system.width } : {}),
        ...(system?.height ? { height: system.height } : {}),
      });
    }
    const missing: Array<{ key: string; error: Error }> = [];
    const labelled = async function* () {
      for await (const file of yolo.files) {
        const item = items.get(file.path.replace(/\.txt$/, ""));
        if (!item?.width || !item.height) {
          missing.push({
            key: file.source,
            error: item
              ? new AnnotationInputError({
                  source: file.source,
                  message: `its item ${item.filename} has no width and height in metadata.system`,
                  hint: "YOLO numbers are fractions of the image size: let the platform read the image first.",
                })
              : new ItemNotFoundError({ datasetId: dataset, filename: file.path.replace(/\.txt$/, ".*") }),
          });
          continue;
        }
        yield {
          filename: item.filename,
          source: file.source,
          text: file.text,
          width: item.width,
          height: item.height,
        };
      }
    };
    const conversion = yoloToDataloop(labelled(), yolo.names);
    issues = conversion.issues;
    entries = asEntries(conversion.items);
    unmatched = missing;
  }
  const bar = progressBar(ctx.out, total);
  const summary = await uploadAnnotations(dl, dataset, entries, {
    concurrency: concurrencyOf(ctx.values.concurrency),
    // Only failures are reported: the items done are counted, their ids not kept.
    results: "failed",
    onProgress: (p) => bar.update(p.done + p.failed, p.annotations),
  });
  bar.stop();
  return report(
    ctx,
    "Uploaded",
    { items: summary.done, annotations: summary.annotations, failed: [...unmatched, ...failuresOf(summary)] },
    issues,
    Date.now() - started,
  );
}

async function download(ctx: Context, dataset: string, out: string, format: Format): Promise<number> {
  const dl = ctx.client();
  const started = Date.now();
  const filter = filterOf(ctx.values.filter);
  const bar = progressBar(ctx.out, 0);
  let items = 0;
  let annotations = 0;
  const counted = async function* () {
    for await (const item of downloadAnnotations(dl, dataset, filter ? { filter } : {})) {
      items++;
      annotations += item.annotations.length;
      bar.update(items, annotations);
      yield item;
    }
  };
  const written = format === "coco" ? join(out, "coco.json") : out;
  const issues = await writeAnnotations(counted(), format, written);
  bar.stop();
  return report(ctx, "Downloaded", { items, annotations, failed: [] }, issues, Date.now() - started, {
    format,
    out: written,
  });
}

export async function annotations(ctx: Context): Promise<number> {
  const [sub, ...paths] = ctx.args;
  if (sub === "convert") return (await import("./annotations-convert.js")).convert({ ...ctx, args: paths });
  const { dataset } = ctx.values;
  if (!dataset) throw new UsageError("annotations needs --dataset ID");
  const format = formatOf(ctx.values.format, "--format");
  if (sub === "upload") {
    if (paths.length !== 1)
      throw new UsageError(
        "annotations upload needs one PATH (a JSON file or folder, a .jsonl file, a COCO file, a YOLO folder)",
      );
    return upload(ctx, dataset, paths[0] as string, format);
  }
  if (sub === "download") {
    if (!ctx.values.out) throw new UsageError("annotations download needs --out DIR");
    return download(ctx, dataset, ctx.values.out, format);
  }
  throw new UsageError("annotations takes upload, download or convert");
}
