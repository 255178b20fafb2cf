/**
 * The retry policy of dataloop-ts (the client's call loop, the codegen's spec download): `attempts` in
 * all, the first included; exponential backoff with full jitter from `baseDelayMs`, each wait capped at
 * `maxDelayMs`; a server's `Retry-After` wins over the backoff (capped too). Unset fields take
 * {@link DEFAULT_RETRY}'s values (but the spec download's `baseDelayMs`, 500 ms).
 * @example
 * ```ts
 * import { loadSpec } from "@dataloop-ts/codegen";
 * import type { RetryPolicy } from "@dataloop-ts/core";
 *
 * // A flaky network: five attempts, the first wait under a second, doubling, none over ten seconds.
 * const retry: RetryPolicy = { attempts: 5, baseDelayMs: 1_000, maxDelayMs: 10_000 };
 * const spec = await loadSpec("https://gate.dataloop.ai/api/v1/swagger-file", retry);
 * ```
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 3; 1 turns retries off). */
  attempts?: number;
  /** First backoff, ms (default 300); doubles each attempt, with full jitter. */
  baseDelayMs?: number;
  /** Cap of one wait, ms, Retry-After included (default 20 000). */
  maxDelayMs?: number;
}

/**
 * The defaults of a {@link RetryPolicy}: 3 attempts in all, a first backoff of up to 300 ms, no wait
 * over 20 s.
 * @example
 * ```ts
 * import { DEFAULT_RETRY, type RetryPolicy } from "@dataloop-ts/core";
 *
 * // Twice the default attempts; the waits as they are.
 * const patient: RetryPolicy = { ...DEFAULT_RETRY, attempts: 2 * DEFAULT_RETRY.attempts };
 * ```
 */
export const DEFAULT_RETRY = { attempts: 3, baseDelayMs: 300, maxDelayMs: 20_000 } as const;

/**
 * `Retry-After` as seconds or an HTTP date → ms (never negative); undefined when absent or unreadable.
 * `now` (ms since the epoch) is what an HTTP date is counted from.
 * @example
 * ```ts
 * import { retryAfterMs } from "@dataloop-ts/core";
 *
 * const response = await fetch("https://gate.dataloop.ai/api/v1/projects");
 * const waitMs = retryAfterMs(response.headers.get("retry-after")); // "120" → 120000; no header → undefined
 * retryAfterMs("Wed, 21 Oct 2026 07:28:30 GMT", Date.parse("Wed, 21 Oct 2026 07:28:00 GMT")); // 30000
 * ```
 */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1), ms: full jitter (a random wait below
 * `baseDelayMs · 2^(attempt-1)`), or what the server said; either capped at `maxDelayMs`.
 * @example
 * ```ts
 * import { backoffMs, isTransientStatus, retryAfterMs, sleep } from "@dataloop-ts/core";
 *
 * const url = "https://gate.dataloop.ai/api/v1/projects";
 * const policy = { attempts: 4, baseDelayMs: 500 };
 * let response = await fetch(url);
 * for (let attempt = 1; attempt < policy.attempts && isTransientStatus(response.status); attempt++) {
 *   await response.body?.cancel();
 *   await sleep(backoffMs(attempt, policy, retryAfterMs(response.headers.get("retry-after"))));
 *   response = await fetch(url);
 * }
 * ```
 */
export function backoffMs(attempt: number, policy: RetryPolicy = {}, serverSaidMs?: number): number {
  const base = policy.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const cap = policy.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  return Math.min(cap, serverSaidMs ?? Math.random() * base * 2 ** (attempt - 1));
}

/**
 * Waits `ms`; rejects with the signal's reason when it aborts first. A platform timer, so that vitest's
 * fake timers drive it in tests.
 * @example
 * ```ts
 * import { sleep } from "@dataloop-ts/core";
 *
 * const stop = new AbortController();
 * process.once("SIGINT", () => stop.abort());
 * await sleep(5_000, stop.signal); // rejects with an AbortError at Ctrl-C
 * ```
 */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", abort, { once: true });
  });

/**
 * What an attempt's outcome means to the loop: try again (after `retryAfterMs`, if the server said), or stop.
 * @example
 * ```ts
 * import { isTransientStatus, type RetryVerdict } from "@dataloop-ts/core";
 *
 * class HttpError extends Error {
 *   constructor(readonly status: number) {
 *     super(`HTTP ${status}`);
 *   }
 * }
 *
 * // A network error or a 408/429/5xx is worth another attempt; any other status is final.
 * const judge = (error: unknown): RetryVerdict =>
 *   error instanceof HttpError ? { retry: isTransientStatus(error.status) } : { retry: true };
 * ```
 */
export type RetryVerdict = { retry: false } | { retry: true; retryAfterMs?: number | undefined };

/**
 * Runs `attempt` until it succeeds, `judge` says its failure is final, or the attempts run out; the
 * last failure is thrown as it was. (The client's calls retry in its own loop, which classifies answers
 * rather than exceptions; this is for a function that throws, such as a download of the spec.) Once
 * `signal` aborts, no further attempt is made: a wait ends, rejecting with the signal's reason, and a
 * failure is thrown as it was.
 * @example
 * ```ts
 * import { isTransientStatus, retryAfterMs, withRetries } from "@dataloop-ts/core";
 *
 * class HttpError extends Error {
 *   constructor(readonly response: Response) {
 *     super(`HTTP ${response.status}`);
 *   }
 * }
 *
 * const report = await withRetries(
 *   async () => {
 *     const response = await fetch("https://example.com/reports/latest.json");
 *     if (!response.ok) throw new HttpError(response);
 *     return (await response.json()) as unknown;
 *   },
 *   // Network errors and 408/429/5xx are tried again (after the server's Retry-After); the rest is final.
 *   (error) =>
 *     error instanceof HttpError
 *       ? {
 *           retry: isTransientStatus(error.response.status),
 *           retryAfterMs: retryAfterMs(error.response.headers.get("retry-after")),
 *         }
 *       : { retry: true },
 *   { attempts: 5, signal: AbortSignal.timeout(120_000) },
 * );
 * ```
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  judge: (error: unknown) => RetryVerdict,
  policy: RetryPolicy & { signal?: AbortSignal } = {},
): Promise<T> {
  const attempts = Math.max(1, policy.attempts ?? DEFAULT_RETRY.attempts);
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const verdict = n < attempts && !policy.signal?.aborted ? judge(error) : { retry: false as const };
      if (!verdict.retry) throw error;
      await sleep(backoffMs(n, policy, verdict.retryAfterMs), policy.signal);
    }
  }
}
