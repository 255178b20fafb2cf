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
  webStreamOf,
} from "./transport.js";

const decoder = new TextDecoder();
const NO_DEADLINE: Deadline = { pushBack: () => {}, cancel: () => {} };

/**
 * The transport of browsers, Deno, Bun, and of a `fetch` given by the user: each attempt one `fetch`,
 * its deadlines on an `AbortController` whose abort reason names the option that fired.
 *
 * The headers deadline of a streamed body starts once the stream has been read to its end (fetch
 * says nothing of its sending otherwise); for a Blob or bytes it starts with the request, so on this
 * transport it counts the sending of such a body too (undici's, on Node, counts from the last byte).
 * A `fetch` of the user's own gets a `Request` (as openapi-fetch gives one); the platform's gets the
 * URL and init, which spares a copy of the request.
 */
export function fetchTransport(doFetch: typeof fetch = globalThis.fetch, own = false): Transport {
  return {
    async send(request) {
      const controller = new AbortController();
      const outer = request.signal;
      const follow = () => controller.abort(outer?.reason);
      if (outer?.aborted) follow();
      else outer?.addEventListener("abort", follow, { once: true });
      const release = () => outer?.removeEventListener("abort", follow);
      const { timeoutMs } = request;
      let headers = NO_DEADLINE;
      const startHeaders = () => {
        if (timeoutMs !== false)
          headers = startDeadline(timeoutMs, () => controller.abort(new DeadlineExceeded("timeoutMs")));
      };
      let body = request.body;
      // A streamed body as a web stream (an async iterable too: fetch in browsers takes no other), one
      // chunk read ahead while fetch sends the one before.
      if (isStreamed(body)) body = webStreamOf(body, { ended: startHeaders, readAheadChunks: 1 });
      else startHeaders();
      const init: RequestInit & { duplex?: "half" } = {
        method: request.method,
        headers: request.headers,
        signal: controller.signal,
        ...(body !== undefined ? { body: body as BodyInit } : {}),
        ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
      };
      let response: Response;
      try {
        response = await (own ? doFetch(new Request(request.url, init)) : doFetch(request.url, init));
      } catch (error) {
        release();
        throw failureOf(request, error, controller.signal);
      } finally {
        headers.cancel();
      }
      return new FetchAnswer(response, request, controller, release);
    },
  };
}

class FetchAnswer implements Answer {
  readonly status: number;
  constructor(
    private readonly response: Response,
    private readonly request: TransportRequest,
    private readonly controller: AbortController,
    private readonly release: () => void,
  ) {
    this.status = response.status;
    if (response.body === null) release();
  }

  header(name: string): string | null {
    return this.response.headers.get(name);
  }

  headers(): Headers {
    return this.response.headers;
  }

  /** The body's idle deadline: aborting the request errors the body with the reason. */
  private idle(): Deadline {
    const ms = this.request.bodyTimeoutMs;
    if (ms === false) return NO_DEADLINE;
    return startDeadline(ms, () => this.controller.abort(new DeadlineExceeded("bodyTimeoutMs")));
  }

  async bytes(): Promise<Uint8Array> {
    const body = this.response.body;
    if (body === null) return new Uint8Array(0);
    const reader = body.getReader();
    const idle = this.idle();
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        idle.pushBack();
        chunks.push(value);
        size += value.byteLength;
      }
    } catch (error) {
      throw failureOf(this.request, error, this.controller.signal);
    } finally {
      idle.cancel();
      this.release();
    }
    return joinChunks(chunks, size);
  }

  async text(): Promise<string> {
    return decoder.decode(await this.bytes());
  }

  stream(): ReadableStream<Uint8Array> | null {
    const body = this.response.body;
    if (body === null) return null;
    const reader = body.getReader();
    return new ReadableStream<Uint8Array>(
      {
        // The idle deadline runs while a read waits on the gateway, not while the reader works.
        pull: async (controller) => {
          const idle = this.idle();
          try {
            const { done, value } = await reader.read();
            if (done) {
              this.release();
              controller.close();
            } else controller.enqueue(value);
          } catch (error) {
            this.release();
            controller.error(failureOf(this.request, error, this.controller.signal));
          } finally {
            idle.cancel();
          }
        },
        cancel: (reason) => {
          this.release();
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
  }

  chunks(): AsyncIterable<Uint8Array> {
    return chunksOfStream(this.stream());
  }

  discard(): void {
    this.release();
    this.response.body?.cancel().catch(() => {});
  }
}

/** Where no native transport is chosen (browsers, Deno, Bun): the platform's `fetch`. */
export const platformTransport = (): Transport => fetchTransport();
