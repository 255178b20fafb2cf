import { DataloopError, isTransientStatus } from "@dataloop-ts/core";
import { bodySource, type MadeBody } from "./body.js";
import type { DataloopClient } from "./client.js";
import { DataloopApiError, DataloopConnectionError, DataloopResponseError } from "./errors.js";
import type { components } from "./generated/schema.js";
import type { RetryOptions } from "./retry.js";
import { chunksOfStream, type StreamedBody, webStreamOf } from "./transport.js";
import type { ThrowingClient } from "./types.js";

/**
 * One item as the gateway answers it: a file (`APIDatasetFileItem`) or a folder (`APIDatasetDirectoryItem`), from the spec's schemas.
 * @example
 * ```ts
 * import { createDataloopClient, type Item } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const { data } = await dl.GET("/items/{id}", { params: { path: { id: "64f0c1a2b3c4d5e6f7a8b9c0" } } });
 * const item = data as Item;
 * console.log(item.id, item.filename, item.type);
 * ```
 */
export type Item =
  | components["schemas"]["APIDatasetFileItem"]
  | components["schemas"]["APIDatasetDirectoryItem"];

/**
 * What an item is uploaded from. Bytes in memory, a Blob or File, or a function that makes one (a
 * file-backed Blob: `uploadFile` uses one) can be sent again, so a failed attempt is retried; a stream
 * is sent once, as it is read (nothing of it held in memory), and a failure is final.
 * @example
 * ```ts
 * import { createDataloopClient, type ItemSource, uploadItem } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const sources: ItemSource[] = [
 *   new Blob(["hello"]), // sent again on a retry
 *   new TextEncoder().encode("bytes"),
 *   () => new Blob(["made per attempt"]),
 *   { open: () => new Blob(["a stream, opened again per attempt"]).stream(), size: 34 },
 * ];
 * for (const [i, source] of sources.entries()) await uploadItem(dl, "64f0c1a2b3c4d5e6f7a8b9c0", source, { remotePath: `/s/${i}.txt` });
 * ```
 */
export type ItemSource =
  | Blob
  | Uint8Array
  | ArrayBuffer
  | ReadableStream<Uint8Array>
  | (() => Blob | Promise<Blob>)
  | StreamSource;

/**
 * A source read as a stream that can be opened again for another attempt (a file by its path).
 * @example
 * ```ts
 * import { createDataloopClient, type StreamSource, uploadItem } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const bytes = new TextEncoder().encode("read as it is sent");
 * const source: StreamSource = { open: () => new Blob([bytes]).stream(), size: bytes.byteLength };
 * await uploadItem(dl, "64f0c1a2b3c4d5e6f7a8b9c0", source, { remotePath: "/streamed.txt" });
 * ```
 */
export interface StreamSource {
  open(): ReadableStream<Uint8Array> | Promise<ReadableStream<Uint8Array>>;
  /**
   * Opens it as an async iterable of chunks (a Node stream), preferred to `open` by the upload when
   * there: on Node its chunks go to the socket with no web stream between (`fileSource` has it).
   */
  openChunks?(): AsyncIterable<Uint8Array> | Promise<AsyncIterable<Uint8Array>>;
  /** Its size in bytes when known before it is read (a file's): checked against the item's in `skip` mode too. */
  size?: number;
  /**
   * The exact byte length of the stream the last `open()` gave, when known then (a file's, as opened):
   * the upload declares it (`Content-Length`), so the gateway reads a plain body rather than a chunked
   * one. A stream that then gives another number of bytes fails the attempt.
   */
  openedLength?(): number | undefined;
}
const isStreamSource = (s: ItemSource): s is StreamSource =>
  typeof s === "object" && s !== null && typeof (s as StreamSource).open === "function";

/**
 * The options of `uploadItem` and `uploadLink`: where the item goes (`remotePath`), its metadata, `skip` or `overwrite`, and this upload's retries.
 * @example
 * ```ts
 * import type { UploadItemOptions } from "@dataloop-ts/client";
 *
 * const options: UploadItemOptions = {
 *   remotePath: "/cats/a.jpg",
 *   metadata: { source: "camera-3" },
 *   mode: "overwrite",
 *   attempts: 5,
 *   signal: AbortSignal.timeout(60_000),
 * };
 * console.log(options);
 * ```
 */
