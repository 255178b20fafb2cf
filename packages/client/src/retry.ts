import type { Middleware } from "openapi-fetch";

export interface RetryOptions {
  /** Attempts in all, the first included (default 3; 1 turns retries off). */
  attempts?: number;
  /** First backoff, ms (default 300); doubles each attempt, with full jitter. */
  baseDelayMs?: number;
  /** Cap of one wait, ms, Retry-After included (default 20 000). */
  maxDelayMs?: number;
  /** Retry non-idempotent methods too (POST, PATCH). Off by default: a retried POST may act twice. */
  retryNonIdempotent?: boolean;
  /** Statuses worth another try (default 408, 429, 500, 502, 503, 504). */
  statuses?: readonly number[];
}

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);
const DEFAULT_STATUSES = [408, 429, 500, 502, 503, 504];

/** `Retry-After` as seconds or an HTTP date → ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", abort, { once: true });
  });

/**
 * Retries network errors, 429 and 5xx with exponential backoff and full jitter, honouring
 * `Retry-After`; idempotent methods only unless told otherwise; a bounded number of attempts.
 * Register it after the auth middleware so that a retry carries the same token.
 */
export function retryMiddleware(options: RetryOptions = {}): Middleware {
  const attempts = Math.max(1, options.attempts ?? 3);
  const base = options.baseDelayMs ?? 300;
  const cap = options.maxDelayMs ?? 20_000;
  const statuses = new Set(options.statuses ?? DEFAULT_STATUSES);
  const copies = new Map<string, Request>();
  const eligible = (request: Request) =>
    attempts > 1 && (options.retryNonIdempotent || IDEMPOTENT.has(request.method));
  const delay = (attempt: number, response?: Response) => {
    const told = retryAfterMs(response?.headers.get("retry-after") ?? null);
    return Math.min(cap, told ?? Math.random() * base * 2 ** (attempt - 1));
  };

  /** Sends `copy` again until it succeeds, stops being retryable, or attempts run out. */
  const again = async (
    copy: Request,
    doFetch: typeof fetch,
    last: { response?: Response; error?: unknown },
  ) => {
    for (let attempt = 2; attempt <= attempts; attempt++) {
      await last.response?.body?.cancel();
      await sleep(delay(attempt - 1, last.response), copy.signal);
      try {
        const response = await doFetch(attempt < attempts ? copy.clone() : copy);
        if (!statuses.has(response.status) || attempt === attempts) return response;
        last = { response };
      } catch (error) {
        if (copy.signal.aborted || attempt === attempts) throw error;
        last = { error };
      }
    }
    throw last.error;
  };

  return {
    // A request without a body can be sent again as is; only one with a body needs a copy kept.
    onRequest({ request, id }) {
      if (request.body !== null && eligible(request)) copies.set(id, request.clone());
      return undefined;
    },
    onResponse({ request, response, options: fetchOptions, id }) {
      const copy = copies.size !== 0 ? copies.get(id) : undefined;
      if (copy) copies.delete(id);
      if (!statuses.has(response.status) || !eligible(request)) return undefined;
      return again(copy ?? request, fetchOptions.fetch, { response });
    },
    async onError({ request, error, options: fetchOptions, id }) {
      const copy = copies.get(id) ?? (request.body === null ? request : undefined);
      copies.delete(id);
      if (!copy || copy.signal.aborted || !eligible(request)) return undefined;
      return again(copy, fetchOptions.fetch, { error }).catch((e: unknown) => e as Error);
    },
  };
}
