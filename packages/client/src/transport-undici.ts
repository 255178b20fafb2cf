import type { Readable } from "node:stream";
import { Agent, type Dispatcher } from "undici";
import { type Answer, failureOf, type Transport, type TransportRequest, type WireBody } from "./transport.js";

/**
 * The transport on Node: undici's dispatcher API (`request()`), the Node project's own HTTP client,
 * without the Fetch standard's layers (a `Request`, a `Response` and web streams per call) that
 * `fetch` adds on top of the same dispatcher — half the time per request on loopback (the client
 * bench). Its deadlines are undici's own: `headersTimeout` (its timer refreshed while the body is
 * written, so it counts from the last byte sent: an upload is not cut off for the time its sending
 * takes) and `bodyTimeout` (the longest silence between two chunks of the answer).
 *
 * One keep-alive `Agent` for the process, as undici's global dispatcher is.
 */
let shared: Agent | undefined;
const dispatcher = () => {
  shared ??= new Agent({ keepAliveTimeout: 10_000 });
  return shared;
};

/** Bodies up to this size are sent from memory in one write; larger ones as a stream (written in chunks). */
const IN_ONE_WRITE = 1 << 20;

function wire(
  body: WireBody | undefined,
): Dispatcher.DispatchOptions["body"] | Promise<Dispatcher.DispatchOptions["body"]> {
  if (body === undefined || typeof body === "string" || body instanceof Uint8Array) return body;
  if (body instanceof Blob)
    return body.size <= IN_ONE_WRITE
      ? body.arrayBuffer().then((b) => new Uint8Array(b))
      : (body.stream() as never);
  return body as never; // a web stream is an async iterable of chunks: undici writes it as it is read
}

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
    if (location === null || hop === MAX_REDIRECTS || current.body instanceof ReadableStream) return answer;
    answer.discard();
    const url = new URL(location, current.url).href;
    const toGet = answer.status === 303 || (answer.status <= 302 && current.method === "POST");
    const headers = { ...current.headers };
    if (split(url).origin !== split(current.url).origin) delete headers.authorization;
    if (toGet) {
      delete headers["content-type"];
      delete headers["content-length"];
    }
    current = { ...current, url, headers, ...(toGet ? { method: "GET", body: undefined } : {}) };
    answer = await sendOnce(current);
  }
}

async function sendOnce(request: TransportRequest): Promise<Answer> {
  const { origin, path } = split(request.url);
  const headers =
    request.body instanceof Blob && !("content-length" in request.headers)
      ? { ...request.headers, "content-length": String(request.body.size) }
      : request.headers;
  try {
    const body = wire(request.body);
    const answer = await dispatcher().request({
      origin,
      path,
      method: request.method as Dispatcher.HttpMethod,
      headers,
      body: body instanceof Promise ? await body : body,
      signal: request.signal,
      // 0: none, in undici's terms.
      headersTimeout: request.timeoutMs === false ? 0 : request.timeoutMs,
      bodyTimeout: request.bodyTimeoutMs === false ? 0 : request.bodyTimeoutMs,
    });
    return new UndiciAnswer(answer, request);
  } catch (error) {
    throw failureOf(request, error, request.signal);
  }
}

type Body = Dispatcher.ResponseData["body"];

class UndiciAnswer implements Answer {
  readonly status: number;
  readonly #raw: Dispatcher.ResponseData["headers"];
  readonly #body: Body;
  readonly #request: TransportRequest;

  constructor(answer: Dispatcher.ResponseData, request: TransportRequest) {
    this.status = answer.statusCode;
    this.#raw = answer.headers;
    this.#body = answer.body;
    this.#request = request;
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
      throw failureOf(this.#request, error, this.#request.signal);
    }
  }

  async bytes(): Promise<Uint8Array> {
    try {
      return await this.#body.bytes();
    } catch (error) {
      throw failureOf(this.#request, error, this.#request.signal);
    }
  }

  stream(): ReadableStream<Uint8Array> | null {
    const body = this.#body as unknown as Readable;
    const chunks = body[Symbol.asyncIterator]();
    const request = this.#request;
    // Pulled chunk by chunk from the Node stream (its own buffer reads ahead); a failure is typed.
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const { done, value } = await chunks.next();
            if (done) controller.close();
            else controller.enqueue(value as Uint8Array);
          } catch (error) {
            controller.error(failureOf(request, error, request.signal));
          }
        },
        cancel() {
          // The reader is gone: the connection too (its error, if any, has no one left to tell).
          body.on("error", () => {});
          body.destroy();
        },
      },
      { highWaterMark: 0 },
    );
  }

  discard(): void {
    // Read off and dropped (up to undici's limit, 128 KiB), so the connection can serve the next request.
    this.#body.dump().catch(() => {});
  }
}
export const platformTransport = undiciTransport;
