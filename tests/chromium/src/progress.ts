import { readFileSync } from "node:fs";

const read = (path: string): string => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
};

/** What grows while processes work: their CPU time (clock ticks), the bytes they read and wrote, who they are. */
interface Sample {
  pids: string;
  cpuTicks: number;
  ioBytes: number;
}

function sample(pids: number[]): Sample {
  let cpuTicks = 0;
  let ioBytes = 0;
  for (const pid of pids) {
    // utime and stime are fields 14 and 15; count from the parenthesised name, which may hold spaces.
    const stat = read(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    cpuTicks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    // rchar/wchar count every read and write, the DevTools pipe's included (empty when not ours to read).
    for (const m of read(`/proc/${pid}/io`).matchAll(/^[rw]char: (\d+)$/gm)) ioBytes += Number(m[1]);
  }
  return { pids: [...pids].sort((a, b) => a - b).join(","), cpuTicks, ioBytes };
}

/**
 * A CPU time gain below this many ticks (10 ms each on Linux) is not progress: an idle process that
 * wakes for a timer now and then accrues a tick in minutes, a starting chromium in tens of ms.
 */
const MIN_CPU_TICKS = 2;

export interface ProgressWatch {
  /** Rejects when the processes make no progress for `stallMs`, or take longer than `timeoutMs` in all. */
  stuck: Promise<never>;
  stop(): void;
}

/**
 * Watches the processes `pids()` lists while something waits on them, and rejects `stuck` when they
 * stop progressing: no CPU used, no byte read or written, no process started or ended for `stallMs`.
 *
 * Why not a fixed deadline: how long a start takes depends on the machine's load, not on whether it
 * works. Measured here (2 cores, other engineers' builds running, load average 10–12; chromium's
 * processes' CPU ticks sampled every 250 ms): a start took 1.0 s with nothing added, 2.2 s beside 2
 * `yes` hogs and 2.9 s beside 8, and its processes gained CPU time in every sample but for gaps of at
 * most 254, 311 and 994 ms. A hung start (a deadlock, a read that never returns) gains none. So a
 * stall of `stallMs` (20 s by default, 20 times the longest gap seen) says hung, whatever the load,
 * where a wall-time budget would kill a slow start or wait long on a hung one. The decision is taken
 * on a fresh sample, so that a watcher starved of CPU itself does not mistake its own delay
 * for a stall. `timeoutMs` caps a start that keeps busy without ever answering (a spin).
 */
export function watchProgress(
  pids: () => number[],
  { stallMs, timeoutMs, sampleEveryMs = 250 }: { stallMs: number; timeoutMs: number; sampleEveryMs?: number },
): ProgressWatch {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    const startedAt = performance.now();
    let mark = sample(pids());
    let markAt = startedAt;
    timer = setInterval(() => {
      const now = performance.now();
      const next = sample(pids());
      if (
        next.pids !== mark.pids ||
        next.ioBytes !== mark.ioBytes ||
        next.cpuTicks >= mark.cpuTicks + MIN_CPU_TICKS
      ) {
        mark = next;
        markAt = now;
      } else if (now - markAt >= stallMs) {
        reject(
          new Error(
            `no answer on the DevTools pipe, and no progress for ${stallMs} ms (no CPU used, no I/O, no process started or ended)`,
          ),
        );
      }
      if (now - startedAt >= timeoutMs)
        reject(new Error(`no answer on the DevTools pipe in ${timeoutMs} ms, though still busy`));
    }, sampleEveryMs);
  });
  stuck.catch(() => {}); // observed by whoever races it; never an unhandled rejection
  return { stuck, stop: () => clearInterval(timer) };
}

/**
 * Resolves once every process in `pids` is gone (or a zombie: killed, not yet reaped) and then
 * `turns` more polls have passed, or as soon as `done()` holds. After a SIGKILL the kernel ends the
 * processes without a wait of its own; the turns leave the waiter's event loop room to hear of it.
 */
export async function waitUntilGone(pids: number[], done: () => boolean, turns = 20): Promise<void> {
  const alive = (pid: number) => {
    const stat = read(`/proc/${pid}/stat`);
    return stat !== "" && stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  };
  let left = turns;
  while (!done() && left > 0) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (!pids.some(alive)) left--;
  }
}
