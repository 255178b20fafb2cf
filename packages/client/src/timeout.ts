import type { Middleware } from "openapi-fetch";

/** Aborts a call (retries included) after `ms`; the caller's own `signal` still works. */
export function timeoutMiddleware(ms: number): Middleware {
  return {
    onRequest({ request }) {
      const deadline = AbortSignal.timeout(ms);
      return new Request(request, { signal: AbortSignal.any([request.signal, deadline]) });
    },
  };
}
