import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
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
 * Debian's chromium, started by us (fresh profile, the flags above, a free DevTools port) and
 * driven over CDP with playwright-core; `close` kills it and removes the profile.
 */
export async function startChromium(): Promise<Chromium> {
  const executable = chromiumExecutable();
  const profile = await mkdtemp(join(tmpdir(), "dataloop-chromium-"));
  const child: ChildProcess = spawn(
    executable,
    [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, "--remote-debugging-port=0", "about:blank"],
    // Its own process group, so that close() stops the renderer and helper processes too.
    { stdio: ["ignore", "ignore", "pipe"], detached: true },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(
      () => reject(new Error(`Chromium did not start in 30 s:\n${seen.slice(-2000)}`)),
      30_000,
    );
    child.stderr?.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited with ${code}:\n${seen.slice(-2000)}`));
    });
  });
  child.stderr?.resume();
  const browser = await chromium.connectOverCDP(endpoint);
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
      if (child.exitCode === null && child.pid !== undefined) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          child.kill("SIGTERM");
        }
        await exited;
      }
      // A helper may still be flushing into the profile for a moment: retry on ENOTEMPTY.
      await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}
