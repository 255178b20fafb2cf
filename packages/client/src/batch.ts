import type { DataloopError } from "@dataloop-ts/core";
import pMap from "p-map";
import { type ItemSource, type UploadedItem, type UploadItemOptions, uploadItem } from "./items.js";

type Client = Parameters<typeof uploadItem>[0];

/** One file of a batch: where it goes, and what it is made from. */
export interface UploadEntry {
  source: ItemSource;
  remotePath: string;
  metadata?: Record<string, unknown>;
  /** Its size in bytes when known (for progress). */
  size?: number;
}

export interface BatchResult<T> {
  /** `remotePath` of an upload, item id of a download. */
  key: string;
  ok: boolean;
  value?: T;
  error?: DataloopError | Error;
}

export interface BatchSummary<T> {
  results: Array<BatchResult<T>>;
  done: number;
  failed: number;
  bytes: number;
}

export interface BatchOptions<T> {
  /** In flight at once (default 8). */
  concurrency?: number;
  /** After each file: the counts so far and that file's result. */
  onProgress?(progress: { done: number; failed: number; bytes: number; result: BatchResult<T> }): void;
  signal?: AbortSignal;
}

/** Runs `work` over `entries` with bounded concurrency; one failure never loses the others. */
export async function runBatch<E, T>(
  entries: Iterable<E> | AsyncIterable<E>,
  key: (entry: E) => string,
  size: (entry: E, value: T) => number,
  work: (entry: E) => Promise<T>,
  options: BatchOptions<T> = {},
): Promise<BatchSummary<T>> {
  const summary: BatchSummary<T> = { results: [], done: 0, failed: 0, bytes: 0 };
  await pMap(
    entries,
    async (entry) => {
      let result: BatchResult<T>;
      try {
        const value = await work(entry);
        summary.done++;
        summary.bytes += size(entry, value);
        result = { key: key(entry), ok: true, value };
      } catch (error) {
        summary.failed++;
        result = { key: key(entry), ok: false, error: error as Error };
      }
      summary.results.push(result);
      options.onProgress?.({ done: summary.done, failed: summary.failed, bytes: summary.bytes, result });
    },
    { concurrency: options.concurrency ?? 8, ...(options.signal ? { signal: options.signal } : {}) },
  );
  return summary;
}

/**
 * Uploads many items with bounded concurrency (default 8), a progress callback, and a summary that
 * lists every file with its item or its typed error. With `mode: "skip"` (the default) a re-run
 * resumes: what is there already comes back as `skip`.
 */
export function uploadItems(
  dl: Client,
  datasetId: string,
  entries: Iterable<UploadEntry> | AsyncIterable<UploadEntry>,
  options: BatchOptions<UploadedItem> & Pick<UploadItemOptions, "mode" | "attempts"> = {},
): Promise<BatchSummary<UploadedItem>> {
  return runBatch(
    entries,
    (e) => e.remotePath,
    (e, v) =>
      e.size ?? Number((v.item.metadata as { system?: { size?: number } } | undefined)?.system?.size ?? 0),
    (e) =>
      uploadItem(dl, datasetId, e.source, {
        remotePath: e.remotePath,
        ...(e.metadata ? { metadata: e.metadata } : {}),
        ...(options.mode ? { mode: options.mode } : {}),
        ...(options.attempts ? { attempts: options.attempts } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    options,
  );
}
