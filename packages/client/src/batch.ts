import type { DataloopError } from "@dataloop-ts/core";
import { type ItemSource, type UploadedItem, type UploadItemOptions, uploadItem } from "./items.js";
import { DuplicateRemotePathError } from "./local-errors.js";

type Client = Parameters<typeof uploadItem>[0];

/**
 * One file of a batch: where it goes, and what it is made from.
 * @example
 * ```ts
 * import { createDataloopClient, type UploadEntry, uploadItems } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const entries: UploadEntry[] = ["a", "b"].map((name) => ({
 *   source: new Blob([`file ${name}`]),
 *   remotePath: `/letters/${name}.txt`,
 *   metadata: { letter: name },
 * }));
 * await uploadItems(dl, "64f0c1a2b3c4d5e6f7a8b9c0", entries);
 * ```
 */
export interface UploadEntry {
  source: ItemSource;
  remotePath: string;
  metadata?: Record<string, unknown>;
  /** Its size in bytes when known (for progress). */
  size?: number;
  /** The local file it is read from, when there is one: carried into its result. */
  localPath?: string;
  /** Why it cannot be uploaded, found while listing (a special file, a link not followed, an unreadable folder): its result, nothing sent. */
  error?: DataloopError;
}

/**
 * One file of a batch's summary: its key (remote path of an upload, item id of a download), its local file, and either its `value` (`ok`) or its typed `error`.
 * @example
 * ```ts
 * import { createDataloopClient, type BatchResult, DataloopError, type UploadedItem, uploadItems } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const summary = await uploadItems(dl, "64f0c1a2b3c4d5e6f7a8b9c0", [{ source: new Blob(["x"]), remotePath: "/x.txt" }]);
 * const failed: Array<BatchResult<UploadedItem>> = summary.results.filter((r) => !r.ok);
 * for (const r of failed)
 *   console.log(r.key, r.localPath, r.error instanceof DataloopError ? `${r.error.code}: ${r.error.hint}` : r.error);
 * ```
 */
export interface BatchResult<T> {
  /** `remotePath` of an upload, item id of a download. */
  key: string;
  /** The local file: read by an upload, written by a download (when it got one). */
  localPath?: string;
  ok: boolean;
  value?: T;
  error?: DataloopError | Error;
}

/**
 * What a batch resolves to: every file's result (each with its item or its typed error), how many were done and failed, and the bytes moved. One failure never loses the others.
 * @example
 * ```ts
 * import { type BatchSummary, createDataloopClient, type UploadedItem, uploadItems } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const summary: BatchSummary<UploadedItem> = await uploadItems(dl, "64f0c1a2b3c4d5e6f7a8b9c0", [
 *   { source: new Blob(["x"]), remotePath: "/x.txt" },
 * ]);
 * console.log(`${summary.done} done, ${summary.failed} failed, ${summary.bytes} bytes`);
 * if (summary.failed > 0) process.exitCode = 1;
 * ```
 */
export interface BatchSummary<T> {
  results: Array<BatchResult<T>>;
  done: number;
  failed: number;
  /** Bytes moved: sent by uploads, written by downloads. */
  bytes: number;
}

/**
 * What `onProgress` is given after each file: the counts so far (`done`, `failed`, `bytes`), the batch's
 * `total` once known, and that file's `result`.
 * @inline
 */
export interface BatchProgress<T> {
  done: number;
  failed: number;
  bytes: number;
  /** Files in the whole batch, once known (a download: from the query's first page). */
  total?: number;
  result: BatchResult<T>;
}

/**
 * The options every batch takes (`uploadItems`, `uploadDirectory`, `downloadItems`): files in flight at once, a progress callback after each file, and a signal that cancels the run.
 * @example
 * ```ts
 * import { type BatchOptions, type UploadedItem } from "@dataloop-ts/client";
 *
 * const options: BatchOptions<UploadedItem> = {
 *   concurrency: 4,
 *   // After each file: the counts so far, the total once known, and that file's result.
 *   onProgress: ({ done, failed, bytes, total, result }) =>
 *     console.log(`${done + failed}/${total ?? "?"} files, ${bytes} B; last: ${result.key} ${result.ok ? "ok" : "failed"}`),
 *   signal: AbortSignal.timeout(600_000),
 * };
 * console.log(options.concurrency);
 * ```
 */
export interface BatchOptions<T> {
  /** In flight at once (default 8). */
  concurrency?: number;
  /** After each file: the counts so far and that file's result. */
  onProgress?(progress: BatchProgress<T>): void;
  signal?: AbortSignal;
}

/** How `runBatch` sees an entry. */
export interface BatchWork<E, T> {
  key(entry: E): string;
  localPath?(entry: E, value?: T): string | undefined;
  /** Bytes moved for a done entry. */
  bytes(entry: E, value: T): number;
  work(entry: E): Promise<T>;
  /** Files in the batch, when known. */
  total?(): number | undefined;
  /**
   * A done entry's result as a number (a small integer) that `unpack` turns back into it: what the
   * summary holds of it until `results` is read. Without it, the result object is held.
   */
  pack?(entry: E, value: T): number;
  unpack?(packed: number): BatchResult<T>;
}

