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
    const controller = new AbortController();
    const request = input instanceof Request ? input : undefined;
    const method = init?.method ?? request?.method ?? "GET";
    const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
    const timer =
      deadlines.headersMs === false
        ? undefined
        : setTimeout(
            () =>
              controller.abort(
                new DOMException(`no answer within ${deadlines.headersMs} ms`, "TimeoutError"),
              ),
            deadlines.headersMs,
          );
    const outer = init?.signal ?? request?.signal;
    const follow = () => controller.abort(outer?.reason);
    if (outer?.aborted) follow();
    else outer?.addEventListener("abort", follow, { once: true });
    let response: Response;
    try {
      response = await baseFetch(input, { ...init, signal: controller.signal });
    } finally {
      clearTimeout(timer);
    }
    if (!response.body) {
      outer?.removeEventListener("abort", follow);
      return response;
    }
    return withGuardedBody(response, deadlines.bodyIdleMs, { method, path }, () => {
      outer?.removeEventListener("abort", follow);
    });
  };
}

/** The same response, its body read through a guard: an idle deadline, and typed errors. */
function withGuardedBody(
  response: Response,
  idleMs: number | false,
  where: { method: string; path: string },
  done: () => void,
): Response {
  const source = (response.body as ReadableStream<Uint8Array>).getReader();
  let idle: ReturnType<typeof setTimeout> | undefined;
  const fail = (kind: "timeout" | "network", cause: unknown) =>
    new DataloopConnectionError({ kind, ...where, cause });
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const read = source.read();
      if (idleMs !== false) {
        idle = setTimeout(() => {
          const error = fail(
            "timeout",
            new DOMException(`the body stalled for ${idleMs} ms`, "TimeoutError"),
          );
          void source.cancel(error).catch(() => {});
          controller.error(error);
        }, idleMs);
      }
      try {
        const { done: finished, value } = await read;
        if (finished) {
          controller.close();
          done();
        } else controller.enqueue(value);
      } catch (error) {
        controller.error(error instanceof DataloopConnectionError ? error : fail("network", error));
        done();
      } finally {
        clearTimeout(idle);
      }
    },
    cancel(reason) {
      clearTimeout(idle);
      done();
      return source.cancel(reason);
    },
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
