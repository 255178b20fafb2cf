import { spawn } from "node:child_process";

/**
 * Opens `url` in the user's browser: `$BROWSER` when set (`none` disables it, as in Python's
 * webbrowser and gh), else the platform's opener via the `open` package (on Linux only with a
 * display). Never throws; false when nothing was opened, and the caller prints the URL either way.
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
    // An SSH session or a container has no display: say so (the URL is printed) rather than try.
    if (process.platform === "linux" && !env.DISPLAY && !env.WAYLAND_DISPLAY) return false;
    const { default: open } = await import("open");
    const child = await open(url);
    child.on("error", () => {});
    return true;
  } catch {
    return false;
  }
}
