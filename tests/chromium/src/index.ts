import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";

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
  /** How long one start may take before it is killed and tried again. */
  timeoutMs?: number;
  /** How many starts before giving up. */
  attempts?: number;
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
  timeoutMs = 45_000,
  attempts = 2,
}: StartOptions = {}): Promise<Chromium> {
  const executablePath = chromiumExecutable();
  const failures: string[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const started = performance.now();
    try {
      return await launch(executablePath, timeoutMs);
    } catch (error) {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      failures.push(`attempt ${attempt} (${seconds} s): ${(error as Error).message}`);
    }
  }
  throw new Error(`Chromium (${executablePath}) did not start:\n${failures.join("\n\n")}`);
}

async function launch(executablePath: string, timeoutMs: number): Promise<Chromium> {
  const profile = await mkdtemp(join(tmpdir(), "dataloop-chromium-"));
  const removeProfile = () => rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  // Playwright kills a browser that missed its deadline before it throws; look just before that.
  let stalled = "";
  const look = setTimeout(
    () => {
      stalled = describeProcesses(profile);
    },
    Math.max(timeoutMs - 2_000, 0),
  );
  try {
    const browser = await chromium.launch({
      executablePath,
      // Playwright's own defaults would add some 30 flags; the tests run with the ones above only.
      ignoreDefaultArgs: true,
      args: [
        ...CHROMIUM_FLAGS,
        `--user-data-dir=${profile}`,
        "--remote-debugging-pipe",
        "--no-startup-window",
      ],
      timeout: timeoutMs,
    });
    return {
      browser,
      async close() {
        // Playwright's close ends the whole process group (renderers and helpers included).
        await browser.close().catch(() => {});
        await removeProfile();
      },
    };
  } catch (error) {
    await removeProfile();
    const message = (error as Error).message;
    throw new Error(
      stalled ? `${message}\nchromium processes just before the deadline:\n${stalled}` : message,
    );
  } finally {
    clearTimeout(look);
  }
}

const read = (path: string): string => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
};

/**
 * One line per chromium process whose command line names `profile`: its role, state and where in
 * the kernel each of its threads waits. Why: a browser that hangs on a CI box says nothing on
 * stderr; this is what tells a stuck zygote from a busy GPU process from a blocked read.
 */
export function describeProcesses(profile: string): string {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return "(no /proc to look at)";
  }
  const lines: string[] = [];
  for (const pid of pids) {
    const argv = read(`/proc/${pid}/cmdline`).split("\0");
    if (!argv.some((arg) => arg.includes(profile))) continue;
    const role = argv.find((arg) => arg.startsWith("--type="))?.slice(7) ?? "browser";
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
    lines.push(`  pid ${pid} ${role} state ${state} threads: ${threads}`);
  }
  return lines.length ? lines.join("\n") : "  (none running)";
}
