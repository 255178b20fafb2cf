import type { FileHandle } from "node:fs/promises";

/**
 * The bytes queued while one write is in flight, at most, before the reader waits (backpressure).
 * A few of undici's 64 KiB chunks: enough for one `writev` to carry what arrived during the last write.
 */
const MAX_QUEUED_BYTES = 2 * 1024 * 1024;

/**
 * Writes a body's chunks to a file at increasing positions with one write in flight while the next
 * chunks are read; the chunks that arrive meanwhile go out together in one `writev`. Why: awaiting each
 * 64 KiB write before reading the next chunk held a 1 GB download at 83–93% of undici `request()`
 * streaming to a file (`bench/items-big.bench.mjs`), which overlaps its reads and writes the same way
 * (a write stream).
 *
 * Every byte pushed is on disk, in order, once `drain()` resolves; `settle()` waits for the writes in
 * flight without throwing (for an error path, before the file is closed).
 */
export class PartWriter {
  readonly #handle: FileHandle;
  #position: number;
  #queued: Uint8Array[] = [];
  #queuedBytes = 0;
  #inFlight: Promise<void> | undefined;
  #failed: { error: unknown } | undefined;

  constructor(handle: FileHandle, position: number) {
    this.#handle = handle;
    this.#position = position;
  }

  /**
   * Queues `chunk` after what was pushed before. A promise only while too much is queued (to wait on):
   * a download of small items pushes one chunk each, and pays for no promise.
   */
  push(chunk: Uint8Array): Promise<void> | undefined {
    this.#throwIfFailed();
    if (chunk.byteLength === 0) return undefined;
    this.#queued.push(chunk);
    this.#queuedBytes += chunk.byteLength;
    if (!this.#inFlight) this.#start();
    return this.#queuedBytes >= MAX_QUEUED_BYTES ? this.#room() : undefined;
  }

  async #room(): Promise<void> {
    while (this.#inFlight && this.#queuedBytes >= MAX_QUEUED_BYTES) await this.#inFlight;
    this.#throwIfFailed();
  }

  /** Resolves once every byte pushed is written; rejects with the first write's error. */
  async drain(): Promise<void> {
    await this.settle();
    this.#throwIfFailed();
  }

  /** Waits for the writes in flight (and those queued behind them); never rejects. */
  async settle(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
  }

  #throwIfFailed(): void {
    if (this.#failed) throw this.#failed.error;
  }

  #start(): void {
    const buffers = this.#queued;
    const bytes = this.#queuedBytes;
    const at = this.#position;
    this.#queued = [];
    this.#queuedBytes = 0;
    this.#position += bytes;
    this.#inFlight = writeAll(this.#handle, buffers, at).then(
      () => {
        this.#inFlight = undefined;
        if (this.#queued.length && !this.#failed) this.#start();
      },
      (error: unknown) => {
        this.#failed = { error };
        this.#inFlight = undefined;
        this.#queued = [];
        this.#queuedBytes = 0;
      },
    );
  }
}

/** `buffers` written whole at `position`: one `writev`, and what a short write left, again. */
async function writeAll(handle: FileHandle, buffers: Uint8Array[], position: number): Promise<void> {
  let { bytesWritten } = await handle.writev(buffers, position);
  for (const buffer of buffers) {
    if (bytesWritten >= buffer.byteLength) {
      bytesWritten -= buffer.byteLength;
      position += buffer.byteLength;
      continue;
    }
    let done = bytesWritten;
    bytesWritten = 0;
    while (done < buffer.byteLength)
      done += (await handle.write(buffer, done, buffer.byteLength - done, position + done)).bytesWritten;
    position += buffer.byteLength;
  }
}
