/**
 * Wraps `fetch` so that each attempt (first send, auth replay, retry) is aborted after `ms` without
 * response headers. The caller's own signal still aborts. A fetch wrapper rather than a middleware:
 * attaching a signal in a middleware means building a second Request per call, which cost more here
 * than everything else the client adds.
 */
export function timeoutFetch(ms: number, baseFetch: typeof fetch = globalThis.fetch): typeof fetch {
  return (input, init) => {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException(`no answer within ${ms} ms`, "TimeoutError")),
      ms,
    );
    const outer = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const follow = () => controller.abort(outer?.reason);
    if (outer?.aborted) follow();
    else outer?.addEventListener("abort", follow, { once: true });
    return baseFetch(input, { ...init, signal: controller.signal }).finally(() => {
      clearTimeout(timer);
      outer?.removeEventListener("abort", follow);
    });
  };
}
