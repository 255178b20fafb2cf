import { sourceOf } from "./body-source.js";
import { startDeadline } from "./deadlines.js";
import { DataloopConnectionError } from "./errors.js";

export interface Deadlines {
  /** Until the response's headers arrive, ms (`false`: none). */
  headersMs: number | false;
  /** Longest silence while the body streams in, ms (`false`: none). */
  bodyIdleMs: number | false;
}

/**
 * Wraps `fetch` so that each attempt (first send, auth replay, retry) is aborted after `headersMs`
 * without response headers, and its body after `bodyIdleMs` without a byte; a body that breaks off
 * (a reset mid-body) or stalls fails as a `DataloopConnectionError`, never as undici's raw `TypeError`,
 * whichever reader meets it (openapi-fetch's parser, or your own). The caller's own signal still
 * aborts. A fetch wrapper rather than a middleware: attaching a signal in a middleware means building a
 * second Request per call.
 */
export function deadlineFetch(
  deadlines: Deadlines,
  baseFetch: typeof fetch = globalThis.fetch,
): typeof fetch {
  return async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const method = init?.method ?? request?.method ?? "GET";
    // What a body's error names: its URL is read only then (serializing it on every call costs).
    const target = input;
    // An upload's body as it was made, handed to fetch itself rather than read through the Request
    // (which fetch would copy: its body piped through a stream, its signal followed again). The
    // platform's fetch gets the request's parts; a fetch of your own still gets the Request (as
    // openapi-fetch promises), the body beside it in `init` — one that ignores `init` sends the
    // Request's own body, the same bytes.
    const source = request && sourceOf(request);
    if (request && source !== undefined) {
      const parts = { body: source, duplex: "half" } as RequestInit;
      if (baseFetch === globalThis.fetch) {
        input = request.url;
        init = {
          ...parts,
          method: request.method,
          headers: request.headers,
          redirect: request.redirect,
          signal: request.signal,
        };
      } else init = { ...init, ...parts };
    }
    // An upload (a body sent as made) has no headers deadline: it would count the sending of the body.
    const headersMs = source !== undefined ? false : deadlines.headersMs;
    if (headersMs === false) {
      // No headers deadline: the request as it is — a signal of ours would mean a second Request and,
      // for a body, a second stream piped through. The caller's own signal is already on it.
      const response = await baseFetch(input, init);
      if (response.body !== null)
        guard(response, { idleMs: deadlines.bodyIdleMs, method, target, done: () => {} });
      return response;
    }
    const controller = new AbortController();
    const timer = startDeadline(headersMs, () =>
      controller.abort(new DOMException(`no answer within ${headersMs} ms`, "TimeoutError")),
    );
    const outer = init?.signal ?? request?.signal;
    const follow = () => controller.abort(outer?.reason);
    if (outer?.aborted) follow();
    else outer?.addEventListener("abort", follow, { once: true });
    let response: Response;
    try {
      response = await baseFetch(input, { ...init, signal: controller.signal });
    } finally {
      timer.cancel();
    }
    if (response.body === null) {
      outer?.removeEventListener("abort", follow);
      return response;
    }
    guard(response, {
      idleMs: deadlines.bodyIdleMs,
      method,
      target,
      done: () => outer?.removeEventListener("abort", follow),
    });
    return response;
  };
}

const bodyOf = Object.getOwnPropertyDescriptor(Response.prototype, "body")?.get as (
  this: Response,
) => ReadableStream<Uint8Array> | null;
const decoder = new TextDecoder();

interface Guard {
  idleMs: number | false;
  method: string;
  /** The request as fetch was given it (its URL is read for an error). */
  target: Request | string | URL;
  /** Called once the body has been read, failed or been cancelled. */
  done(): void;
}
const GUARD = Symbol("dataloop body guard");
type Guarded = Response & { [GUARD]: Guard };

/**
 * Guards the body of `response` in place: its readers (`json`, `text`, `arrayBuffer`, `bytes`, `blob`,
 * and `body` itself) read through an idle deadline and fail with a `DataloopConnectionError`. In place
 * — the same functions assigned to every response, the guarded stream made only when `body` is asked
 * for — because a new Response and stream for every call cost more than all of the client's middleware
 * together (measured by the client bench, side by side).
 */
