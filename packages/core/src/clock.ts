/**
 * Time as a dependency: what reads "now" (token expiry, early renewal, backoff bookkeeping, deadlines)
 * takes a clock, so that a test advances time instead of sleeping. Timers themselves stay the platform's
 * (`setTimeout`), which vitest's fake timers drive in-process; a clock crosses where fake timers cannot
 * (a mock gateway and a client given the same clock in one test, over HTTP).
 */
export interface Clock {
  /** ms since the epoch, as `Date.now()`. */
  now(): number;
}

/** The real clock: `Date.now()`, read at each call (so vitest's fake timers move it too). */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told: for tests, and for anything that replays recorded time. */
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
