/**
 * Time as a dependency: what reads "now" (token expiry, early renewal, backoff bookkeeping, deadlines)
 * takes a clock, so that a test advances time instead of sleeping. Timers themselves stay the platform's
 * (`setTimeout`), which vitest's fake timers drive in-process; a clock crosses where fake timers cannot
 * (a mock gateway and a client given the same clock in one test, over HTTP).
 * @example
 * ```ts
 * import { type Clock, systemClock } from "@dataloop-ts/core";
 *
 * function isExpired(expiresAt: number, clock: Clock = systemClock): boolean {
 *   return clock.now() >= expiresAt;
 * }
 * ```
 */
export interface Clock {
  /** ms since the epoch, as `Date.now()`. */
  now(): number;
}

/**
 * The real clock: `Date.now()`, read at each call (so vitest's fake timers move it too).
 * @example
 * ```ts
 * import { systemClock } from "@dataloop-ts/core";
 *
 * const startedAt = systemClock.now();
 * ```
 */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that moves only when told: for tests, and for anything that replays recorded time.
 * @example
 * ```ts
 * import { manualClock } from "@dataloop-ts/core";
 *
 * const clock = manualClock();
 * const expiresAt = clock.now() + 60_000;
 * clock.advance(61_000);
 * console.log(clock.now() > expiresAt); // true, without waiting a minute
 * ```
 */
export function manualClock(startMs = Date.UTC(2026, 0, 1)): Clock & {
  /** Moves time forward by `ms`. */
  advance(ms: number): void;
  /** Sets the time. */
  set(ms: number): void;
} {
  let now = startMs;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    set: (ms) => {
      now = ms;
    },
  };
}
