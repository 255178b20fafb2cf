import { Agent, type Dispatcher } from "undici";
import { type Deadline, startDeadline } from "./deadlines.js";
import {
  type Answer,
  chunksOfStream,
  DeadlineExceeded,
  failureOf,
  isStreamed,
  joinChunks,
  type Transport,
  type TransportRequest,
  type WireBody,
} from "./transport.js";

/**
 * The transport on Node: undici's dispatcher API (`dispatch()`, with a handler of ours: `Exchange`),
 * the Node project's own HTTP client, without the Fetch standard's layers (a `Request`, a `Response` and web streams per call) that
 * `fetch` adds on top of the same dispatcher — half the time per request on loopback (the client
 * bench). Its deadlines: undici's `bodyTimeout` (the longest silence between two chunks of the
 * answer) and `headersTimeout` for a request without a body; for one with a body, a deadline of ours
 * pushed back each time undici takes a chunk of it, so that it counts from the last byte handed over
 * (an upload is not cut off for the time its sending takes, and one the gateway stops reading fails).
 * Why not undici's own for those too: it refreshes its headers timer only on some writes (a buffer is
 * one write, its timer started at dispatch), and an 8 MB upload read slowly failed by `timeoutMs`
 * (the test "an upload is not cut off for the time its sending takes"). Why undici's for the others:
 * the same deadlines on the client's shared timer (deadlines.ts), tried for 100,000 small downloads,
 * grew old space from 46 to 119 MB (`bench/items-query.bench.mjs`).
 *
 * One keep-alive `Agent` for the process, as undici's global dispatcher is.
 */
let shared: Agent | undefined;
const dispatcher = () => {
  shared ??= new Agent({ keepAliveTimeout: 10_000 });
  return shared;
};

/** A body as chunks, in order: what undici writes (and what the send deadline watches). */
async function* chunksOf(body: WireBody): AsyncGenerator<Uint8Array> {
  if (typeof body === "string") yield encoder.encode(body);
  else if (body instanceof Uint8Array) yield* slices(body);
  else if (body instanceof Blob && body.size <= IN_ONE_READ)
    yield* slices(new Uint8Array(await body.arrayBuffer()));
  // A stream's chunks as they come (a file's are 256 KiB): the send deadline is pushed back at each,
  // so between two, one chunk must reach the kernel within timeoutMs (256 KiB in 60 s: 4.4 KB/s). A
  // file's 1 MiB chunks cut into 64 KiB slices made a 512 MB upload 10–25% longer than undici's
  // `request` (4 runs each, alternating); whole, as long (2.12–2.47 s against 2.24–2.73 s).
  else if (body instanceof Blob) yield* body.stream() as unknown as AsyncIterable<Uint8Array>;
  // A stream, or any async iterable of chunks: sent as it is.
  else if (Symbol.asyncIterator in body) yield* body as unknown as AsyncIterable<Uint8Array>;
  else yield* chunksOfStream(body);
}
/** A streamed body as it is (a file's form: no generator more between it and undici), another as chunks. */
const iterableOf = (body: WireBody) =>
  (isStreamed(body) ? body : chunksOf(body)) as AsyncIterable<Uint8Array>;
const encoder = new TextEncoder();
const IN_ONE_READ = 1 << 20;
/** A body this small is sent as one buffer (see `sendOnce`). */
const ONE_WRITE = 64 * 1024;
function* slices(bytes: Uint8Array, size = 64 * 1024) {
  for (let at = 0; at < bytes.byteLength; at += size) yield bytes.subarray(at, at + size);
}

/** The length of a body known before it is sent (a stream's is not). */
const lengthOf = (body: WireBody | undefined) =>
  typeof body === "string"
    ? undefined
    : body instanceof Blob
      ? body.size
      : body instanceof Uint8Array
        ? body.byteLength
        : undefined;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/** `https://host:port/path?q` → origin and path, without a URL object per call. */
function split(url: string): { origin: string; path: string } {
  const at = url.indexOf("/", url.indexOf("//") + 2);
  return at < 0 ? { origin: url, path: "/" } : { origin: url.slice(0, at), path: url.slice(at) };
}

/**
 * Redirects are followed as `fetch` follows them (undici's `request()` does not): a 303, or a 301/302
 * to a POST, becomes a GET without a body; `Authorization` is dropped on the way to another origin; a
 * streamed body (read once) is not sent again, so its redirect is the answer.
 */
