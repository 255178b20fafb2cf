// What needs Node itself (a file system): apart, so that "@dataloop-ts/client" bundles for browsers.
import { realpath, stat } from "node:fs/promises";
import { basename } from "node:path";
import { type BatchOptions, type BatchSummary, uploadItems } from "./batch.js";
import { fileSource, isPseudoFsPath } from "./file-source.js";
import { type UploadedItem, type UploadItemOptions, uploadItem } from "./items.js";
import { SpecialFileError } from "./local-errors.js";
import { entriesOf, type WalkOptions } from "./walk.js";

export { type DownloadedFile, type DownloadFileOptions, downloadFile, partPathOf } from "./download.js";
export { type DownloadItemsOptions, downloadItems } from "./download-items.js";
export { type FileSource, fileSource } from "./file-source.js";
export {
  DownloadMismatchError,
  DuplicateRemotePathError,
  ItemNotFoundError,
  LocalPathConflictError,
  SpecialFileError,
  SymlinkNotFollowedError,
  UnsafeItemNameError,
  UnsafeLocalPathError,
} from "./local-errors.js";
export { entriesOf, type WalkOptions } from "./walk.js";

type Client = Parameters<typeof uploadItem>[0];

/**
 * Uploads a file by its path, read from disk as it is sent (never loaded first), and opened again for a
 * retry. `remotePath` defaults to `/` and the file's name. A path that is a link is followed (it was
 * named); a special file (FIFO, device, /proc entry) is refused with `SpecialFileError`.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { uploadFile } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * // (client, datasetId, localPath, options): remotePath defaults to "/" + the file's name.
 * const { item, op } = await uploadFile(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "./photos/cat.jpg", { remotePath: "/cats/cat.jpg" });
 * console.log(item.id, op);
 * ```
 */
export async function uploadFile(
  dl: Client,
  datasetId: string,
  path: string,
  options: Partial<UploadItemOptions> = {},
): Promise<UploadedItem> {
  const real = await realpath(path).catch(() => path);
  if (isPseudoFsPath(real)) {
    throw new SpecialFileError({
      message: `${path} is an entry of /proc, /sys or /dev: not uploaded.`,
      hint: "Copy what it holds into a regular file and upload that.",
    });
  }
  const size = await stat(real).then(
    (info) => (info.isFile() ? info.size : undefined),
    () => undefined,
  );
  return uploadItem(dl, datasetId, fileSource(real, size !== undefined ? { size } : {}), {
    ...options,
    remotePath: options.remotePath ?? `/${basename(path)}`,
  });
}

/**
 * Uploads every file under `dir` (see `entriesOf`: links not followed unless `followSymlinks`, special
 * files refused), keeping their relative paths under `remoteDir`; bounded concurrency, progress, and a
 * summary in which every file has its item or its typed error, and its local path.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { uploadDirectory } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * // (client, datasetId, localDir, options): relative paths kept under remoteDir.
 * const summary = await uploadDirectory(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "./photos", {
 *   remoteDir: "/photos",
 *   pattern: "*.jpg",
 *   concurrency: 8,
 *   mode: "skip",
 *   onProgress: ({ done, failed, total, bytes }) => console.log(`${done + failed}/${total ?? "?"} files, ${bytes} B`),
 * });
 * for (const r of summary.results) if (!r.ok) console.log(r.localPath, r.error?.message);
 * ```
 */
export async function uploadDirectory(
  dl: Client,
  datasetId: string,
  dir: string,
  options: BatchOptions<UploadedItem> & Pick<UploadItemOptions, "mode" | "attempts"> & WalkOptions = {},
): Promise<BatchSummary<UploadedItem>> {
  return uploadItems(dl, datasetId, await entriesOf(dir, options), options);
}
