// A local file as an upload's source: opened anew for each attempt and read as it is sent.

import type { ReadStream } from "node:fs";
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { ReadableStream as WebStream } from "node:stream/web";
import { type StreamSource, UnreadableSourceError } from "./items.js";
import { SpecialFileError, SymlinkNotFollowedError } from "./local-errors.js";

/**
 * A file source that says how many bytes its last attempt read (what a summary counts as sent), opened
 * as a web stream (`open`) or as the Node stream it is (`openChunks`, what uploads take).
 * @example
 * ```ts
 * import { createDataloopClient, uploadItem } from "@dataloop-ts/client";
 * import { type FileSource, fileSource } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const source: FileSource = fileSource("./photos/cat.jpg");
 * await uploadItem(dl, "64f0c1a2b3c4d5e6f7a8b9c0", source, { remotePath: "/cat.jpg" });
 * console.log(source.path, source.bytesRead());
 * ```
 */
export interface FileSource extends StreamSource {
  readonly path: string;
  bytesRead(): number;
}

/** Where the kernel makes files up (`/proc/self/environ` is a "regular file" that holds the environment). */
export const isPseudoFsPath = (realPath: string) => /^\/(proc|sys|dev)(\/|$)/.test(realPath);

/**
 * A file as a stream source: opened anew for each attempt, read as it is sent (with backpressure: a
 * 1 GB file never sits in memory). What is opened is checked to be a regular file (a FIFO would block,
 * a device never end); a file that cannot be read says why before anything is sent. With `noFollow`, a
 * link at `path` (put there since it was listed) is not opened.
 * @example
 * ```ts
 * import { createDataloopClient, uploadItem } from "@dataloop-ts/client";
 * import { fileSource } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * await uploadItem(dl, "64f0c1a2b3c4d5e6f7a8b9c0", fileSource("./big.bin", { noFollow: true }), { remotePath: "/big.bin" });
 * ```
 */
export function fileSource(path: string, options: { noFollow?: boolean; size?: number } = {}): FileSource {
  let stream: ReadStream | undefined;
  let opened: number | undefined;
  const openStream = async (): Promise<ReadStream> => {
    stream = undefined;
    opened = undefined;
    const flags = constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? constants.O_NOFOLLOW : 0);
    const handle = await open(path, flags).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ELOOP" && options.noFollow)
        throw new SymlinkNotFollowedError({
          message: `${path} is a symbolic link, not followed.`,
          hint: "Pass followSymlinks (--follow-symlinks) to upload what a link leads to inside the named paths.",
        });
      throw new UnreadableSourceError({
        message: `Cannot read ${path} (${error.code ?? "unreadable"}).`,
        hint: "Check that the file exists (a link must lead to a file) and that this user may read it.",
        cause: error,
      });
    });
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      throw info.isDirectory()
        ? new UnreadableSourceError({
            message: `Cannot read ${path} (EISDIR).`,
            hint: "Upload a folder with uploadDirectory (the CLI takes folders as they are).",
          })
        : new SpecialFileError({
            message: `${path} is not a regular file (a FIFO, a socket or a device): not uploaded.`,
            hint: "Copy what it holds into a regular file and upload that.",
          });
    }
    // Its size as opened is what is sent (and declared: `Content-Length`): a file that grows meanwhile
    // is read up to that size; one that shrinks fails the attempt, and the next one opens it again.
    // Read 256 KiB at a time: a quarter of the reads, and of the trips through the streams, of 64 KiB
    // chunks. A 512 MB upload, CPU of the sending process (bench/items-big.mjs, the loaded 2-core
    // machine): 2.7–3.0 s with 64 KiB, 1.6–1.8 s with 1 MiB and the length declared (undici
    // `request` sending the same form from a 64 KiB file stream: 1.6–2.5 s); but with 1 MiB chunks
    // a 1 GB upload's RSS grew by +92 MB (median of 5, one run +103 MB) where undici's grew by +82.
    opened = info.size > 0 ? info.size : undefined;
    stream = handle.createReadStream({
      highWaterMark: 1 << 18,
      ...(info.size > 0 ? { start: 0, end: info.size - 1 } : {}),
    });
    return stream;
  };
  return {
    path,
    // The size when listed: an upload in skip mode compares it with the item already there.
    ...(options.size !== undefined ? { size: options.size } : {}),
    // What the file stream has read (it reads ahead of what is sent by its buffer, 256 KiB at most).
    bytesRead: () => stream?.bytesRead ?? 0,
    openedLength: () => opened,
    // The Node stream as it is (an async iterable): what the upload takes on Node, handed to undici
    // with no web stream between.
    openChunks: openStream,
    // As a web stream, for a caller that wants one: iterated, not `Readable.toWeb`, whose web stream
    // pauses the file stream after every chunk (measured by the items bench: a 1 GB upload at three
    // quarters of raw fetch's rate that way).
    open: async () => WebStream.from(await openStream()) as unknown as ReadableStream<Uint8Array>,
  };
}