export function undiciTransport(): Transport {
  return {
    send(request) {
      return sendOnce(request).then((answer) =>
        REDIRECTS.has(answer.status) ? redirected(request, answer) : answer,
      );
    },
  };
}

/** A stream, or any async iterable: its chunks can be read once. */
async function redirected(request: TransportRequest, first: Answer): Promise<Answer> {
  let current = request;
  let answer = first;
  for (let hop = 0; ; hop++) {
    const location = REDIRECTS.has(answer.status) ? answer.header("location") : null;
    if (location === null || hop === MAX_REDIRECTS || isStreamed(current.body)) return answer;
    answer.discard();
    const url = new URL(location, current.url).href;
    const toGet = answer.status === 303 || (answer.status <= 302 && current.method === "POST");
    const headers = { ...current.headers };
    if (split(url).origin !== split(current.url).origin) delete headers.authorization;
    if (toGet) {
      delete headers["content-type"];
      delete headers["content-length"];
    }
    current = {
      ...current,
      url,
      headers,
      ...(toGet ? { method: "GET", body: undefined, length: undefined } : {}),
    };
    answer = await sendOnce(current);
  }
}

async function sendOnce(request: TransportRequest): Promise<Answer> {
  const { origin, path } = split(request.url);
  const { body, timeoutMs } = request;
  // A short `timeoutMs` is kept by the client's own timer: undici's headers timeout runs on its fast
  // timers, which tick every half second, so 100 ms fired after 0.5–1 s.
  const precise = typeof timeoutMs === "number" && timeoutMs < PRECISE_BELOW_MS;
  if (body === undefined)
    return precise
      ? underDeadline(request, timeoutMs, (signal) =>
          dispatch(request, origin, path, request.headers, undefined, signal, false),
        )
      : dispatch(request, origin, path, request.headers, undefined, request.signal, timeoutMs);
  // A small body (a JSON call's, an annotation batch's) goes to undici as it is, with its length, in one
  // write: undici's own headers timeout then counts from a send that is over at once. As chunks it went
  // chunked, two writes a request (1.45× undici request() for 100,000 annotations in 10,000 POSTs, in
  // the annotations bench).
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  // The framing is the transport's, as in `fetch` (forbidden request headers): a caller's Content-Length
  // gives way to a length known, and Transfer-Encoding goes (undici refuses both when wrong, before a
  // byte is sent, and the call failed as "could not reach the gateway").
  let framed = request.headers;
  if ("transfer-encoding" in framed) {
    framed = { ...framed };
    delete framed["transfer-encoding"];
  }
  if (bytes instanceof Uint8Array && bytes.byteLength <= ONE_WRITE) {
    const sized = { ...framed, "content-length": String(bytes.byteLength) };
    return precise
      ? underDeadline(request, timeoutMs, (signal) =>
          dispatch(request, origin, path, sized, bytes, signal, false),
        )
      : dispatch(request, origin, path, sized, bytes, request.signal, timeoutMs);
  }
  const length = request.length ?? lengthOf(bytes);
  const headers = length !== undefined ? { ...framed, "content-length": String(length) } : framed;
  if (timeoutMs === false)
    return dispatch(request, origin, path, headers, iterableOf(bytes), request.signal, false);
  // The send deadline: from the start, pushed back at each chunk taken, over when the headers arrive.
  return underDeadline(request, timeoutMs, (signal, deadline) => {
    async function* watched() {
      for await (const chunk of iterableOf(bytes)) {
        deadline.pushBack();
        yield chunk;
      }
      deadline.pushBack();
    }
    return dispatch(request, origin, path, headers, watched(), signal, false);
  });
}

/** Under this, `timeoutMs` is kept by the client's timer (deadlines.ts), not undici's (see `sendOnce`). */
const PRECISE_BELOW_MS = 2_000;

/**
 * An attempt whose wait for the headers is kept by the client's timer: `send` dispatches under the
 * signal given, which the caller's signal follows and the deadline aborts; the deadline is over when the
 * headers arrive.
 */
