import type { BatchOptions, StreamSource, UploadEntry } from "@dataloop-ts/client";

/** What the batch reports after each file (only the counts are read here). */
type Progress = Parameters<NonNullable<BatchOptions<unknown>["onProgress"]>>[0];

const isStreamSource = (s: UploadEntry["source"]): s is StreamSource =>
  typeof s === "object" && s !== null && typeof (s as StreamSource).open === "function";

/**
 * Progress that moves with the bytes sent, not only when a file is done: the batch reports a file's
 * bytes once it is uploaded, so a single 1 GB file showed 0 B until the end. Each file's stream is
 * counted as the upload reads it; the upload reads only as fast as it sends (a queue of 4 chunks),
 * so bytes read are bytes sent, give or take those chunks. A retry opens the file again: its first
 * attempt's bytes are taken back, so that the count never passes the total.
 */
export function byteProgress(
  entries: UploadEntry[],
  bar: { update(files: number, bytes: number): void },
): { entries: UploadEntry[]; onProgress(p: Progress): void } {
  let files = 0;
  let bytes = 0;
  const counted = entries.map((entry): UploadEntry => {
    const source = entry.source;
    if (!isStreamSource(source)) return entry;
    let attempt = 0;
    const restart = () => {
      bytes -= attempt;
      attempt = 0;
    };
    const count = (chunk: Uint8Array) => {
      attempt += chunk.byteLength;
      bytes += chunk.byteLength;
      bar.update(files, bytes);
    };
    // The source as it is (its size, the length it was opened with, its Node-stream opening), only its
    // chunks counted on the way: with `open` alone the upload went through web streams and chunked, with
    // no Content-Length (a file source declares its opened length, and on Node sends its Node stream).
    const { openChunks } = source;
    return {
      ...entry,
      source: {
        ...source,
        async open() {
          restart();
          const stream = await source.open();
          return stream.pipeThrough(
            new TransformStream<Uint8Array, Uint8Array>({
              transform(chunk, controller) {
                count(chunk);
                controller.enqueue(chunk);
              },
            }),
          );
        },
        ...(openChunks
          ? {
              async openChunks() {
                restart();
                const chunks = await openChunks.call(source);
                const counted = (async function* () {
                  for await (const chunk of chunks) {
                    count(chunk);
                    yield chunk;
                  }
                })();
                // An attempt that ends before its body is read lets go of it by `destroy` (a Node stream's):
                // a generator not started would never reach the file's stream to close it.
                const inner = chunks as { destroy?: () => void };
                return typeof inner.destroy === "function"
                  ? Object.assign(counted, { destroy: () => inner.destroy?.() })
                  : counted;
              },
            }
          : {}),
      },
    };
  });
  return {
    entries: counted,
    onProgress: (p) => {
      files = p.done + p.failed;
      bar.update(files, bytes);
    },
  };
}
