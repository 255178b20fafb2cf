/**
 * One kept copy of each request's body, shared by every middleware that may send the request again
 * (auth after a 401, retry after a transient failure): a retried POST is copied once, not once per
 * middleware. Held weakly by the request itself, so the copy goes when the request goes, whichever
 * path (success, a throw from another middleware's hook, an abort) the request took: no per-request
 * state that an exception can strand.
 */
const kept = new WeakMap<Request, Request>();
const unkept = new WeakSet<Request>();

/**
 * A request header that says "send this body once": a copy of a body is a second branch of its stream,
 * and a branch nobody reads holds every byte the other sends — a whole file, for an upload. The caller
 * that can rebuild the body (an upload from a path or a Blob) retries by itself instead. The header
 * never leaves the process: the first middleware that sees it takes it off.
 */
export const NO_REPLAY_HEADER = "x-dataloop-no-replay";

/** Keeps a copy of `request`'s body for replays, unless one is kept already, or it is to be sent once. */
export function keepForReplay(request: Request): void {
  if (request.body === null || kept.has(request) || unkept.has(request)) return;
  if (request.headers.has(NO_REPLAY_HEADER)) {
    request.headers.delete(NO_REPLAY_HEADER);
    unkept.add(request);
    return;
  }
  kept.set(request, request.clone());
}

/**
 * A request that sends `request` again: a fresh copy of its kept body each call (so it can be replayed
 * more than once), or `request` itself when it has no body. Undefined when it has a body that was not
 * kept: it cannot be sent again.
 */
export function replayOf(request: Request): Request | undefined {
  if (request.body === null) return request;
  return kept.get(request)?.clone();
}