async function underDeadline(
  request: TransportRequest,
  timeoutMs: number,
  send: (signal: AbortSignal, deadline: Deadline) => Promise<UndiciAnswer>,
): Promise<UndiciAnswer> {
  const controller = new AbortController();
  const outer = request.signal;
  const follow = () => controller.abort(outer?.reason);
  if (outer?.aborted) follow();
  else outer?.addEventListener("abort", follow, { once: true });
  const deadline = startDeadline(timeoutMs, () => controller.abort(new DeadlineExceeded("timeoutMs")));
  let answer: UndiciAnswer | undefined;
  try {
    answer = await send(controller.signal, deadline);
    return answer;
  } finally {
    deadline.cancel();
    // The answer's body is read under `controller.signal` too: the caller's signal (and the call's total
    // deadline) follows it until that body is closed, or an abort after the headers would not end a read.
    const unfollow = () => outer?.removeEventListener("abort", follow);
    if (answer) answer.onClose(unfollow);
    else unfollow();
  }
}

/**
 * One attempt through `Dispatcher.dispatch` with a handler of our own (`Exchange`): what undici's
 * `request()` adds on top of it — an `AsyncResource`, a Node `Readable` per body, an abort listener per
 * signal — is skipped. `downloadItems` over 100,000 items grew the process's RSS 184 MB through
 * `request()` with a web stream around each body (`bench/items-query.bench.mjs`); `request()` alone,
 * 145 MB; `dispatch()` with a bare handler, 50 MB.
 */
function dispatch(
  request: TransportRequest,
  origin: string,
  path: string,
  headers: Record<string, string>,
  body: AsyncIterable<Uint8Array> | Uint8Array | undefined,
  signal: AbortSignal | undefined,
  headersMs: number | false,
): Promise<UndiciAnswer> {
  return new Promise((resolve, reject) => {
    const exchange = new Exchange(request, signal, resolve, reject);
    dispatcher().dispatch(
      {
        origin,
        path,
        method: request.method as Dispatcher.HttpMethod,
        headers,
        body: body as Dispatcher.DispatchOptions["body"],
        // 0: none, in undici's terms.
        headersTimeout: headersMs === false ? 0 : headersMs,
        bodyTimeout: request.bodyTimeoutMs === false ? 0 : request.bodyTimeoutMs,
      },
      exchange,
    );
  });
}

/** What the answer holds, read ahead, before the connection is paused (backpressure). */
const READ_AHEAD_BYTES = 512 * 1024;
/** What `discard()` reads off, at most, to keep the connection (undici's `dump()`'s limit). */
const DISCARD_BYTES = 128 * 1024;

type Controller = Dispatcher.DispatchController;
type Waiter = { resolve(result: IteratorResult<Uint8Array>): void; reject(error: unknown): void };
const DONE: IteratorResult<Uint8Array> = Object.freeze({ done: true, value: undefined });

/** The body's states: still coming, all of it come, failed (its error kept), or let go by its reader. */
const OPEN = 0;
const ENDED = 1;
const FAILED = 2;
const RELEASED = 3;

/** An answer, as its status and headers arrived. */
export type UndiciAnswer = Answer & {
  /** Calls `then` once the body is over (read to its end, failed, cancelled or discarded). */
  onClose(then: () => void): void;
};

/**
 * One attempt's handler of undici's dispatch and, once the headers have come, its answer: one object
 * for both, so that what an attempt holds is this and its chunks. Its body is read as an async
 * iterator of the chunks undici gives (`chunks()`); they are queued up to `READ_AHEAD_BYTES`, then the
 * connection is paused until the reader takes them.
 */
class Exchange implements Dispatcher.DispatchHandler, UndiciAnswer, AsyncIterator<Uint8Array> {
  status = 0;
  #headers: Record<string, string | string[] | undefined> = {};
  readonly #request: TransportRequest;
  /** The signal the attempt was sent with (the send deadline's, for a body): what a failure is told by. */
  readonly #signal: AbortSignal | undefined;
  #resolve: ((answer: UndiciAnswer) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  #controller: Controller | undefined;
  #state = OPEN;
  #error: unknown;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #waiter: Waiter | undefined;
  /** Chunks are read off and dropped (`discard()`), this many so far. */
  #dropped = -1;
  /** The whole body is being read into memory (`bytes()`): no backpressure. */
  #whole = false;
  #onClose: (() => void) | undefined;
  #unlisten: (() => void) | undefined;

