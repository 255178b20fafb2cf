import { readFile } from "node:fs/promises";
import { type BatchSummary, type DqlFilter, queryDataset, uploadItems } from "@dataloop-ts/client";
import { downloadItems, entriesOf } from "@dataloop-ts/client/node";
import { UsageError as CoreUsageError } from "@dataloop-ts/core";
import cliProgress from "cli-progress";
import type { Context } from "./commands.js";
import { failureLines, groupFailures } from "./failures.js";
import { checkItemsArgs } from "./items-args.js";
import type { Output } from "./output.js";
import { byteProgress } from "./upload-progress.js";

class UsageError extends CoreUsageError {
  constructor(message: string) {
    super({ message, hint: "Run dataloop --help for usage." });
  }
}

const size = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
      ? `${(bytes / 1024).toFixed(1)} kB`
      : `${(bytes / 1024 ** 2).toFixed(1)} MB`;

async function filterOf(text: string | undefined): Promise<DqlFilter | undefined> {
  if (!text) return undefined;
  const json = text.startsWith("@") ? await readFile(text.slice(1), "utf8") : text;
  try {
    return JSON.parse(json) as DqlFilter;
  } catch {
    throw new UsageError(
      `--filter must be a DQL filter as JSON (or @file), e.g. '{"$and":[{"dir":"/cats"}]}'`,
    );
  }
}

function concurrencyOf(text: string | undefined): number {
  const n = Number(text ?? 8);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new UsageError(`--concurrency takes a whole number from 1 to 64, got "${text}"`);
  return n;
}

/**
 * A progress bar (files, bytes, rate, ETA) on an interactive terminal; nothing elsewhere. The totals may
 * come later (a download learns its file count from the query's first page): `update` takes them.
 */
function progressBar(out: Output, total: number, totalBytes?: number) {
  if (!out.interactive || out.json)
    return { update: (_d: number, _b: number, _t?: number) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: " {bar} {value}/{total} files | {size} | {rate}/s | ETA {eta_formatted}",
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let files = total;
  const of = (bytes: number) =>
    totalBytes === undefined ? size(bytes) : `${size(bytes)} / ${size(totalBytes)}`;
  bar.start(total, 0, { size: of(0), rate: "0 B" });
  return {
    update: (done: number, bytes: number, newTotal?: number) => {
      if (newTotal !== undefined && newTotal !== files) {
        files = newTotal;
        bar.setTotal(files);
      }
      bar.update(done, {
        size: of(bytes),
        rate: size(bytes / Math.max(0.001, (Date.now() - started) / 1000)),
      });
    },
    stop: () => bar.stop(),
  };
}

/** The end of a batch: a summary for people (every failure listed) or JSON; exit 1 if any file failed. */
function report<T>(
  ctx: Context,
  verb: string,
  summary: BatchSummary<T>,
  ms: number,
  describe: (value: T) => Record<string, unknown>,
): number {
  const failures = summary.results.filter((r) => !r.ok);
  // A download's key is an item id: its local file names it first.
  const localFirst = verb === "Downloaded";
  if (ctx.out.json) {
    ctx.out.result({
      done: summary.done,
      failed: summary.failed,
      bytes: summary.bytes,
      causes: groupFailures(failures, localFirst),
      results: summary.results.map((r) => ({
        key: r.key,
        ...(r.localPath ? { localPath: r.localPath } : {}),
        ok: r.ok,
        ...(r.ok && r.value !== undefined ? describe(r.value) : {}),
        ...(r.error
          ? { error: { code: (r.error as { code?: string }).code ?? "ERROR", message: r.error.message } }
          : {}),
      })),
    });
  } else {
    ctx.out.say(
      `${verb} ${summary.done} file${summary.done === 1 ? "" : "s"} (${size(summary.bytes)}) in ${(ms / 1000).toFixed(1)} s${failures.length ? `; ${failures.length} failed:` : "."}`,
    );
    for (const line of failureLines(failures, localFirst)) ctx.out.say(line);
  }
  return failures.length ? 1 : 0;
}

export async function items(ctx: Context): Promise<number> {
  const [sub, ...paths] = ctx.args;
  await checkItemsArgs(ctx.args, ctx.values);
  const { dataset } = ctx.values;
  if (!dataset) throw new UsageError("items needs --dataset ID");
  const dl = ctx.client();
  const started = Date.now();
  if (sub === "upload") {
    if (!paths.length) throw new UsageError("items upload needs at least one PATH (a file or a folder)");
    const mode = ctx.values.mode ?? "skip";
    if (mode !== "skip" && mode !== "overwrite")
      throw new UsageError(`--mode takes skip or overwrite, got "${mode}"`);
    const remoteDir = ctx.values["remote-path"] ?? "/";
    // All paths in one listing: a link may lead into any of them, and a remote path two of them share is refused.
    const entries = await entriesOf(paths, { remoteDir, followSymlinks: ctx.values["follow-symlinks"] });
    const bar = progressBar(
      ctx.out,
      entries.length,
      entries.reduce((n, e) => n + (e.size ?? 0), 0),
    );
    const progress = byteProgress(entries, bar);
    const summary = await uploadItems(dl, dataset, progress.entries, {
      mode,
      concurrency: concurrencyOf(ctx.values.concurrency),
      onProgress: progress.onProgress,
    });
    bar.stop();
    return report(ctx, "Uploaded", summary, Date.now() - started, (v) => ({ itemId: v.item?.id, op: v.op }));
  }
  if (sub === "download") {
    const out = ctx.values.out;
    if (!out) throw new UsageError("items download needs --out DIR");
    const filter = await filterOf(ctx.values.filter);
    let bar: ReturnType<typeof progressBar> | undefined;
    const summary = await downloadItems(dl, dataset, out, {
      ...(filter ? { filter } : {}),
      concurrency: concurrencyOf(ctx.values.concurrency),
      onProgress: (p) => {
        bar ??= progressBar(ctx.out, p.total ?? 0);
        bar.update(p.done + p.failed, p.bytes, p.total);
      },
    });
    bar?.stop();
    return report(ctx, "Downloaded", summary, Date.now() - started, (file) => ({
      path: file.path,
      bytes: file.bytes,
      verified: file.verified,
    }));
  }
  if (sub === "query") {
    const filter = await filterOf(ctx.values.filter);
    for await (const item of queryDataset(dl, dataset, filter ? { filter } : {}))
      ctx.out.line(JSON.stringify(item));
    return 0;
  }
  throw new UsageError("items takes upload, download or query");
}
