import type { DataloopClient } from "./client.js";
import type { components } from "./generated/schema.js";

export type Item =
  | components["schemas"]["APIDatasetFileItem"]
  | components["schemas"]["APIDatasetDirectoryItem"];

/** What can be uploaded from anywhere (a browser too): bytes in memory, or a Blob/File. */
export type ItemBytes = Blob | Uint8Array | ArrayBuffer;

export interface UploadItemOptions {
  /** Remote directory and file name, forward slashes: `/cats/a.jpg`. */
  remotePath: string;
  /** The item's user metadata (stored as `metadata` beside the gateway's own `metadata.system`). */
  metadata?: Record<string, unknown>;
  description?: string;
  /** `skip` (default): an item already at that path is kept and returned; `overwrite` replaces it. */
  mode?: "skip" | "overwrite";
}

export interface UploadedItem {
  item: Item;
  /** What the gateway did (`x-item-op`): `created`, `overwrite`, or `skip`. */
  op: string;
}

const asBlob = (bytes: ItemBytes): Blob =>
  bytes instanceof Blob
    ? bytes
    : new Blob([bytes instanceof Uint8Array ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes)]);

/** The gateway's upload form: its fields in order, the file part last, named after the remote file. */
function uploadForm(body: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const key of ["type", "path", "metadata", "description"]) {
    const value = body[key];
    if (typeof value === "string") form.append(key, value);
  }
  const path = String(body.path ?? "");
  form.append("file", body.file as Blob, path.slice(path.lastIndexOf("/") + 1) || "file");
  return form;
}

/**
 * Uploads one item (`POST /datasets/{datasetId}/items`, the gateway's multipart form) through the
 * client: logged in, retried (the bytes are in memory or a Blob, so they can be sent again), typed errors.
 * @example const { item } = await uploadItem(dl, datasetId, file, { remotePath: "/cats/a.jpg" });
 */
export async function uploadItem(
  dl: Pick<DataloopClient<false>, "POST">,
  datasetId: string,
  bytes: ItemBytes,
  options: UploadItemOptions,
): Promise<UploadedItem> {
  const { data, response } = await dl.POST("/datasets/{datasetId}/items", {
    params: { path: { datasetId }, query: { mode: options.mode ?? "skip" } },
    body: {
      type: "file",
      path: options.remotePath,
      ...(options.metadata ? { metadata: JSON.stringify(options.metadata) } : {}),
      ...(options.description ? { description: options.description } : {}),
      file: asBlob(bytes),
    },
    bodySerializer: uploadForm,
  });
  return { item: data as Item, op: response.headers.get("x-item-op") ?? "created" };
}

/** An item's bytes (`GET /items/{id}/stream`) as a stream: read it, pipe it, never all of it in memory. */
export async function downloadItem(
  dl: Pick<DataloopClient<false>, "GET">,
  itemId: string,
): Promise<ReadableStream<Uint8Array>> {
  const { data } = await dl.GET("/items/{id}/stream", {
    params: { path: { id: itemId } },
    parseAs: "stream",
  });
  return data as ReadableStream<Uint8Array>;
}
