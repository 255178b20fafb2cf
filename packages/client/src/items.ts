import { DataloopError, isTransientStatus, NO_REPLAY_HEADER, withRetries } from "@dataloop-ts/core";
import { sendAsMade } from "./body-source.js";
import type { DataloopClient } from "./client.js";
import { DataloopApiError, DataloopConnectionError } from "./errors.js";
import type { components } from "./generated/schema.js";

export type Item =
  | components["schemas"]["APIDatasetFileItem"]
  | components["schemas"]["APIDatasetDirectoryItem"];

/**
 * What an item is uploaded from. Bytes in memory, a Blob or File, or a function that makes one (a
 * file-backed Blob: `uploadFile` uses one) can be sent again, so a failed attempt is retried; a stream
 * is sent once, as it is read (nothing of it held in memory), and a failure is final.
 */
export type ItemSource =
  | Blob
  | Uint8Array
  | ArrayBuffer
  | ReadableStream<Uint8Array>
  | (() => Blob | Promise<Blob>)
  | StreamSource;

/** A source read as a stream that can be opened again for another attempt (a file by its path). */
export interface StreamSource {
  open(): ReadableStream<Uint8Array> | Promise<ReadableStream<Uint8Array>>;
}
const isStreamSource = (s: ItemSource): s is StreamSource =>
  typeof s === "object" && s !== null && typeof (s as StreamSource).open === "function";

export interface UploadItemOptions {
  /** Remote directory and file name, forward slashes: `/cats/a.jpg`. */
  remotePath: string;
  /** The item's user metadata (stored as `metadata` beside the gateway's own `metadata.system`). */
  metadata?: Record<string, unknown>;
  description?: string;
  /** `skip` (default): an item already at that path is kept and returned; `overwrite` replaces it. */
  mode?: "skip" | "overwrite";
  /** Attempts in all for a source that can be sent again (default 3). */
  attempts?: number;
  signal?: AbortSignal;
}

export interface UploadedItem {
  item: Item;
  /** What the gateway did (`x-item-op`): `created`, `overwrite`, or `skip`. */
  op: string;
}

/** A stream upload failed: a stream is read once, so it was not sent again. */
export class UploadNotReplayableError extends DataloopError {
  static override readonly code = "UPLOAD_NOT_REPLAYABLE" as const;
  override name = "UploadNotReplayableError";
  override readonly code = "UPLOAD_NOT_REPLAYABLE" as const;
}

/** The gateway stored another number of bytes than were sent: the upload is corrupted (Dataloop's SDK checks the same). */
export class UploadCorruptedError extends DataloopError {
  static override readonly code = "UPLOAD_CORRUPTED" as const;
  override name = "UploadCorruptedError";
  override readonly code = "UPLOAD_CORRUPTED" as const;
}

/** A download that stayed short of the item's size after its attempts (each went on from where it stopped). */
export class DownloadIncompleteError extends DataloopError {
  static override readonly code = "DOWNLOAD_INCOMPLETE" as const;
  override name = "DownloadIncompleteError";
  override readonly code = "DOWNLOAD_INCOMPLETE" as const;
}

/** A file to upload that cannot be read (missing, a link to nowhere, no permission). */
export class UnreadableSourceError extends DataloopError {
  static override readonly code = "SOURCE_UNREADABLE" as const;
  override name = "UnreadableSourceError";
  override readonly code = "SOURCE_UNREADABLE" as const;
}

type Client = Pick<DataloopClient<false>, "POST"> & { auth?: { token(): Promise<string> } };

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
 * through a stream of its parts (the items bench measures both); a stream source gives a stream of the
 * form, read as the file is, nothing held but the chunk in flight.
 */
function multipart<F extends Blob | ReadableStream<Uint8Array>>(
  fields: Record<string, string>,
  file: F,
  remotePath: string,
): { body: F extends Blob ? Blob : ReadableStream<Uint8Array>; contentType: string; fileBytes(): number } {
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
    return { body: new Blob([head, file, tail]) as never, contentType, fileBytes: () => file.size };
  const reader = (file as ReadableStream<Uint8Array>).getReader();
  let started = false;
  let bytes = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(head));
          return;
        }
        // Reads on while the queue has room: one pull for a few chunks, not one each.
        do {
          const { done, value } = await reader.read();
          if (done) {
            controller.enqueue(encoder.encode(tail));
            controller.close();
            return;
          }
          bytes += value.byteLength;
          controller.enqueue(value);
        } while ((controller.desiredSize ?? 0) > 0);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 4 },
  );
  return { body: body as never, contentType, fileBytes: () => bytes };
}