export interface UploadItemOptions {
  /** Remote directory and file name, forward slashes: `/cats/a.jpg`. */
  remotePath: string;
  /** The item's user metadata (stored as `metadata` beside the gateway's own `metadata.system`). */
  metadata?: Record<string, unknown>;
  description?: string;
  /** `skip` (default): an item already at that path is kept and returned; `overwrite` replaces it. */
  mode?: "skip" | "overwrite";
  /** Attempts in all for a source that can be sent again (default: the client's `retry.attempts`, 3). */
  attempts?: number;
  /** This upload's retries, over the client's; `false`: one attempt. */
  retry?: RetryOptions | false;
  signal?: AbortSignal;
}

/**
 * What `uploadItem` resolves to: the item the gateway stored, and what it did (`op`: `created`, `skip` or `overwrite`).
 * @example
 * ```ts
 * import { createDataloopClient, type UploadedItem, uploadItem } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const uploaded: UploadedItem = await uploadItem(dl, "64f0c1a2b3c4d5e6f7a8b9c0", new Blob(["x"]), { remotePath: "/x.txt" });
 * if (uploaded.op === "skip") console.log("already there:", uploaded.item.id);
 * ```
 */
export interface UploadedItem {
  item: Item;
  /** What the gateway did (`x-item-op`): `created`, `overwrite`, or `skip`. */
  op: string;
}

/**
 * A stream upload failed: a stream is read once, so it was not sent again.
 * @example
 * ```ts
 * import { createDataloopClient, UploadNotReplayableError, uploadItem } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const stream = new Blob(["sent once"]).stream();
 * try {
 *   await uploadItem(dl, "64f0c1a2b3c4d5e6f7a8b9c0", stream, { remotePath: "/once.txt" });
 * } catch (e) {
 *   if (e instanceof UploadNotReplayableError) console.log(e.code, e.hint); // "UPLOAD_NOT_REPLAYABLE": give bytes, a Blob or a StreamSource
 * }
 * ```
 */
export class UploadNotReplayableError extends DataloopError {
  static override readonly code = "UPLOAD_NOT_REPLAYABLE" as const;
  override name = "UploadNotReplayableError";
  override readonly code = "UPLOAD_NOT_REPLAYABLE" as const;
}

/**
 * The gateway stored another number of bytes than were sent: the upload is corrupted (Dataloop's SDK checks the same).
 * @example
 * ```ts
 * import { createDataloopClient, UploadCorruptedError, uploadItem } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * try {
 *   await uploadItem(dl, "64f0c1a2b3c4d5e6f7a8b9c0", new Blob(["x"]), { remotePath: "/x.txt" });
 * } catch (e) {
 *   if (e instanceof UploadCorruptedError) console.log(e.code, e.hint); // "UPLOAD_CORRUPTED"
 * }
 * ```
 */
export class UploadCorruptedError extends DataloopError {
  static override readonly code = "UPLOAD_CORRUPTED" as const;
  override name = "UploadCorruptedError";
  override readonly code = "UPLOAD_CORRUPTED" as const;
}

/**
 * A download that stayed short of the item's size after its attempts (each went on from where it stopped).
 * @example
 * ```ts
 * import { DownloadIncompleteError } from "@dataloop-ts/client";
 * import { downloadFile } from "@dataloop-ts/client/node";
 * import { createDataloopClient } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * try {
 *   await downloadFile(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "./copy.jpg");
 * } catch (e) {
 *   if (e instanceof DownloadIncompleteError) console.log(e.code, e.hint); // "DOWNLOAD_INCOMPLETE": run again, it resumes
 * }
 * ```
 */
export class DownloadIncompleteError extends DataloopError {
  static override readonly code = "DOWNLOAD_INCOMPLETE" as const;
  override name = "DownloadIncompleteError";
  override readonly code = "DOWNLOAD_INCOMPLETE" as const;
}

/**
 * A file to upload that cannot be read (missing, a link to nowhere, no permission).
 * @example
 * ```ts
 * import { createDataloopClient, UnreadableSourceError } from "@dataloop-ts/client";
 * import { uploadFile } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * try {
 *   await uploadFile(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "./missing.jpg");
 * } catch (e) {
 *   if (e instanceof UnreadableSourceError) console.log(e.code, e.message); // "SOURCE_UNREADABLE"
 * }
 * ```
 */