/**
 * What a run holds of its results, in the order they came: a done entry packed as a number (in a
 * typed array: no object per item, see packed.ts for why that matters over 100,000 items), anything
 * else as its result. `summary.results` is made of it when first read (then held as that array).
 */
export class ResultLog<T> {
  /** A packed result (≥ 0), or -1 - the index of a result in `others`. */
  private entries = new Int32Array(1024);
  private others: Array<BatchResult<T>> = [];
  length = 0;

  push(result: number | BatchResult<T>): void {
    if (this.length === this.entries.length) {
      const bigger = new Int32Array(Math.ceil(this.length * 1.5));
      bigger.set(this.entries);
      this.entries = bigger;
    }
    this.set(this.length++, result);
  }

  /** The packed number at `index`, or its result when it is not packed. */
  at(index: number): number | BatchResult<T> {
    const e = this.entries[index] as number;
    return e >= 0 ? e : (this.others[-1 - e] as BatchResult<T>);
  }

  set(index: number, result: number | BatchResult<T>): void {
    if (typeof result === "number") this.entries[index] = result;
    else this.entries[index] = -1 - (this.others.push(result) - 1);
  }
}

/**
 * Runs `run` on each entry, at most `concurrency` at once, the next entry pulled as one finishes; the
 * first error (or the signal's abort) rejects at once, what is in flight going on. Not p-map: p-map 7
 * keeps a slot per entry for results this does not have, and a set of pending indexes, which over
 * 100,000 entries were 7 MB of what survived V8's scavenges in a run (a sampling heap profile of
 * bench/items-query.bench.mjs; packed.ts says why that matters).
 */
async function eachAtMost<E>(
  entries: Iterable<E> | AsyncIterable<E>,
  concurrency: number,
  signal: AbortSignal | undefined,
  run: (entry: E) => Promise<void>,
): Promise<void> {
  if (!((Number.isSafeInteger(concurrency) && concurrency >= 1) || concurrency === Number.POSITIVE_INFINITY))
    throw new TypeError(`concurrency is an integer from 1 up (or Infinity), not ${concurrency}`);
  signal?.throwIfAborted();
  const source: Iterator<E> | AsyncIterator<E> =
    Symbol.asyncIterator in entries ? entries[Symbol.asyncIterator]() : entries[Symbol.iterator]();
  await new Promise<void>((resolve, reject) => {
    let workers = 0;
    let ended = false;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      signal?.removeEventListener("abort", aborted);
      reject(error);
      // The source is closed, as a for-await loop left early closes it (and p-map did): a generator's
      // `finally` runs, what it holds (a cursor, a file read by lines) is let go. Not awaited: a source
      // blocked in `next()` must not hold the rejection.
      if (!ended)
        void Promise.resolve()
          .then(() => source.return?.())
          .catch(() => {});
    };
    const aborted = () => fail(signal?.reason);
    signal?.addEventListener("abort", aborted, { once: true });
    // Workers start one by one, each as the one before got an entry: no more of them than entries.
    const worker = async () => {
      workers++;
      try {
        for (;;) {
          if (ended || failed) return;
          const next = await source.next();
          if (next.done) {
            ended = true;
            return;
          }
          if (failed) return;
          if (workers < concurrency) void worker();
          await run(next.value);
        }
      } catch (error) {
        fail(error);
      } finally {
        workers--;
        if (workers === 0 && !failed) {
          signal?.removeEventListener("abort", aborted);
          resolve();
        }
      }
    };
    void worker();
  });
}

/** Runs `work` over `entries` with bounded concurrency; one failure never loses the others. */
export async function runBatch<E, T>(
  entries: Iterable<E> | AsyncIterable<E>,
  how: BatchWork<E, T>,
  options: BatchOptions<T> = {},
  log: ResultLog<T> = new ResultLog(),
): Promise<BatchSummary<T>> {
  const summary: BatchSummary<T> = { results: [], done: 0, failed: 0, bytes: 0 };
  const { pack, unpack } = how;
  const packing = pack !== undefined && unpack !== undefined;
  if (packing) {
    // Made when first read, the shape unchanged (an own, enumerable array property from then on).
    Object.defineProperty(summary, "results", {
      enumerable: true,
      configurable: true,
      get() {
        const results: Array<BatchResult<T>> = [];
        for (let i = 0; i < log.length; i++) {
          const r = log.at(i);
          results.push(typeof r === "number" ? unpack(r) : r);
        }
        Object.defineProperty(summary, "results", {
          value: results,
          enumerable: true,
          configurable: true,
          writable: true,
        });
        return results;
      },
      set(results: Array<BatchResult<T>>) {
        Object.defineProperty(summary, "results", {
          value: results,
          enumerable: true,
          configurable: true,
          writable: true,
        });
      },
    });
  }
  await eachAtMost(entries, options.concurrency ?? 8, options.signal, async (entry) => {
    let result: BatchResult<T>;
    try {
      const value = await how.work(entry);
      summary.done++;
      summary.bytes += how.bytes(entry, value);
      const localPath = how.localPath?.(entry, value);
      result = { key: how.key(entry), ...(localPath ? { localPath } : {}), ok: true, value };
    } catch (error) {
      summary.failed++;
      const localPath = how.localPath?.(entry);
      result = {
        key: how.key(entry),
        ...(localPath ? { localPath } : {}),
        ok: false,
        error: error as Error,
      };
    }
    if (!packing) summary.results.push(result);
    else log.push(result.ok ? (pack as NonNullable<typeof pack>)(entry, result.value as T) : result);
    const total = how.total?.();
    options.onProgress?.({
      done: summary.done,
      failed: summary.failed,
      bytes: summary.bytes,
      ...(total !== undefined ? { total } : {}),
      result,
    });
  });
  return summary;
}