  constructor(
    request: TransportRequest,
    signal: AbortSignal | undefined,
    resolve: (answer: UndiciAnswer) => void,
    reject: (error: unknown) => void,
  ) {
    this.#request = request;
    this.#signal = signal;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  // --- undici's side

  onRequestStart(controller: Controller): void {
    this.#controller = controller;
    const signal = this.#signal;
    if (!signal) return;
    if (signal.aborted) {
      controller.abort(signal.reason);
      return;
    }
    const abort = () => controller.abort(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    this.#unlisten = () => signal.removeEventListener("abort", abort);
  }

  onResponseStart(
    controller: Controller,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return; // an informational answer (100 Continue): the real one follows
    this.#controller = controller;
    this.status = statusCode;
    this.#headers = headers;
    const resolve = this.#resolve;
    this.#resolve = this.#reject = undefined;
    resolve?.(this);
  }

  onResponseData(controller: Controller, chunk: Uint8Array): void {
    if (this.#state !== OPEN) return;
    if (this.#dropped >= 0) {
      this.#dropped += chunk.byteLength;
      if (this.#dropped > DISCARD_BYTES) this.#release();
      return;
    }
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter.resolve({ done: false, value: chunk });
      return;
    }
    this.#queue.push(chunk);
    this.#queuedBytes += chunk.byteLength;
    if (!this.#whole && this.#queuedBytes >= READ_AHEAD_BYTES) controller.pause();
  }

  onResponseEnd(): void {
    if (this.#state !== OPEN) return;
    this.#state = ENDED;
    this.#closed();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve(DONE);
  }

  onResponseError(_controller: Controller | null, error: unknown): void {
    const reject = this.#reject;
    if (reject) {
      // No answer yet: the attempt fails.
      this.#resolve = this.#reject = undefined;
      this.#state = FAILED;
      this.#closed();
      reject(failureOf(this.#request, error, this.#signal));
      return;
    }
    if (this.#state !== OPEN) return;
    this.#state = FAILED;
    this.#error = failureOf(this.#request, error, this.#signal);
    this.#closed();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(this.#error);
  }

  #closed(): void {
    this.#unlisten?.();
    this.#unlisten = undefined;
    const then = this.#onClose;
    this.#onClose = undefined;
    then?.();
  }

  /** The reader is gone before the end: the connection too (its error, if any, has no one left to tell). */
  #release(): void {
    if (this.#state !== OPEN) return;
    this.#state = RELEASED;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#closed();
    this.#controller?.abort(new Error("the answer's body was let go before its end"));
  }

  // --- the reader's side

  onClose(then: () => void): void {
    if (this.#state !== OPEN) then();
    else this.#onClose = then;
  }

  header(name: string): string | null {
    const value = this.#headers[name];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  }

  headers(): Headers {
    const headers = new Headers();
    for (const [name, value] of Object.entries(this.#headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.append(name, value);
    }
    return headers;
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    const chunk = this.#queue.shift();
    if (chunk !== undefined) {
      this.#queuedBytes -= chunk.byteLength;
      if (this.#queuedBytes < READ_AHEAD_BYTES / 2 && this.#controller?.paused) this.#controller.resume();
      return Promise.resolve({ done: false, value: chunk });
    }
    if (this.#state === FAILED) return Promise.reject(this.#error);
    if (this.#state !== OPEN) return Promise.resolve(DONE);
    if (this.#controller?.paused) this.#controller.resume();
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    this.#release();
    return Promise.resolve(DONE);
  }

  chunks(): AsyncIterable<Uint8Array> {
    return this;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this;
  }

  async bytes(): Promise<Uint8Array> {
    this.#whole = true;
    if (this.#controller?.paused) this.#controller.resume();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (let r = await this.next(); !r.done; r = await this.next()) {
      chunks.push(r.value);
      size += r.value.byteLength;
    }
    return joinChunks(chunks, size);
  }

  async text(): Promise<string> {
    return decoder.decode(await this.bytes());
  }

  stream(): ReadableStream<Uint8Array> | null {
    return new ReadableStream<Uint8Array>(
      {
        pull: (controller) =>
          this.next().then((r) => (r.done ? controller.close() : controller.enqueue(r.value))),
        cancel: () => {
          this.#release();
        },
      },
      // Read ahead by the queue above (the socket goes on while the reader writes), not by this stream.
      { highWaterMark: 0 },
    );
  }

  discard(): void {
    // Read off and dropped (up to undici's limit, 128 KiB), so the connection can serve the next request.
    if (this.#state !== OPEN) return;
    this.#dropped = this.#queuedBytes;
    this.#queue = [];
    this.#queuedBytes = 0;
    if (this.#dropped > DISCARD_BYTES) this.#release();
    else if (this.#controller?.paused) this.#controller.resume();
  }
}
const decoder = new TextDecoder();
export const platformTransport = undiciTransport;
