import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumProcesses, startChromium } from "../src/index.ts";

const running = async (pid: string) => {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return stat !== "" && stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
};
const profiles = async () =>
  (await readdir(tmpdir())).filter((name) => name.startsWith("dataloop-chromium-"));

describe("startChromium", () => {
  it("starts Debian's chromium, renders a page, and close leaves no process and no profile behind", async () => {
    const before = await profiles();
    const chromium = await startChromium();
    const page = await chromium.browser.newPage();
    await page.goto("data:text/html,<h1>hello</h1>");
    expect(await page.textContent("h1")).toBe("hello");
    const [profile] = (await profiles()).filter((name) => !before.includes(name));
    expect(profile).toBeDefined();
    const processes = chromiumProcesses(join(tmpdir(), profile ?? ""));
    expect(processes.map((p) => p.role)).toEqual(expect.arrayContaining(["browser", "renderer"]));
    await chromium.close();
    expect(chromiumProcesses(join(tmpdir(), profile ?? ""))).toEqual([]);
    expect(await profiles()).toEqual(before);
  });

  describe("a browser that hangs at start", () => {
    let dir: string;
    let hangs: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "hanging-browser-"));
      hangs = join(dir, "chromium");
      // Takes the flags like chromium (so they show in its command line), then never answers.
      await writeFile(
        hangs,
        `#!/bin/sh\nexec "${process.execPath}" -e "setInterval(() => {}, 1000)" -- "$@"\n`,
      );
      await chmod(hangs, 0o755);
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it("is killed and tried again, and the error says what each attempt's processes were doing", async () => {
      const before = await profiles();
      const error = await startChromium({ executablePath: hangs, timeoutMs: 3_000, attempts: 2 }).catch(
        (e) => e,
      );
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toContain(`Chromium (${hangs}) did not start`);
      expect(message.match(/attempt \d \(\d+\.\d s\)/g)).toEqual([
        expect.stringMatching(/^attempt 1/),
        expect.stringMatching(/^attempt 2/),
      ]);
      expect(
        message.match(/chromium processes at the deadline:\n {2}pid \d+ browser state [A-Z]/g),
      ).toHaveLength(2);
      expect(await profiles()).toEqual(before);
      // Both hung processes were killed (gone, or a zombie until its parent reaps it).
      const pids = [...message.matchAll(/pid (\d+) browser/g)].map((m) => m[1] ?? "");
      expect(pids).toHaveLength(2);
      for (const pid of pids) await expect.poll(() => running(pid)).toBe(false);
    });
  });
});
