import { DataloopConnectionError, type DeadlineOption, pathOf } from "./errors.js";

/**
 * A body as a transport sends it: bytes or text in memory, a Blob, or a stream read once — a web
 * stream, or an async iterable of chunks (a Node stream, a generator: what undici takes as it is, with
 * no web stream between the file and the socket).
 */
export type WireBody = string | Uint8Array | Blob | StreamedBody;

/** A body read as it is sent, once. */
export type StreamedBody = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Whether a body is read as it is sent (and so can be sent once only). */
export const isStreamed = (body: WireBody | undefined): body is StreamedBody =>
  typeof body === "object" && (body instanceof ReadableStream || Symbol.asyncIterator in body);

/**
 * A streamed body as a web stream (what `fetch` and a `Request` take), its chunks pulled as it is read.
 * By default nothing is read before the stream is (a `Request` made of it and never read leaves the body
 * whole for another to send); `readAheadChunks` lets that many be read ahead, while the reader sends
 * the one before. `ended` is called once its last chunk has been taken.
 */
export function webStreamOf(
  body: StreamedBody,
  { ended, readAheadChunks = 0 }: { ended?: () => void; readAheadChunks?: number } = {},
): ReadableStream<Uint8Array> {
  if (body instanceof ReadableStream && ended === undefined) return body;
  let next: () => Promise<{ done?: boolean | undefined; value?: Uint8Array | undefined }>;
  let stop: (reason: unknown) => Promise<void>;
  if (body instanceof ReadableStream) {
    // Its reader, not its async iterator: Safari's web streams have none.
    const reader = body.getReader();
    next = () => reader.read();
    stop = (reason) => reader.cancel(reason);
  } else {
    const iterator = body[Symbol.asyncIterator]();
    next = () => iterator.next();
    stop = async () => {
      await iterator.return?.();
    };
  }
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await next();
        if (done) {
          controller.close();
          ended?.();
        } else if (value) controller.enqueue(value);
      },
      cancel: stop,
    },
    { highWaterMark: readAheadChunks },
  );
}

/** One attempt of a call, as the loop built it. */
export interface TransportRequest {
  method: string;
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: WireBody | undefined;
  /**
   * The body's byte length when the loop knows it and the body cannot say (a stream of a file's form):
   * declared by a transport that can (undici's), so that the body is not sent chunked.
   */
  length?: number | undefined;
  /** The caller's signal and the call's total deadline, as one. */
  signal: AbortSignal | undefined;
  /** No response headers this long after the last byte of the request was sent: a timeout. */
  timeoutMs: number | false;
  /** No byte of the response body for this long: a timeout. */
  bodyTimeoutMs: number | false;
}

/**
 * An answer's status and headers, its body not read yet. Every failure reading the body is a
 * `DataloopConnectionError` (a break-off `network`, a stall `timeout` naming `bodyTimeoutMs`).
 */
export interface Answer {
  readonly status: number;
  /** A header's value (`name` lower-case), joined with `, ` when repeated; null when absent. */
  header(name: string): string | null;
  /** Every header, as a `Headers` (made when asked: the default path never asks). */
  headers(): Headers;
  text(): Promise<string>;
  bytes(): Promise<Uint8Array>;
  /** The body as a web stream for the caller to read; null when there is none. */
  stream(): ReadableStream<Uint8Array> | null;
  /**
   * The body's chunks, in order, read as they are asked for (the connection waits while the reader
   * does); leaving the loop early lets the body go. What the items helpers read a download with: no web
   * stream per answer on Node.
   */
  chunks(): AsyncIterable<Uint8Array>;
  /** The body will not be read: released (the connection kept when it can be). */
  discard(): void;
}

/** How an attempt reaches the gateway: undici's dispatcher on Node, the platform's `fetch` elsewhere. */
export interface Transport {
  send(request: TransportRequest): Promise<Answer>;
}

/**
 * Why a signal aborted an attempt when a deadline did it: the option that fired travels as the abort's
 * reason, so that the error names it.
 */
export class DeadlineExceeded extends Error {
  override name = "TimeoutError";
  constructor(readonly option: DeadlineOption) {
    super(`${option} ran out`);
  }
}

// undici's codes for its own deadlines (its errors' `code`), by the option that sets them.
const UNDICI_DEADLINES: Record<string, DeadlineOption> = {
  UND_ERR_HEADERS_TIMEOUT: "timeoutMs",
  UND_ERR_CONNECT_TIMEOUT: "timeoutMs",
  UND_ERR_BODY_TIMEOUT: "bodyTimeoutMs",
};

/**
 * A failure without an answer (or while its body streamed in) as the error a user sees: a deadline of
 * ours (the signal's reason, or undici's own timeout codes) is a `timeout` naming its option, the
 * caller's abort `aborted`, anything else `network`.
 */
export function failureOf(
  request: Pick<TransportRequest, "method" | "url">,
  error: unknown,
  signal?: AbortSignal,
): DataloopConnectionError {
  if (error instanceof DataloopConnectionError) return error;
  const { method } = request;
  const path = pathOf(request.url);
  const reason = signal?.aborted ? signal.reason : error;
  if (reason instanceof DeadlineExceeded)
    return new DataloopConnectionError({
      kind: "timeout",
      deadline: reason.option,
      method,
      path,
      cause: error,
    });
  const code = (error as { code?: unknown } | undefined)?.code;
  const deadline = typeof code === "string" ? UNDICI_DEADLINES[code] : undefined;
  if (deadline) return new DataloopConnectionError({ kind: "timeout", deadline, method, path, cause: error });
  if (signal?.aborted)
    return new DataloopConnectionError({ kind: "aborted", method, path, cause: signal.reason });
  const name = (error as Error | undefined)?.name;
  const kind = name === "TimeoutError" ? "timeout" : name === "AbortError" ? "aborted" : "network";
  return new DataloopConnectionError({ kind, method, path, cause: error });
}

/** Chunks read whole, as one buffer (the one chunk itself when there is only one: no copy). */
export function joinChunks(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return all;
}

/** A web stream's chunks as an async iterable (not every platform's `ReadableStream` is one). */
export async function* chunksOfStream(stream: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (stream === null) return;
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // Left early (or failed): the body is let go.
    if (!done) reader.cancel().catch(() => {});
  }
}