/** A source that counts what was read of it in its last attempt (`fileSource`'s). */
interface Counted {
  bytesRead(): number;
}
const bytesSent = (e: UploadEntry) =>
  typeof (e.source as Partial<Counted>).bytesRead === "function"
    ? (e.source as unknown as Counted).bytesRead()
    : e.source instanceof Blob
      ? e.source.size
      : e.source instanceof Uint8Array || e.source instanceof ArrayBuffer
        ? e.source.byteLength
        : (e.size ?? 0);

/**
 * Entries whose remote path another entry of the batch has too: both refused (nothing of either is
 * sent), each error naming the other's local path. A sync iterable is checked whole before the first
 * upload; an async one as it comes (a later duplicate is refused, the first was sent).
 */
function refuseDuplicates(entries: UploadEntry[]): UploadEntry[] {
  const byPath = new Map<string, UploadEntry[]>();
  for (const e of entries) {
    if (e.error) continue;
    const same = byPath.get(e.remotePath);
    if (same) same.push(e);
    else byPath.set(e.remotePath, [e]);
  }
  const refused = new Map<UploadEntry, UploadEntry>();
  for (const [remotePath, same] of byPath) {
    if (same.length < 2) continue;
    const where = same.map((e) => e.localPath ?? "(a source in memory)").join(", ");
    for (const e of same)
      refused.set(e, {
        ...e,
        error: new DuplicateRemotePathError({
          message: `${same.length} files of this upload would go to ${remotePath}: ${where}. None of them was sent.`,
          hint: "Upload them to different remote folders (--remote-path), or rename one.",
        }),
      });
  }
  return entries.map((e) => refused.get(e) ?? e);
}

async function* refusingLaterDuplicates(entries: AsyncIterable<UploadEntry>): AsyncGenerator<UploadEntry> {
  const seen = new Map<string, string>();
  for await (const e of entries) {
    const first = seen.get(e.remotePath);
    if (first !== undefined && !e.error) {
      yield {
        ...e,
        error: new DuplicateRemotePathError({
          message: `${e.localPath ?? "A source"} would go to ${e.remotePath}, which ${first} of this upload went to; it was not sent.`,
          hint: "Upload them to different remote folders (--remote-path), or rename one.",
        }),
      };
      continue;
    }
    seen.set(e.remotePath, e.localPath ?? "a source in memory");
    yield e;
  }
}

/**
 * Uploads many items with bounded concurrency (default 8), a progress callback, and a summary that
 * lists every file with its item or its typed error (and its local path when it has one). With
 * `mode: "skip"` (the default) a re-run resumes: what is there already comes back as `skip`. Two
 * entries with one remote path are both refused before anything is sent.
 * @example
 * ```ts
 * import { createDataloopClient, uploadItems } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const summary = await uploadItems(
 *   dl,
 *   "64f0c1a2b3c4d5e6f7a8b9c0",
 *   [1, 2, 3].map((n) => ({ source: new Blob([`#${n}`]), remotePath: `/n/${n}.txt` })),
 *   { concurrency: 8, mode: "skip", onProgress: (p) => console.log(p.done, p.failed, p.total) },
 * );
 * console.log(summary.done, summary.failed);
 * ```
 */
export function uploadItems(
  dl: Client,
  datasetId: string,
  entries: Iterable<UploadEntry> | AsyncIterable<UploadEntry>,
  options: BatchOptions<UploadedItem> & Pick<UploadItemOptions, "mode" | "attempts"> = {},
): Promise<BatchSummary<UploadedItem>> {
  const checked =
    Symbol.iterator in entries ? refuseDuplicates([...entries]) : refusingLaterDuplicates(entries);
  const total = Array.isArray(checked) ? checked.length : undefined;
  return runBatch(
    checked,
    {
      key: (e) => e.remotePath,
      localPath: (e) => e.localPath,
      bytes: bytesSent,
      total: () => total,
      async work(e) {
        if (e.error) throw e.error;
        return uploadItem(dl, datasetId, e.source, {
          remotePath: e.remotePath,
          ...(e.metadata ? { metadata: e.metadata } : {}),
          ...(options.mode ? { mode: options.mode } : {}),
          ...(options.attempts ? { attempts: options.attempts } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
      },
    },
    options,
  );
}