/** Worth another attempt, with the same bytes: no answer, a refused token (renewed since), a transient status. */
const retryable = (error: unknown) =>
  error instanceof DataloopConnectionError
    ? error.kind !== "aborted"
    : error instanceof DataloopApiError && (error.status === 401 || isTransientStatus(error.status));

/**
 * Uploads one item (`POST /datasets/{datasetId}/items`, the gateway's multipart form, the file part
 * last) through the client: logged in, typed errors. The body is sent once per attempt and never
 * copied: a source that can be made again (bytes, a Blob, a function) is retried from the source; a
 * stream is sent once, with a fresh token, and fails with `UploadNotReplayableError`.
 * @example const { item } = await uploadItem(dl, datasetId, file, { remotePath: "/cats/a.jpg" });
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
  /** One POST of the form; the answer checked against the bytes of the file that were sent. */
  const send = async ({ body, contentType, fileBytes }: ReturnType<typeof multipart>) => {
    const { data, response } = await dl.POST("/datasets/{datasetId}/items", {
      params: { path: { datasetId }, query: { mode: options.mode ?? "skip" } },
      body: fields as never,
      bodySerializer: () => body as never,
      headers: { [NO_REPLAY_HEADER]: "1", "content-type": contentType },
      middleware: [sendAsMade(body, contentType)],
      ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
      // Not "follow": to be able to resend a body on a redirect, fetch keeps every byte of it until the
      // answer (measured: a 1 GB upload grew the process by 1.1 GB). The upload route does not redirect.
      redirect: "error",
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const uploaded = { item: data as Item, op: response.headers.get("x-item-op") ?? "created" };
    // Bytes sent vs `metadata.system.size` of the answer, as Dataloop's own SDK checks.
    const stored = (uploaded.item?.metadata as { system?: { size?: unknown } } | undefined)?.system?.size;
    const sent = fileBytes();
    if (typeof stored === "number" && stored !== sent && uploaded.op !== "skip") {
      throw new UploadCorruptedError({
        message: `The gateway stored ${stored} bytes of ${options.remotePath}, ${sent} were sent.`,
        hint: "Upload it again with mode overwrite; if it happens again, report it with the item id.",
      });
    }
    return uploaded;
  };
  if (source instanceof ReadableStream) {
    await dl.auth?.token(); // fresh before the stream starts: a 401 midway could not be replayed
    try {
      return await send(multipart(fields, source, options.remotePath));
    } catch (error) {
      if (!retryable(error)) throw error;
      throw new UploadNotReplayableError({
        message: `The upload of ${options.remotePath} failed (${(error as Error).message}); its source is a stream, read once, so it was not sent again.`,
        hint: "Upload from a path, a Buffer or a Blob to have failed attempts retried; or upload the stream again.",
        cause: error,
      });
    }
  }
  // One attempt from a source that can be made again: a stream source opened anew (sent as it is
  // read), or a Blob (bytes in memory wrapped, a Blob factory called).
  const attempt = isStreamSource(source)
    ? async () => {
        await dl.auth?.token();
        return send(multipart(fields, await source.open(), options.remotePath));
      }
    : async () => {
        const blob = await blobOf();
        return send(multipart(fields, blob, options.remotePath));
      };
  const blobOf = async (): Promise<Blob> =>
    typeof source === "function"
      ? (source as () => Blob | Promise<Blob>)()
      : source instanceof Blob
        ? source
        : new Blob([
            source instanceof Uint8Array
              ? (source as Uint8Array<ArrayBuffer>)
              : new Uint8Array(source as ArrayBuffer),
          ]);
  return withRetries(
    attempt,
    (error) =>
      retryable(error)
        ? { retry: true, retryAfterMs: (error as Partial<DataloopApiError>).retryAfterMs }
        : { retry: false },
    {
      attempts: options.attempts ?? 3,
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
}

/**
 * A link item: the URL, not its bytes, as Dataloop stores one — a `{name}_link.json` file holding
 * `{"type":"link","shebang":"dataloop","metadata":{"dltype":"link","linkInfo":{"type":"url","ref":URL}}}`.
 * `remotePath` names the link (`/web/cat.jpg` becomes `/web/cat.jpg_link.json`).
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

/** An item's bytes (`GET /items/{id}/stream`) as a stream: read it, pipe it, never all of it in memory. */
export async function downloadItem(
  dl: Pick<DataloopClient<false>, "GET">,
  itemId: string,
): Promise<ReadableStream<Uint8Array>> {
  const { data } = await dl.GET("/items/{id}/stream", {
    params: { path: { id: itemId } },
    parseAs: "stream",
  });
  // An empty item is answered with no body at all (Content-Length: 0): an empty stream all the same.
  return (
    (data as ReadableStream<Uint8Array> | null | undefined) ??
    new ReadableStream<Uint8Array>({ start: (controller) => controller.close() })
  );
}
