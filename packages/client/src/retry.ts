import {
  DEFAULT_RETRY,
  isTransientStatus,
  keepForReplay,
  type RetryPolicy,
  replayOf,
  retryAfterMs,
  withRetries,
} from "@dataloop-ts/core";
import type { Middleware } from "openapi-fetch";
import { connectionErrorOf } from "./errors.js";

export interface RetryOptions extends RetryPolicy {
  /** Retry non-idempotent methods too (POST, PATCH). Off by default: a retried POST may act twice. */
  retryNonIdempotent?: boolean;
  /** Statuses worth another try (default: 408, 429 and 5xx, as every retry of dataloop-ts). */
  statuses?: readonly number[];
}

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

/** An answer worth another attempt, thrown through the retry loop and caught back as the answer. */
class TransientAnswer {
  constructor(readonly response: Response) {}
}

/**
 * Retries network errors, 408, 429 and 5xx with exponential backoff and full jitter, honouring
 * `Retry-After`; idempotent methods only unless told otherwise. `attempts` is the budget of a request,
 * whatever mix of failures it meets (a reset, then 503s: still `attempts` in all). A body is sent again
 * from the copy kept for replays (`keepForReplay`, shared with the auth middleware). Register it after
 * the auth middleware so that a retry carries the same token.
 */
export function retryMiddleware(options: RetryOptions = {}): Middleware {
  const attempts = Math.max(1, options.attempts ?? DEFAULT_RETRY.attempts);
  const transient = options.statuses
    ? (status: number) => (options.statuses as readonly number[]).includes(status)
    : isTransientStatus;
  // Requests whose retries already ran: the outcome they end with passes the other hooks untouched
  // (a response that onError turned a network error into must not start a second budget).
  const spent = new WeakSet<Request>();
  const eligible = (request: Request) =>
    attempts > 1 && !spent.has(request) && (options.retryNonIdempotent || IDEMPOTENT.has(request.method));

  /**
   * Sends `request` again until it succeeds, stops being retryable, or the budget is spent: the one
   * retry loop of dataloop-ts (`withRetries`), the first attempt being the one already made.
   */
  const again = async (
    request: Request,
    doFetch: typeof fetch,
    first: { response?: Response; error?: unknown },
  ) => {
    spent.add(request);
    if (!replayOf(request)) {
      // A body that was not kept cannot be sent again: the first outcome stands.
      if (first.response) return first.response;
      throw first.error;
    }
    try {
      return await withRetries(
        async (attempt) => {
          if (attempt === 1) throw first.response ? new TransientAnswer(first.response) : first.error;
          const response = await doFetch(replayOf(request) as Request);
          if (transient(response.status)) throw new TransientAnswer(response);
          return response;
        },
        (error) => {
          if (!(error instanceof TransientAnswer)) return { retry: !request.signal.aborted };
          const told = retryAfterMs(error.response.headers.get("retry-after"));
          void error.response.body?.cancel(); // not the last: its body will not be read
          return { retry: true, retryAfterMs: told };
        },
        { ...options, attempts, signal: request.signal },
      );
    } catch (error) {
      if (error instanceof TransientAnswer) return error.response; // the budget is spent: the last answer stands
      throw error;
    }
  };

  return {
    onRequest({ request }) {
      if (eligible(request)) keepForReplay(request);
      return undefined;
    },
    onResponse({ request, response, options: fetchOptions }) {
      if (!transient(response.status) || !eligible(request)) return undefined;
      // A network failure on a later attempt is thrown from here, where no onError hook sees it: typed here.
      return again(request, fetchOptions.fetch, { response }).catch((error: unknown) => {
        throw connectionErrorOf(request, error);
      });
    },
    async onError({ request, error, options: fetchOptions }) {
      if (request.signal.aborted || !eligible(request) || !replayOf(request)) return undefined;
      return again(request, fetchOptions.fetch, { error }).catch((e: unknown) => e as Error);
    },
  };
}
