// What needs Node itself (a file system): apart, so that "@dataloop-ts/client" bundles for browsers.
import { createWriteStream, openAsBlob } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { DataloopClient } from "./client.js";
import { downloadItem, type UploadedItem, type UploadItemOptions, uploadItem } from "./items.js";

/**
 * Uploads a file by its path, as a file-backed Blob (`fs.openAsBlob`: read from disk as it is sent, not
 * loaded first). `remotePath` defaults to `/` and the file's name.
 */
export async function uploadFile(
  dl: Pick<DataloopClient<false>, "POST">,
  datasetId: string,
  path: string,
  options: Partial<UploadItemOptions> = {},
): Promise<UploadedItem> {
  return uploadItem(dl, datasetId, await openAsBlob(path), {
    ...options,
    remotePath: options.remotePath ?? `/${basename(path)}`,
  });
}

/** Downloads an item's bytes into `path`, streamed; the file appears only once whole (temp file, rename). */
export async function downloadFile(
  dl: Pick<DataloopClient<false>, "GET">,
  itemId: string,
  path: string,
): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.part`);
  try {
    await pipeline(Readable.fromWeb((await downloadItem(dl, itemId)) as never), createWriteStream(tmp));
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
