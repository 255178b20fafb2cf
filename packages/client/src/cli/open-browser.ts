import { spawn } from "node:child_process";

/**
 * Opens `url` in the user's browser: `$BROWSER` when set (`none` disables it, as in Python's
 * webbrowser and gh), else the platform's opener via the `open` package. Never throws: the caller
 * prints the URL anyway, for machines with no browser.
 */
export async function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const browser = env.BROWSER?.trim();
  if (browser === "none") return false;
  try {
    if (browser) {
      const [command = browser, ...args] = browser.split(/\s+/);
      const child = spawn(command, [...args, url], { detached: true, stdio: "ignore" });
      child.on("error", () => {});
      child.unref();
      return true;
    }
    const { default: open } = await import("open");
    const child = await open(url);
    child.on("error", () => {});
    return true;
  } catch {
    return false;
  }
}
