/**
 * Every deadline of the client (each attempt's wait for headers, each body's idle time) on one timer.
 *
 * Why: a `setTimeout` made and cleared per request costs more than the rest of the client's middleware
 * together when requests run one after another — Node keeps a timer list per duration, and the only
 * timer of its duration creates and drops that list each time (the client bench, side by side: a
 * fetch wrapper with a timer per call 1.05× openapi-fetch, without one 1.00×). Here a deadline is an
 * entry in a set; one timer is armed for the earliest, re-armed only when it fires or when an earlier
 * deadline comes; pushing a deadline back (a body's next chunk) is an assignment.
 */
export interface Deadline {
  /** Moves the deadline to `ms` from now (the body's next chunk arrived). */
  pushBack(): void;
  /** The work finished in time: the deadline will not fire. */
  cancel(): void;
}

interface Entry {
  at: number;
  fire: () => void;
}

const pending = new Set<Entry>();
let timer: ReturnType<typeof setTimeout> | undefined;
let armedFor = Number.POSITIVE_INFINITY;

function arm(at: number): void {
  if (timer !== undefined) clearTimeout(timer);
  armedFor = at;
  timer = setTimeout(tick, Math.max(0, at - performance.now()));
  // Not what keeps a process alive: a request in flight holds its socket open already.
  (timer as { unref?: () => void }).unref?.();
}

function tick(): void {
  timer = undefined;
  armedFor = Number.POSITIVE_INFINITY;
  const now = performance.now();
  let next = Number.POSITIVE_INFINITY;
  const due: Entry[] = [];
  for (const entry of pending) {
    if (entry.at <= now) due.push(entry);
    else if (entry.at < next) next = entry.at;
  }
  for (const entry of due) pending.delete(entry);
  if (next !== Number.POSITIVE_INFINITY) arm(next);
  for (const entry of due) entry.fire();
}

/** Calls `fire` once `ms` pass without `cancel` (or since the last `pushBack`). */
export function startDeadline(ms: number, fire: () => void): Deadline {
  const entry: Entry = { at: performance.now() + ms, fire };
  pending.add(entry);
  if (entry.at < armedFor) arm(entry.at);
  return {
    pushBack: () => {
      entry.at = performance.now() + ms;
    },
    cancel: () => {
      pending.delete(entry);
    },
  };
}
