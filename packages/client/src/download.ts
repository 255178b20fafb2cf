// One item's bytes into a local file, resumable across attempts and across runs: the bytes go to a part
// file named by the item (`.NAME.<itemId>.dataloop-part`, beside the target), which a later attempt, or
// a later run after a `kill -9`, goes on from with `Range`; the target appears only once whole (rename).
// Beside a part file that a run may go on from, what it was part of (`….dataloop-part.json`: the
// gateway's validator — ETag or Last-Modified — the item's size and version): a later run sends it as
// `If-Range`, and starts again when the item changed, rather than append the new item to the old one.
import { constants } from "node:fs";
import { type FileHandle, mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { DataloopError, isTransientStatus, leadingBytes, withRetries } from "@dataloop-ts/core";
import type { DataloopClient } from "./client.js";
import { DataloopApiError, DataloopConnectionError } from "./errors.js";
import { DownloadIncompleteError } from "./items.js";
import { DownloadMismatchError, UnsafeLocalPathError } from "./local-errors.js";
import { answerBehind } from "./loop.js";
import { PartWriter } from "./part-writer.js";
import { type Answer, chunksOfStream } from "./transport.js";

/**
 * The options of `downloadFile`: the item's size to check the file against, attempts (each resumes from the part file), the first backoff in ms, and a signal.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { type DownloadFileOptions, downloadFile } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const options: DownloadFileOptions = { size: 1_048_576, attempts: 5, baseDelayMs: 500, signal: AbortSignal.timeout(600_000) };
 * await downloadFile(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "./big.bin", options);
 * ```
 */
export interface DownloadFileOptions {
  /** The item's size in bytes (`metadata.system.size`): the file is checked against it, and never grows past it. */
  size?: number;
  /** Attempts in all (default 3); each goes on from the bytes the part file holds. */
  attempts?: number;
  /** First backoff between attempts, ms (default 300). */
  baseDelayMs?: number;
  /**
   * The item's version as listed (its `updatedAt`): a part file kept from another version is not gone
   * on from (`downloadItems` passes it).
   */
  version?: string;
  signal?: AbortSignal;
}

/**
 * What `downloadFile` resolves to (and each done result of `downloadItems` holds): the path written, its bytes, and what the byte count was checked against (`size`, `length` or `none`).
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { type DownloadedFile, downloadFile } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const file: DownloadedFile = await downloadFile(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "./copy.jpg");
 * console.log(file.path, file.bytes, file.verified);
 * ```
 */
export interface DownloadedFile {
  path: string;
  /** Bytes in the file. */
  bytes: number;
  /**
   * What the byte count was checked against: `size`, the item's size; `length`, the length the gateway
   * declared (`Content-Length`, or the total of `Content-Range`); `none`, the gateway declared none and
   * no size was given, so a body cut off between two chunks could not be told from its end.
   */
  verified: "size" | "length" | "none";
}

/**
 * The part file of `itemId`'s download to `path`: one per item and target, the same in every run.
 * @example
 * ```ts
 * import { partPathOf } from "@dataloop-ts/client/node";
 *
 * console.log(partPathOf("./copy/cat.jpg", "64f0c1a2b3c4d5e6f7a8b9c0")); // copy/.cat.jpg.64f0c1a2b3c4d5e6f7a8b9c0.dataloop-part
 * ```
 */
export const partPathOf = (path: string, itemId: string) =>
  join(
    dirname(path),
    `.${leadingBytes(basename(path), 160)}.${SAFE_ID.test(itemId) ? itemId : itemId.replace(/[^\w-]/g, "_")}.dataloop-part`,
  );
const SAFE_ID = /^[\w-]+$/;

const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const OPEN_PART = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW;
const WRITE_NOTE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
const READ_NOTE = constants.O_RDONLY | constants.O_NOFOLLOW;

/** What a part file is part of: written beside it before its first byte that leaves it short. */
interface PartNote {
  /** The first answer's strong ETag, or else its Last-Modified: sent as `If-Range` when going on. */
  validator?: string;
  /** The item's size, as listed or as the gateway declared it. */
  size?: number;
  /** The item's version, as listed (`DownloadFileOptions.version`). */
  version?: string;
}
/** The note beside `part`. */
export const notePathOf = (part: string) => `${part}.json`;

async function readNote(part: string): Promise<PartNote | undefined> {
  const handle = await open(notePathOf(part), READ_NOTE).catch(() => undefined);
  if (!handle) return undefined;
  try {
    const note = JSON.parse(await handle.readFile("utf8")) as Record<string, unknown> | null;
    // Fields of other types are not what this library wrote (a validator with a line break was sent as
    // If-Range, and every attempt failed on it before a byte): such a note is not trusted.
    const isNote =
      typeof note === "object" &&
      note !== null &&
      (note.validator === undefined ||
        (typeof note.validator === "string" && /^[\x21-\x7e][\x20-\x7e]*$/.test(note.validator))) &&
      (note.size === undefined || (Number.isSafeInteger(note.size) && (note.size as number) >= 0)) &&
      (note.version === undefined || typeof note.version === "string");
    return isNote ? (note as PartNote) : undefined;
  } catch {
    return undefined; // cut off by a kill while it was written: as if there were none
  } finally {
    await handle.close();
  }
}

async function writeNote(part: string, note: PartNote): Promise<void> {
  // O_NOFOLLOW: a link planted at its name is not written through (ELOOP, the download fails typed).
  const handle = await open(notePathOf(part), WRITE_NOTE, 0o666).catch((error: NodeJS.ErrnoException) => {
    throw error.code === "ELOOP"
      ? new UnsafeLocalPathError({
          message: `${notePathOf(part)} is a symbolic link: a download's note is not written through it.`,
          hint: "Remove the link; links inside the target are never followed.",
        })
      : error;
  });
  try {
    await handle.writeFile(JSON.stringify(note));
  } finally {
    await handle.close();
  }
}

/** The validator an answer gives for `If-Range`: a strong ETag (a weak one cannot be), or Last-Modified. */
function validatorOf(answer: Pick<Answer, "header">): string | undefined {
  const etag = answer.header("etag");
  if (etag && !etag.startsWith("W/")) return etag;
  return answer.header("last-modified") ?? undefined;
}

/**
 * The answer of the item's GET, its body not read yet: the client's own (`answerBehind`), or, from a
 * client wrapped by the user, one made of its `{ data, response }`.
 */
function bodyOf(result: unknown): Pick<Answer, "status" | "header" | "chunks" | "discard"> {
  const answer = answerBehind(result);
  if (answer) return answer;
  const { data, response } = result as { data?: ReadableStream<Uint8Array> | null; response: Response };
  const body = data ?? null;
  return {
    status: response.status,
    header: (name) => response.headers.get(name),
    chunks: () => chunksOfStream(body),
    discard: () => void body?.cancel().catch(() => {}),
  };
}

/** `bytes START-END/TOTAL` (TOTAL may be `*`). */
function contentRange(header: string | null): { start: number; total?: number } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header?.trim() ?? "");
  if (!m) return undefined;
  return { start: Number(m[1]), ...(m[3] !== "*" ? { total: Number(m[3]) } : {}) };
}