export class UnreadableSourceError extends DataloopError {
  static override readonly code = "SOURCE_UNREADABLE" as const;
  override name = "UnreadableSourceError";
  override readonly code = "SOURCE_UNREADABLE" as const;
}

/** Either client (`throwOnError` true or false): the helpers ask each call to throw, whatever it is. */
type Client = Pick<DataloopClient<boolean>, "POST">;

const fileName = (remotePath: string) => remotePath.slice(remotePath.lastIndexOf("/") + 1) || "file";

const encoder = new TextEncoder();
const UNQUOTABLE = /["\r\n]/;
/** A file name as a quoted header parameter: `"`, CR and LF percent-encoded, as browsers send them. */
const quoted = (name: string) =>
  UNQUOTABLE.test(name) ? name.replace(/["\r\n]/g, (c) => encodeURIComponent(c)) : name;
/**
 * The gateway's upload form (`multipart/form-data`): its fields in order, the file part last, named by
 * the remote file name. Made by hand rather than as FormData: a Blob of the form's parts (the file's own
 * Blob among them, not copied) has a known length and is sent as it is read, where fetch sends FormData
 * through a stream of its parts (the items bench measures both); a stream gives the form as an async
 * iterable (its head, the stream's chunks as they come, its tail), read as the file is, nothing held but
 * the chunk in flight.
 */
/** An attempt's stream let go of (a Node stream destroyed, a web stream cancelled): its file closed. */
function closeStream(stream: StreamedBody): void {
  const node = stream as { destroy?: (error?: Error) => void };
  if (typeof node.destroy === "function") node.destroy();
  else if (stream instanceof ReadableStream) stream.cancel().catch(() => {});
  else (stream as unknown as Partial<AsyncIterator<Uint8Array>>).return?.()?.catch(() => {});
}

function multipart(
  fields: Record<string, string>,
  file: Blob | Uint8Array | StreamedBody,
  remotePath: string,
  /** A stream's length, when its source knows it. */
  streamLength?: number,
): {
  body: Blob | Uint8Array | AsyncIterable<Uint8Array>;
  contentType: string;
  /** The form's byte length, for a stream whose length is known (the others' is their own). */
  length?: number;
  fileBytes(): number;
} {
  const boundary = `----dataloop-ts-${crypto.randomUUID()}`;
  let head = "";
  for (const name in fields)
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${fields[name]}\r\n`;
  head +=
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoted(fileName(remotePath))}"\r\n` +
    "Content-Type: application/octet-stream\r\n\r\n";
  const tail = `\r\n--${boundary}--\r\n`;
  const contentType = `multipart/form-data; boundary=${boundary}`;
  if (file instanceof Blob)
    return { body: new Blob([head, file, tail]), contentType, fileBytes: () => file.size };
  if (file instanceof Uint8Array) {
    // Bytes in memory: the form as one buffer (one copy), written to the socket at once.
    const before = encoder.encode(head);
    const after = encoder.encode(tail);
    const body = new Uint8Array(before.byteLength + file.byteLength + after.byteLength);
    body.set(before, 0);
    body.set(file, before.byteLength);
    body.set(after, before.byteLength + file.byteLength);
    return { body, contentType, fileBytes: () => file.byteLength };
  }
  const before = encoder.encode(head);
  const after = encoder.encode(tail);
  let bytes = 0;
  // A generator, not a web stream: on Node undici writes its chunks as they come, and a file's Node
  // stream is iterated as it is. A 1 GB upload through web streams (the file's, the form's) spent
  // 3.60 s of CPU where undici `request()` sending the same form from a file stream spent 3.18 s (idle
  // machine); this way, 2.81 s against undici's 3.20 s and the web streams' 3.43 s (medians of 9
  // alternating runs of bench/items-big.mjs on the loaded 2-core machine).
  async function* form(): AsyncGenerator<Uint8Array> {
    yield before;
    for await (const chunk of chunksOf(file as StreamedBody)) {
      bytes += chunk.byteLength;
      yield chunk;
    }
    yield after;
  }
  const body = form();
  return {
    body,
    contentType,
    ...(streamLength !== undefined ? { length: before.byteLength + streamLength + after.byteLength } : {}),
    fileBytes: () => bytes,
  };
}

/**
 * A stream's chunks: an async iterable's as they are; a web stream's through its reader where it is not
 * iterable (Safari's). Stopping early cancels the stream (a Node stream is destroyed: its file closed).
 */
const chunksOf = (stream: StreamedBody): AsyncIterable<Uint8Array> =>
  typeof (stream as Partial<AsyncIterable<Uint8Array>>)[Symbol.asyncIterator] === "function"
    ? (stream as AsyncIterable<Uint8Array>)
    : chunksOfStream(stream as ReadableStream<Uint8Array>);

/** A failure that another attempt might have cured, had the body been one that can be sent again. */
const retryable = (error: unknown) =>
  error instanceof DataloopConnectionError
    ? error.kind !== "aborted"
    : error instanceof DataloopApiError && (error.status === 401 || isTransientStatus(error.status));

const sizeOf = (item: Item | undefined) =>
  (item?.metadata as { system?: { size?: unknown } } | undefined)?.system?.size;

/**
 * Uploads one item (`POST /datasets/{datasetId}/items`, the gateway's multipart form, the file part
 * last) through the client's loop: logged in, renewed after a 401, retried (an upload with
 * `mode=skip|overwrite` is safe to send again), deadlines, typed errors. The form is made anew for each
 * attempt from the source: bytes and Blobs reused, a stream source opened again; a `ReadableStream` is
 * sent once, and a failure of it is an `UploadNotReplayableError`. The item the gateway answers is
 * checked against the bytes sent (`UploadCorruptedError`); in `skip` mode an item already there with
 * another size than the source's (when known) is uploaded again with `overwrite`.
 * @example
 * ```ts
 * import { createDataloopClient, uploadItem } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const datasetId = "64f0c1a2b3c4d5e6f7a8b9c0";
 * const { item, op } = await uploadItem(dl, datasetId, new Blob(["hello"]), { remotePath: "/cats/a.txt" });
 * console.log(item.id, op); // op: "created", "skip" or "overwrite"
 * ```
 */
export async function uploadItem(
  dl: Client,
  datasetId: string,
  source: ItemSource,
  options: UploadItemOptions,
): Promise<UploadedItem> {
  const fields: Record<string, string> = {
    type: "file",
    path: options.remotePath,
    ...(options.metadata ? { metadata: JSON.stringify(options.metadata) } : {}),
    ...(options.description ? { description: options.description } : {}),
  };
  const fileOf = async (): Promise<Blob | Uint8Array> =>
    typeof source === "function"
      ? (source as () => Blob | Promise<Blob>)()
      : source instanceof Blob || source instanceof Uint8Array
        ? source
        : new Uint8Array(source as ArrayBuffer);
  // The bytes of the file part of the last attempt made: what the gateway's answer is checked against.
  let form: ReturnType<typeof multipart> | undefined;
  const make = async (): Promise<MadeBody> => {
    let close: (() => void) | undefined;
    if (isStreamSource(source)) {
      const stream = source.openChunks ? await source.openChunks() : await source.open();
      close = () => closeStream(stream);
      form = multipart(fields, stream, options.remotePath, source.openedLength?.());
    } else form = multipart(fields, await fileOf(), options.remotePath);
    return {
      body: form.body,
      contentType: form.contentType,
      ...(form.length !== undefined ? { length: form.length } : {}),
      ...(close ? { close } : {}),
    };
  };
  const oneShot = source instanceof ReadableStream;
  const known = isStreamSource(source) ? source.size : undefined;
  const post = dl.POST as ThrowingClient["POST"];
  const send = async (mode: "skip" | "overwrite"): Promise<UploadedItem> => {
    let body: unknown;
    if (oneShot) {
      form = multipart(fields, source, options.remotePath);
      // As a web stream: a call's body handed in as a stream is what the loop sends once.
      body = webStreamOf(form.body as AsyncIterable<Uint8Array>);
    } else body = bodySource(make);
    const retry =
      options.retry ?? (options.attempts !== undefined ? { attempts: options.attempts } : undefined);
    const { data, response } = await post("/datasets/{datasetId}/items", {
      params: { path: { datasetId }, query: { mode } },
      body: body as never,
      ...(oneShot ? { bodySerializer: () => body, headers: { "content-type": form?.contentType } } : {}),
      // Safe to send again: with `skip` or `overwrite` a second copy of the form leaves one item.
      idempotent: true,
      throwOnError: true,
      ...(retry !== undefined ? { retry } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const item = data as Item | undefined;
    if (typeof item !== "object" || item === null || typeof item.id !== "string")
      throw new DataloopResponseError({
        status: response.status,
        method: "POST",
        path: `/datasets/${datasetId}/items`,
        reason: "the answer to an upload holds no item",
      });
    return { item, op: response.headers.get("x-item-op") ?? "created" };
  };
  let uploaded: UploadedItem;
  try {
    uploaded = await send(options.mode ?? "skip");
    const stored = sizeOf(uploaded.item);
    if (uploaded.op === "skip") {
      // An item already there: the same file only if it has the size of ours (when ours is known).
      const local = form && !oneShot && !isStreamSource(source) ? form.fileBytes() : known;
      if (typeof stored === "number" && local !== undefined && stored !== local) {
        if (oneShot)
          throw new UploadNotReplayableError({
            message: `An item of another size is at ${options.remotePath}; its source is a stream, read once, so it was not sent again.`,
            hint: "Upload it with mode overwrite.",
          });
        uploaded = await send("overwrite");
      }
    }
    // Bytes sent vs `metadata.system.size` of the answer, as Dataloop's own SDK checks.
    const size = sizeOf(uploaded.item);
    const sent = form?.fileBytes();
    if (uploaded.op !== "skip" && typeof size === "number" && sent !== undefined && size !== sent) {
      throw new UploadCorruptedError({
        message: `The gateway stored ${size} bytes of ${options.remotePath}, ${sent} were sent.`,
        hint: "Upload it again with mode overwrite; if it happens again, report it with the item id.",
      });
    }
    return uploaded;
  } catch (error) {
    if (!oneShot || !retryable(error)) throw error;
    throw new UploadNotReplayableError({
      message: `The upload of ${options.remotePath} failed (${(error as Error).message}); its source is a stream, read once, so it was not sent again.`,
      hint: "Upload from a path, a Buffer or a Blob to have failed attempts retried; or upload the stream again.",
      cause: error,
    });
  }
}

/**
 * A link item: the URL, not its bytes, as Dataloop stores one — a `{name}_link.json` file holding
 * `{"type":"link","shebang":"dataloop","metadata":{"dltype":"link","linkInfo":{"type":"url","ref":URL}}}`.
 * `remotePath` names the link (`/web/cat.jpg` becomes `/web/cat.jpg_link.json`).
 * @example
 * ```ts
 * import { createDataloopClient, uploadLink } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const { item } = await uploadLink(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "https://example.com/cat.jpg", { remotePath: "/web/cat.jpg" });
 * console.log(item.filename); // /web/cat.jpg_link.json
 * ```
 */
export function uploadLink(
  dl: Client,
  datasetId: string,
  url: string,
  options: UploadItemOptions,
): Promise<UploadedItem> {
  const link = {
    type: "link",
    shebang: "dataloop",
    metadata: { dltype: "link", linkInfo: { type: "url", ref: url } },
  };
  const remotePath = options.remotePath.endsWith("_link.json")
    ? options.remotePath
    : `${options.remotePath}_link.json`;
  return uploadItem(dl, datasetId, new TextEncoder().encode(JSON.stringify(link)), {
    ...options,
    remotePath,
  });
}

/**
 * An item's bytes (`GET /items/{id}/stream`) as a stream: read it, pipe it, never all of it in memory.
 * @example
 * ```ts
 * import { createDataloopClient, downloadItem } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const stream = await downloadItem(dl, "64f0c1a2b3c4d5e6f7a8b9c0");
 * const reader = stream.getReader();
 * let bytes = 0;
 * for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.byteLength;
 * console.log(bytes);
 * ```
 */
export async function downloadItem(
  dl: Pick<DataloopClient<boolean>, "GET">,
  itemId: string,
): Promise<ReadableStream<Uint8Array>> {
  const { data } = await (dl.GET as ThrowingClient["GET"])("/items/{id}/stream", {
    params: { path: { id: itemId } },
    parseAs: "stream",
    // An error status throws whatever the client's option: a 404 is not an empty item.
    throwOnError: true,
  });
  // An empty item is answered with no body at all (Content-Length: 0): an empty stream all the same.
  return (
    (data as ReadableStream<Uint8Array> | null | undefined) ??
    new ReadableStream<Uint8Array>({ start: (controller) => controller.close() })
  );
}
