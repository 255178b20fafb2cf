/**
 * The retry policy of dataloop-ts (the client's call loop, the codegen's spec download): `attempts` in
 * all, the first included; exponential backoff with full jitter from `baseDelayMs`, each wait capped at
 * `maxDelayMs`; a server's `Retry-After` wins over the backoff (capped too).
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 3; 1 turns retries off). */
  attempts?: number;
  /** First backoff, ms (default 300); doubles each attempt, with full jitter. */
  baseDelayMs?: number;
  /** Cap of one wait, ms, Retry-After included (default 20 000). */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY = { attempts: 3, baseDelayMs: 300, maxDelayMs: 20_000 } as const;

/** `Retry-After` as seconds or an HTTP date → ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The wait before attempt `attempt + 1` (attempt counts from 1): full jitter, or what the server said. */
export function backoffMs(attempt: number, policy: RetryPolicy = {}, serverSaidMs?: number): number {
  const base = policy.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const cap = policy.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  return Math.min(cap, serverSaidMs ?? Math.random() * base * 2 ** (attempt - 1));
}

/** Waits `ms`; rejects with the signal's reason when it aborts first. */
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

/** What an attempt's outcome means to the loop: try again (after `retryAfterMs`, if the server said), or stop. */
export type RetryVerdict = { retry: false } | { retry: true; retryAfterMs?: number | undefined };

/**
 * Runs `attempt` until it succeeds, `judge` says its failure is final, or the attempts run out; the
 * last failure is thrown as it was. (The client's calls retry in its own loop, which classifies answers
 * rather than exceptions; this is for a function that throws, such as a download of the spec.)
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