/** The body stopped short of the length known: the next attempt goes on from there. */
class ShortBody extends Error {}
/** A 206 that starts past what the part file holds: nothing of it can be used; the next attempt starts again. */
class UnusableRange extends Error {}

const keepsPart = (error: unknown) =>
  error instanceof ShortBody ||
  error instanceof UnusableRange ||
  error instanceof DataloopConnectionError ||
  (error instanceof DataloopApiError && isTransientStatus(error.status)) ||
  // A body that broke off (the transport's own error); a file system's (it names a syscall) is final.
  (!(error instanceof DataloopError) && !(error as NodeJS.ErrnoException).syscall);

/**
 * Downloads an item's bytes into `path`, streamed, resumable: a download that breaks off, or comes up
 * short, goes on from where it stopped (`Range: bytes=N-`, the answer's `Content-Range` checked against
 * it), in this call and, after a failure or a kill, in the next one for the same item and path. The file
 * appears only once whole; a part file that is not (`.NAME.<itemId>.dataloop-part`) stays for the next run.
 * @throws DownloadIncompleteError short after every attempt (the part file is kept)
 * @throws DownloadMismatchError the gateway sent more bytes than the item's size, or another total
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { downloadFile } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const { path, bytes, verified } = await downloadFile(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "./copy/cat.jpg");
 * console.log(path, bytes, verified);
 * ```
 */
export async function downloadFile(
  dl: Pick<DataloopClient<false>, "GET">,
  itemId: string,
  path: string,
  options: DownloadFileOptions = {},
): Promise<DownloadedFile> {
  await mkdir(dirname(path), { recursive: true });
  return downloadInto(dl, itemId, path, options);
}

