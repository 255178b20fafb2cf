import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { waitUntilGone, watchProgress } from "./progress.ts";

/** The flags a CI box needs: no sandbox (root in a container), no GPU, no background traffic. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Chromium {
  browser: Browser;
  close(): Promise<void>;
}

export interface StartOptions {
  /** The browser to start; `chromiumExecutable()` when not given. */
  executablePath?: string;
  /**
   * How long one start may go without progress (no CPU used, no I/O, no process started or ended by
   * the profile's chromium processes) before it is killed and tried again. See `watchProgress`.
   */
  stallMs?: number;
  /** How long one start may take, however busy it keeps, before it is killed: a cap for a start that spins. */
  timeoutMs?: number;
  /** How many starts before giving up. */
  attempts?: number;
  /** Where the fresh profile folder is made (and removed again); the OS's temp folder by default. */
  profilesIn?: string;
}

/** Debian's chromium (or `CHROMIUM_PATH`); throws, saying how to get it, when it is not there. */
export function chromiumExecutable(): string {
  const executable = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(executable))
    throw new Error(
      `No Chromium at ${executable}: install Debian's (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  return executable;
}

/**
 * Debian's chromium with exactly the flags above and a fresh profile, driven by playwright-core over
 * a DevTools pipe (no port to find, no stderr line to wait for). A start that hangs is killed and
 * tried again; when every attempt fails, the error carries what each chromium process was doing.
 */
export async function startChromium({
  executablePath = chromiumExecutable(),
  stallMs = 20_000,
  timeoutMs = 600_000,
  attempts = 2,
  profilesIn = tmpdir(),
}: StartOptions = {}): Promise<Chromium> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const started = performance.now();
    try {
      return await launch(executablePath, { stallMs, timeoutMs }, profilesIn);
    } catch (error) {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      failures.push(`attempt ${attempt} (${seconds} s): ${(error as Error).message}`);
    }
  }
  throw new Error(`Chromium (${executablePath}) did not start:\n${failures.join("\n\n")}`);
}

async function launch(
  executablePath: string,
  { stallMs, timeoutMs }: { stallMs: number; timeoutMs: number },
  profilesIn: string,
): Promise<Chromium> {
  const profile = await mkdtemp(join(profilesIn, "dataloop-chromium-"));
  const removeProfile = () => rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  // Our own deadline, not Playwright's: past its timeout, Playwright tries to close a browser that
  // answered the pipe but is not ready, and can wait on that close for good (seen here).
  const launching = chromium.launch({
    executablePath,
    // Playwright's own defaults would add some 30 flags; the tests run with the ones above only.
    ignoreDefaultArgs: true,
    args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, "--remote-debugging-pipe", "--no-startup-window"],
    timeout: 0,
  });
  const watch = watchProgress(() => chromiumProcesses(profile).map((p) => p.pid), { stallMs, timeoutMs });
  try {
    const browser = await Promise.race([launching, watch.stuck]);
    return {
      browser,
      async close() {
        // Playwright's close ends the whole process group (renderers and helpers included).
        await browser.close().catch(() => {});
        await removeProfile();
      },
    };
  } catch (error) {
    // Look at what the browser was doing, then kill it — its process group too, which holds the
    // crashpad handlers that do not name the profile — or the next attempt competes with it.
    const stuck = chromiumProcesses(profile);
    for (const { pid, role } of stuck) {
      try {
        process.kill(role === "browser" ? -pid : pid, "SIGKILL");
      } catch {}
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    // Once its browser is gone Playwright gives up too, with the browser's stderr in its message. It
    // learns of the death from the pipe's end and the child's exit, which follow the SIGKILL without
    // a wait of their own: we wait for that, not for a fixed time, and only as long as it takes the
    // kernel to reap what we killed (then a few turns of our loop for Playwright's handlers). A
    // browser that connected at the last moment is closed without waiting (its close can hang).
    let settled = false;
    const late = launching.then(
      (browser) => {
        void browser.close().catch(() => {});
        return "";
      },
      (e: Error) => e.message,
    );
    void late.then(() => {
      settled = true;
    });
    await waitUntilGone(
      stuck.map((p) => p.pid),
      () => settled,
    );
    const lateMessage = settled ? await late : "";
    await removeProfile();
    const lines = [(error as Error).message];
    if (lateMessage) lines.push(lateMessage);
    if (stuck.length) lines.push(`chromium processes at the deadline:\n${describeProcesses(stuck)}`);
    throw new Error(lines.join("\n"));
  } finally {
    watch.stop();
  }
}

const read = (path: string): string => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
};

export interface ChromiumProcess {
  pid: number;
  /** `browser`, or the child's `--type=` (renderer, gpu-process, zygote, utility...). */
  role: string;
  /** The kernel's one-letter state: R running, S sleeping, D uninterruptible wait, Z zombie... */
  state: string;
  /** Where in the kernel its threads wait, counted: "futex_wait_queue×12 do_epoll_wait×3". */
  threads: string;
}

/**
 * Every process whose command line names `profile`, with what it is doing. Why: a browser that hangs
 * on a CI box says nothing on stderr; this tells a stuck zygote from a busy GPU process from a
 * blocked read.
 */
export function chromiumProcesses(profile: string): ChromiumProcess[] {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const found: ChromiumProcess[] = [];
  for (const pid of pids) {
    // Chromium's children rewrite their command line into one space-separated string: match, don't split.
    const cmdline = read(`/proc/${pid}/cmdline`).replaceAll("\0", " ");
    if (!cmdline.includes(profile)) continue;
    const role = /--type=(\S+)/.exec(cmdline)?.[1] ?? "browser";
    // The state is the field after the parenthesised name, which may itself hold spaces.
    const stat = read(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] ?? "?";
    const waits = new Map<string, number>();
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {}
    for (const tid of tids) {
      const wchan = read(`/proc/${pid}/task/${tid}/wchan`) || "0";
      waits.set(wchan, (waits.get(wchan) ?? 0) + 1);
    }
    const threads = [...waits].map(([wchan, n]) => `${wchan}×${n}`).join(" ");
    found.push({ pid: Number(pid), role, state, threads });
  }
  return found;
}

/** `chromiumProcesses` as text, a line each, for an error message. */
export const describeProcesses = (processes: ChromiumProcess[]): string =>
  processes.length
    ? processes.map((p) => `  pid ${p.pid} ${p.role} state ${p.state} threads: ${p.threads}`).join("\n")
    : "  (none running)";