function guard(response: Response, state: Guard): void {
  const r = response as unknown as Record<string | symbol, unknown>;
  r[GUARD] = state;
  r.json = guardedJson;
  r.text = guardedText;
  r.arrayBuffer = guardedArrayBuffer;
  r.bytes = readAll;
  r.blob = guardedBlob;
  Object.defineProperty(response, "body", { get: guardedBody });
}

const fail = (g: Guard, kind: "timeout" | "network", cause: unknown) =>
  cause instanceof DataloopConnectionError
    ? cause
    : new DataloopConnectionError({
        kind,
        method: g.method,
        path: new URL(g.target instanceof Request ? g.target.url : String(g.target)).pathname,
        cause,
      });

/**
 * An idle deadline over a reader: one deadline for the whole body, pushed back on every chunk; when it
 * fires the reader is cancelled and the read in flight ends, which `check` then turns into the timeout
 * error.
 */
function idleDeadline(g: Guard, reader: ReadableStreamDefaultReader<Uint8Array>) {
  let stalled: DataloopConnectionError | undefined;
  if (g.idleMs === false) return { check: () => {}, pushBack: () => {}, stop: () => {} };
  const ms = g.idleMs;
  const fire = () => {
    stalled = fail(g, "timeout", new DOMException(`the body stalled for ${ms} ms`, "TimeoutError"));
    void reader.cancel(stalled).catch(() => {});
  };
  const idle = startDeadline(ms, fire);
  return {
    check: () => {
      if (stalled) throw stalled;
    },
    pushBack: idle.pushBack,
    stop: idle.cancel,
  };
}

/** The next chunk, or the end, under the idle deadline; a broken or stalled body as a typed error. */
async function nextChunk(
  g: Guard,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  deadline: ReturnType<typeof idleDeadline>,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  let result: ReadableStreamReadResult<Uint8Array>;
  try {
    result = await reader.read();
  } catch (error) {
    deadline.check();
    throw fail(g, "network", error);
  }
  deadline.check();
  if (!result.done) deadline.pushBack();
  return result;
}

async function readAll(this: Guarded): Promise<Uint8Array> {
  const g = this[GUARD];
  const reader = (bodyOf.call(this) as ReadableStream<Uint8Array>).getReader();
  const deadline = idleDeadline(g, reader);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const result = await nextChunk(g, reader, deadline);
      if (result.done) break;
      chunks.push(result.value);
      size += result.value.byteLength;
    }
  } finally {
    deadline.stop();
    g.done();
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return all;
}
async function guardedText(this: Guarded) {
  return decoder.decode(await readAll.call(this));
}
async function guardedJson(this: Guarded) {
  return JSON.parse(await guardedText.call(this));
}
async function guardedArrayBuffer(this: Guarded): Promise<ArrayBuffer> {
  const b = await readAll.call(this);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
async function guardedBlob(this: Guarded) {
  const b = (await readAll.call(this)) as Uint8Array<ArrayBuffer>;
  return new Blob([b], { type: this.headers.get("content-type") ?? "" });
}

const streams = new WeakMap<Response, ReadableStream<Uint8Array>>();
function guardedBody(this: Guarded): ReadableStream<Uint8Array> {
  let stream = streams.get(this);
  if (!stream) {
    const g = this[GUARD];
    const source = bodyOf.call(this) as ReadableStream<Uint8Array>;
    if (source.locked) return source; // already being read (by json(), text()…): as the platform would
    const reader = source.getReader();
    const deadline = idleDeadline(g, reader);
    const end = () => {
      deadline.stop();
      g.done();
    };
    stream = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const result = await nextChunk(g, reader, deadline);
            if (result.done) {
              controller.close();
              end();
            } else controller.enqueue(result.value);
          } catch (error) {
            controller.error(error);
            end();
          }
        },
        cancel(reason) {
          end();
          return reader.cancel(reason);
        },
      },
      // A few chunks read ahead (at most 8), so that the next read overlaps the consumer's work.
      { highWaterMark: 8 },
    );
    streams.set(this, stream);
  }
  return stream;
}
