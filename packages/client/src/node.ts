// What needs Node itself (a file system): apart, so that "@dataloop-ts/client" bundles for browsers.
import { constants, createReadStream, createWriteStream } from "node:fs";
import { access, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { ReadableStream as WebStream } from "node:stream/web";
import { glob } from "tinyglobby";
import { type BatchOptions, type BatchSummary, runBatch, type UploadEntry, uploadItems } from "./batch.js";
import type { DataloopClient } from "./client.js";
import { DataloopConnectionError } from "./errors.js";
import {
  DownloadIncompleteError,
  type StreamSource,
  UnreadableSourceError,
  type UploadedItem,
  type UploadItemOptions,
  uploadItem,
} from "./items.js";
import { type DqlFilter, queryDataset } from "./query.js";

type Client = Parameters<typeof uploadItem>[0];

/** The size of a file, 0 when there is none (yet). */
const sizeOf = (path: string) =>
  stat(path).then(
    (s) => s.size,
    () => 0,
  );

/**
 * A file as a stream source: opened anew for each attempt, read as it is sent (with backpressure: a
 * 1 GB file never sits in memory); a file that cannot be read says why before anything is sent, and one
 * that changes between attempts is sent as it is then.
 */
const fileSource = (path: string): StreamSource => ({
  async open() {
    try {
      await access(path, constants.R_OK);
      const info = await stat(path);
      if (!info.isFile()) throw Object.assign(new Error("not a file"), { code: "EISDIR" });
    } catch (error) {
      throw new UnreadableSourceError({
        message: `Cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "unreadable"}).`,
        hint: "Check that the file exists (a link must lead to a file) and that this user may read it.",
        cause: error,
      });
    }
    // Iterated, not `Readable.toWeb`: the web stream that makes pauses the file stream after every chunk
    // (measured by the items bench: a 1 GB upload at three quarters of raw fetch's rate this way).
    return WebStream.from(createReadStream(path)) as unknown as ReadableStream<Uint8Array>;
  },
});

/**
 * Uploads a file by its path, read from disk as it is sent (never loaded first), and opened again for a
 * retry. `remotePath` defaults to `/` and the file's name.
 */
export async function uploadFile(
  dl: Client,
  datasetId: string,
  path: string,
  options: Partial<UploadItemOptions> = {},
): Promise<UploadedItem> {
  return uploadItem(dl, datasetId, fileSource(path), {
    ...options,
    remotePath: options.remotePath ?? `/${basename(path)}`,
  });
}

/**
 * The upload entries of a path: a file (as `remoteDir/name`), or every file under a folder (or those
 * `pattern` matches, a glob) with its relative path under `remoteDir`. Without a pattern every entry
 * that is not a folder is listed — a link that leads nowhere too, so that it shows in a summary as a
 * file that could not be read rather than vanish (globs drop such links).
 */
export async function entriesOf(
  path: string,
  options: { remoteDir?: string; pattern?: string } = {},
): Promise<UploadEntry[]> {
  const remoteDir = (options.remoteDir ?? "/").replace(/\/+$/, "");
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) {
    return [
      { source: fileSource(path), remotePath: `${remoteDir}/${basename(path)}`, size: info?.size ?? 0 },
    ];
  }
  const root = resolve(path);
  const files = (
    options.pattern
      ? await glob(options.pattern, { cwd: root, onlyFiles: true, dot: false })
      : (await readdir(root, { recursive: true, withFileTypes: true }))
          .filter((e) => !e.isDirectory())
          .map((e) => relative(root, join(e.parentPath, e.name)))
  ).sort();
  return Promise.all(
    files.map(async (file) => {
      const full = join(root, file);
      return {
        source: fileSource(full),
        remotePath: `${remoteDir}/${file.split(sep).join("/")}`,
        size: await sizeOf(full),
      };
    }),
  );
}

/**
 * Uploads every file under `dir` (see `entriesOf`), keeping their relative paths under `remoteDir`;
 * bounded concurrency, progress, and a summary in which every file has its item or its typed error.
 */
export async function uploadDirectory(
  dl: Client,
  datasetId: string,
  dir: string,
  options: BatchOptions<UploadedItem> &
    Pick<UploadItemOptions, "mode" | "attempts"> & { remoteDir?: string; pattern?: string } = {},
): Promise<BatchSummary<UploadedItem>> {
  return uploadItems(dl, datasetId, await entriesOf(dir, options), options);
}

/** Downloads an item's bytes into `path`, streamed; the file appears only once whole (temp file, rename). */
export async function downloadFile(
  dl: Pick<DataloopClient<false>, "GET">,
  itemId: string,
  path: string,
  options: { size?: number; attempts?: number } = {},
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.part`);
  const attempts = options.attempts ?? 3;
  try {
    // As Dataloop's own SDK: a download that breaks off, or comes up short of the item's known size,
    // goes on from where it stopped (`Range: bytes=N-`), a few times, before it fails.
    for (let attempt = 1; ; attempt++) {
      const have = await sizeOf(tmp);
      try {
        const { data, response } = await dl.GET("/items/{id}/stream", {
          params: { path: { id: itemId } },
          parseAs: "stream",
          ...(have ? { headers: { range: `bytes=${have}-` } } : {}),
        });
        // A server that ignores Range answers 200 with everything: start the file again.
        const append = have > 0 && response.status === 206;
        const body =
          (data as ReadableStream<Uint8Array> | null) ?? new ReadableStream({ start: (c) => c.close() });
        // The web stream itself, chunk by chunk: through `Readable.fromWeb` the chunks read ahead were
        // joined into one buffer (a copy) for every write.
        await pipeline(body as unknown as WebStream, createWriteStream(tmp, { flags: append ? "a" : "w" }));
      } catch (error) {
        if (attempt >= attempts || !(error instanceof DataloopConnectionError)) throw error;
        continue;
      }
      const got = await sizeOf(tmp);
      if (options.size === undefined || got >= options.size) break;
      if (attempt >= attempts) {
        throw new DownloadIncompleteError({
          message: `The download of item ${itemId} stopped at ${got} of ${options.size} bytes after ${attempts} attempts.`,
          hint: "Try again later; a download goes on from where it stopped.",
        });
      }
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/**
 * Downloads the items a DQL filter matches (or those `ids`; every file item of the dataset without
 * either) into `outDir`,
 * keeping their remote paths; bounded concurrency, progress, and a summary.
 */
export async function downloadItems(
  dl: Pick<DataloopClient<false>, "GET" | "POST">,
  datasetId: string,
  outDir: string,
  options: BatchOptions<string> & { filter?: DqlFilter } = {},
): Promise<BatchSummary<string>> {
  const root = resolve(outDir);
  const entries: Array<{ id: string; path: string; size: number }> = [];
  for await (const item of queryDataset(dl, datasetId, {
    ...(options.filter ? { filter: options.filter } : {}),
  })) {
    if (item.type !== "file") continue;
    const remote = String(item.filename ?? item.name ?? item.id);
    const path = resolve(root, `.${remote.startsWith("/") ? remote : `/${remote}`}`);
    // A remote path that climbs out of outDir is not followed there.
    const safe = path.startsWith(root + sep) ? path : join(root, basename(remote));
    const size = Number((item.metadata as { system?: { size?: number } } | undefined)?.system?.size ?? 0);
    entries.push({ id: item.id, path: safe, size });
  }
  return runBatch(
    entries,
    (e) => e.id,
    (e) => e.size,
    async (e) => {
      await downloadFile(dl, e.id, e.path, e.size ? { size: e.size } : {});
      return e.path;
    },
    options,
  );
}