/** `downloadFile` into a folder that is there already (`downloadItems` made it, and checked it for links). */
export async function downloadInto(
  dl: Pick<DataloopClient<false>, "GET">,
  itemId: string,
  path: string,
  options: DownloadFileOptions = {},
): Promise<DownloadedFile> {
  const part = partPathOf(path, itemId);
  const attempts = options.attempts ?? 3;
  let last = { bytes: 0, expected: options.size };
  /** What the part file is part of, once known (read from beside it, or from this call's first answer). */
  let note: PartNote | undefined;
  /** The note on disk beside the part file is `note`. */
  let noted = false;
  /** A note is on disk beside the part file (this one or an older one): removed with it. */
  let noteOnDisk = false;
  const attempt = async (): Promise<DownloadedFile> => {
    // A new part file first (O_EXCL): it holds nothing, and no stat is needed — the common case, one
    // system call less per item. O_NOFOLLOW: a link planted at its name is not written through.
    let fresh = true;
    const handle = await open(part, CREATE_NEW, 0o666)
      .catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "EEXIST") throw error;
        fresh = false;
        return open(part, OPEN_PART, 0o666);
      })
      .catch((error: NodeJS.ErrnoException) => {
        throw error.code === "ELOOP"
          ? new UnsafeLocalPathError({
              message: `${part} is a symbolic link: a download is not written through it.`,
              hint: "Remove the link; links inside the target are never followed.",
            })
          : error;
      });
    try {
      let held = 0;
      if (!fresh) {
        held = (await handle.stat()).size;
        if (!note) {
          note = await readNote(part);
          noted = note !== undefined;
          // Removed with the part file even when it is not one (torn by a kill): nothing left behind.
          noteOnDisk = true;
        }
        // Bytes of which it is not known what they are part of (no note: a kill before it was written,
        // or an older version of this library), or part of another version or size of the item: not
        // gone on from.
        const other =
          !note ||
          (options.version !== undefined && note.version !== options.version) ||
          (options.size !== undefined && note.size !== undefined && note.size !== options.size);
        if (held > 0 && other) {
          await handle.truncate(0);
          held = 0;
          note = undefined;
        }
      }
      return await fill(handle, held);
    } finally {
      await handle.close();
    }
  };
  const fill = async (handle: FileHandle, held: number): Promise<DownloadedFile> => {
    let have = held;
    let expected = options.size;
    if (expected !== undefined && have > expected) {
      await handle.truncate(0);
      have = 0;
    }
    if (expected !== undefined && have === expected && have > 0)
      return { path, bytes: have, verified: "size" };
    // The request's own retries off: this loop, which resumes, is the one budget (`retry: false` per call).
    const init = {
      params: { path: { id: itemId } },
      parseAs: "stream",
      retry: false,
      // An error status throws typed (with the gateway's body), whatever the client's throwOnError.
      throwOnError: true,
      ...(have
        ? { headers: { range: `bytes=${have}-`, ...(note?.validator ? { "if-range": note.validator } : {}) } }
        : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    } as const;
    const answer = bodyOf(await dl.GET("/items/{id}/stream", init));
    if (answer.status < 200 || answer.status > 299) {
      answer.discard();
      throw new DataloopApiError({
        status: answer.status,
        method: "GET",
        path: `/items/${itemId}/stream`,
        body: undefined,
      });
    }
    let offset = 0;
    let skip = 0;
    let declared: number | undefined;
    if (answer.status === 206) {
      const range = contentRange(answer.header("content-range"));
      // A range that starts past what is held leaves a hole: unusable. One that starts earlier (a
      // gateway rounding to its blocks) is fine: its first bytes are already held, and are skipped.
      if (!range || range.start > have) {
        answer.discard();
        await handle.truncate(0);
        throw new UnusableRange(`a 206 for bytes=${have}- answered ${answer.header("content-range")}`);
      }
      // A gateway that ignored If-Range and sent a part of what is now another item (its validator
      // changed): nothing of it fits what is held; the next attempt starts again.
      const was = note?.validator;
      const now = validatorOf(answer);
      if (was !== undefined && now !== undefined && now !== was) {
        answer.discard();
        await handle.truncate(0);
        note = undefined;
        throw new UnusableRange(`a 206 of another version of the item (${now}, the part file's ${was})`);
      }
      // No validator to tell, and no size asked for: a total other than the note's is another item.
      const sizeNoted = note?.size;
      if (sizeNoted !== undefined && range.total !== undefined && range.total !== sizeNoted) {
        answer.discard();
        await handle.truncate(0);
        note = undefined;
        throw new UnusableRange(`a 206 of ${range.total} bytes, the part file's item ${sizeNoted} bytes`);
      }
      declared = range.total;
      skip = have - range.start;
      offset = have;
    } else {
      // The whole item (a gateway that ignores Range answers 200, or If-Range found it changed): the
      // part file starts again, part of what this answer is.
      if (have > 0) await handle.truncate(0);
      const length = answer.header("content-length");
      declared = length === null ? undefined : Number(length);
      note = undefined;
    }
    // A total other than the size, or a whole body declared longer than it: another item's bytes. A
    // whole body declared shorter is a short answer: kept, and gone on from.
    const partial = answer.status === 206;
    if (
      expected !== undefined &&
      declared !== undefined &&
      (partial ? declared !== expected : declared > expected)
    ) {
      answer.discard();
      throw new DownloadMismatchError({
        message: `The gateway declared ${declared} bytes for item ${itemId}, whose size is ${expected}.`,
        hint: "The item may have changed meanwhile: list it again, then download it again.",
      });
    }
    if (expected === undefined) expected = declared;
    if (!note) {
      const validator = validatorOf(answer);
      note = {
        ...(validator !== undefined ? { validator } : {}),
        ...(expected !== undefined ? { size: expected } : {}),
        ...(options.version !== undefined ? { version: options.version } : {}),
      };
      noted = false;
    }
    last = { bytes: offset, expected };
    const writer = new PartWriter(handle, offset);
    try {
      for await (let chunk of answer.chunks()) {
        if (skip) {
          const n = Math.min(skip, chunk.byteLength);
          skip -= n;
          chunk = chunk.subarray(n);
        }
        if (expected !== undefined && offset + chunk.byteLength > expected)
          // Leaving the loop lets the body go.
          throw new DownloadMismatchError({
            message: `The gateway sent more than the ${expected} bytes of item ${itemId}.`,
            hint: "The item may have changed meanwhile: list it again, then download it again.",
          });
        // Bytes that leave the part file short (or of a length not known) are what a later run may go on
        // from: what they are part of is written beside it first. A body whole in its first chunk, most
        // small items, needs no note.
        if (
          !noted &&
          chunk.byteLength > 0 &&
          (expected === undefined || offset + chunk.byteLength < expected)
        ) {
          await writeNote(part, note as PartNote);
          noted = noteOnDisk = true;
        }
        // Waits only while too much is queued for the file.
        const full = writer.push(chunk);
        if (full) await full;
        offset += chunk.byteLength;
        last.bytes = offset;
      }
    } catch (error) {
      // What was read is written before the file is closed: the next attempt goes on from its length.
      await writer.settle();
      throw error;
    }
    await writer.drain();
    if (expected !== undefined && offset < expected) throw new ShortBody();
    return {
      path,
      bytes: offset,
      verified: options.size !== undefined ? "size" : expected !== undefined ? "length" : "none",
    };
  };
  let result: DownloadedFile;
  try {
    result = await withRetries(
      attempt,
      (error) =>
        keepsPart(error) && !(error instanceof DataloopConnectionError && error.kind === "aborted")
          ? { retry: true, retryAfterMs: (error as Partial<DataloopApiError>).retryAfterMs }
          : { retry: false },
      {
        attempts,
        ...(options.baseDelayMs !== undefined ? { baseDelayMs: options.baseDelayMs } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
  } catch (error) {
    // What can be gone on from is kept for the next run; bytes that do not fit the item are not.
    if (!keepsPart(error))
      await Promise.all([rm(part, { force: true }), rm(notePathOf(part), { force: true })]);
    const aborted = error instanceof DataloopConnectionError && error.kind === "aborted";
    if (keepsPart(error) && !(error instanceof DataloopApiError) && !aborted) {
      throw new DownloadIncompleteError({
        message: `The download of item ${itemId} stopped at ${last.bytes} of ${last.expected ?? "?"} bytes after ${attempts} attempt${attempts === 1 ? "" : "s"}${error instanceof ShortBody || error instanceof UnusableRange ? "" : ` (${(error as Error).message})`}.`,
        hint: `Run it again: it goes on from the ${last.bytes} bytes kept in ${part}.`,
        cause: error,
      });
    }
    throw error;
  }
  await rename(part, path);
  if (noteOnDisk) await rm(notePathOf(part), { force: true });
  return result;
}
