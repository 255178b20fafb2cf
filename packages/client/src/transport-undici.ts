import type { Readable } from "node:stream";
import { Agent, type Dispatcher } from "undici";
import { startDeadline } from "./deadlines.js";
import {
  type Answer,
  DeadlineExceeded,
  failureOf,
  isStreamed,
  type Transport,
  type TransportRequest,
  type WireBody,
} from "./transport.js";

/**
 * The transport on Node: undici's dispatcher API (`request()`), the Node project's own HTTP client,
 * without the Fetch standard's layers (a `Request`, a `Response` and web streams per call) that
 * `fetch` adds on top of the same dispatcher — half the time per request on loopback (the client
 * bench). Its deadlines: undici's `bodyTimeout` (the longest silence between two chunks of the
 * answer) and `headersTimeout` for a request without a body; for one with a body, a deadline of ours
 * pushed back each time undici takes a chunk of it, so that it counts from the last byte handed over
 * (an upload is not cut off for the time its sending takes, and one the gateway stops reading fails).
 * Why not undici's own for those too: it refreshes its headers timer only on some writes (a buffer is
 * one write, its timer started at dispatch), and an 8 MB upload read slowly failed by `timeoutMs`
 * (the test "an upload is not cut off for the time its sending takes").
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
  else yield* (body instanceof Blob ? body.stream() : body) as unknown as AsyncIterable<Uint8Array>;
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
  if (body === undefined)
    return dispatch(request, origin, path, request.headers, undefined, request.signal, timeoutMs);
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
    return dispatch(request, origin, path, sized, bytes, request.signal, timeoutMs);
  }
  const length = request.length ?? lengthOf(bytes);
  const headers = length !== undefined ? { ...framed, "content-length": String(length) } : framed;
  if (timeoutMs === false)
    return dispatch(request, origin, path, headers, iterableOf(bytes), request.signal, false);
  // The send deadline: from the start, pushed back at each chunk taken, over when the headers arrive.
  const controller = new AbortController();
  const outer = request.signal;
  const follow = () => controller.abort(outer?.reason);
  if (outer?.aborted) follow();
  else outer?.addEventListener("abort", follow, { once: true });
  const deadline = startDeadline(timeoutMs, () => controller.abort(new DeadlineExceeded("timeoutMs")));
  async function* watched() {
    for await (const chunk of iterableOf(bytes)) {
      deadline.pushBack();
      yield chunk;
    }
    deadline.pushBack();
  }
  let answer: UndiciAnswer | undefined;
  try {
    answer = await dispatch(request, origin, path, headers, watched(), controller.signal, false);
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

async function dispatch(
  request: TransportRequest,
  origin: string,
  path: string,
  headers: Record<string, string>,
  body: AsyncIterable<Uint8Array> | Uint8Array | undefined,
  signal: AbortSignal | undefined,
  headersMs: number | false,
): Promise<UndiciAnswer> {
  try {
    const answer = await dispatcher().request({
      origin,
      path,
      method: request.method as Dispatcher.HttpMethod,
      headers,
      body: body as Dispatcher.DispatchOptions["body"],
      signal,
      // 0: none, in undici's terms.
      headersTimeout: headersMs === false ? 0 : headersMs,
      bodyTimeout: request.bodyTimeoutMs === false ? 0 : request.bodyTimeoutMs,
    });
    return new UndiciAnswer(answer, request, signal);
  } catch (error) {
    throw failureOf(request, error, signal);
  }
}

type Body = Dispatcher.ResponseData["body"];

class UndiciAnswer implements Answer {
  readonly status: number;
  readonly #raw: Dispatcher.ResponseData["headers"];
  readonly #body: Body;
  readonly #request: Pick<TransportRequest, "method" | "url">;
  /** The signal the attempt was sent with (the send deadline's, for a body): what a failure is told by. */
  readonly #signal: AbortSignal | undefined;

  constructor(answer: Dispatcher.ResponseData, request: TransportRequest, signal: AbortSignal | undefined) {
    this.status = answer.statusCode;
    this.#raw = answer.headers;
    this.#body = answer.body;
    this.#request = request;
    this.#signal = signal;
  }

  /** Calls `then` once the body is closed (read to its end, failed, cancelled or discarded). */
  onClose(then: () => void): void {
    const body = this.#body as unknown as Readable;
    if (body.closed) then();
    else body.once("close", then);
  }

  header(name: string): string | null {
    const value = this.#raw[name];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  }

  headers(): Headers {
    const headers = new Headers();
    for (const [name, value] of Object.entries(this.#raw)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.append(name, value);
    }
    return headers;
  }

  async text(): Promise<string> {
    try {
      return await this.#body.text();
    } catch (error) {
      throw failureOf(this.#request, error, this.#signal);
    }
  }

  async bytes(): Promise<Uint8Array> {
    try {
      return await this.#body.bytes();
    } catch (error) {
      throw failureOf(this.#request, error, this.#signal);
    }
  }

  stream(): ReadableStream<Uint8Array> | null {
    const body = this.#body as unknown as Readable;
    const request = this.#request;
    const signal = this.#signal;
    // The Node stream in flowing mode ('data'), paused while the web stream's queue is full and resumed
    // when its reader pulls. Not its async iterator: that reads it paused (`read()`), which joins every
    // chunk it holds into a new buffer, a copy of each byte (`fromList`, 10% of the CPU of a 512 MB
    // download in a `--cpu-prof`, and the download at 91% of undici's piped into a file).
    let done = false;
    return new ReadableStream<Uint8Array>(
      {
        start(controller) {
          body.on("data", (chunk: Uint8Array) => {
            if (done) return;
            controller.enqueue(chunk);
            if ((controller.desiredSize ?? 0) <= 0) body.pause();
          });
          body.once("end", () => {
            if (done) return;
            done = true;
            controller.close();
          });
          body.once("error", (error) => {
            if (done) return;
            done = true;
            controller.error(failureOf(request, error, signal));
          });
        },
        pull() {
          body.resume();
        },
        cancel() {
          // The reader is gone: the connection too (its error, if any, has no one left to tell).
          done = true;
          body.on("error", () => {});
          body.destroy();
        },
      },
      // A few chunks read ahead (undici's are up to 64 KiB): the socket goes on while the reader writes.
      { highWaterMark: 8 },
    );
  }

  discard(): void {
    // Read off and dropped (up to undici's limit, 128 KiB), so the connection can serve the next request.
    this.#body.dump().catch(() => {});
  }
}
export const platformTransport = undiciTransport;
