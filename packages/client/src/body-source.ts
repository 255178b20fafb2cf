import type { Middleware } from "openapi-fetch";

/**
 * Bodies handed to fetch as they were made, beside the Request that carries them.
 *
 * Why: openapi-fetch builds a Request and calls `fetch(request)`; undici's fetch then builds its own
 * Request from it, and a Request made from another Request with a body reads that body through an
 * identity TransformStream (the Fetch standard's "proxy" of the body, step 40 of the Request
 * constructor): every chunk of an upload passes a writable, a transform and a readable stream more,
 * and the first Request's signal is followed by a second. Given the URL, the request's method,
 * headers, redirect mode and signal, and the body itself, fetch sends the same request without the
 * copy. The items bench measures it side by side (`pnpm bench`: the client's uploads against raw
 * fetch sending the same bytes).
 *
 * Only the request that reaches fetch is marked, by a per-call middleware that runs after every
 * client-wide one (openapi-fetch runs a call's own middleware last), so a middleware that replaces the
 * request is seen; and only while its Content-Type is still the one made for this body (its boundary
 * is unique), so a middleware that swapped the body for another is obeyed. A client not made by
 * `createDataloopClient` never looks here and sends the Request's own body, the same bytes.
 */
const sources = new WeakMap<Request, Blob | ReadableStream<Uint8Array>>();

/** A per-call middleware: send `body` itself (not the Request's copy of it) when the request reaches fetch. */
export function sendAsMade(body: Blob | ReadableStream<Uint8Array>, contentType: string): Middleware {
  return {
    onRequest({ request }) {
      if (request.headers.get("content-type") === contentType) sources.set(request, body);
      return undefined;
    },
  };
}

/** The body made for `request` (`sendAsMade`), if it is still the one to send. */
export function sourceOf(request: Request): Blob | ReadableStream<Uint8Array> | undefined {
  const source = sources.get(request);
  return source !== undefined && !request.bodyUsed ? source : undefined;
}
