import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chromiumProcesses, startChromium } from "../src/index.ts";

const running = async (pid: string) => {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return stat !== "" && stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
};

// Each test makes its profiles in a folder of its own: other test processes start chromium too.
let profilesIn: string;
beforeEach(async () => {
  profilesIn = await mkdtemp(join(tmpdir(), "start-chromium-test-"));
});
afterEach(() => rm(profilesIn, { recursive: true, force: true }));

describe("startChromium", () => {
  it("starts Debian's chromium, renders a page, and close leaves no process and no profile behind", async () => {
    const chromium = await startChromium({ profilesIn });
    const page = await chromium.browser.newPage();
    await page.goto("data:text/html,<h1>hello</h1>");
    expect(await page.textContent("h1")).toBe("hello");
    const [profile] = await readdir(profilesIn);
    expect(profile).toMatch(/^dataloop-chromium-/);
    const processes = chromiumProcesses(join(profilesIn, profile ?? ""));
    expect(processes.map((p) => p.role)).toEqual(expect.arrayContaining(["browser", "renderer"]));
    await chromium.close();
    expect(chromiumProcesses(join(profilesIn, profile ?? ""))).toEqual([]);
    expect(await readdir(profilesIn)).toEqual([]);
  });

  it("kills and retries a browser that hangs at start, and says what each attempt's processes were doing", async () => {
    // Takes the flags like chromium (so they show in its command line), then never answers.
    const hangs = join(profilesIn, "chromium");
    await writeFile(
      hangs,
      `#!/bin/sh\nexec "${process.execPath}" -e "setInterval(() => {}, 1000)" -- "$@"\n`,
    );
    await chmod(hangs, 0o755);
    const error = await startChromium({
      executablePath: hangs,
      stallMs: 3_000,
      attempts: 2,
      profilesIn,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`Chromium (${hangs}) did not start`);
    // Taken for hung because it stopped working, not because a wall-clock budget ran out.
    expect(message.match(/no progress for 3000 ms/g)).toHaveLength(2);
    expect(message.match(/attempt \d \(\d+\.\d s\)/g)).toEqual([
      expect.stringMatching(/^attempt 1/),
      expect.stringMatching(/^attempt 2/),
    ]);
    expect(
      message.match(/chromium processes at the deadline:\n {2}pid \d+ browser state [A-Z]/g),
    ).toHaveLength(2);
    expect(await readdir(profilesIn)).toEqual(["chromium"]);
    // Both hung processes were killed (gone, or a zombie until its parent reaps it).
    const pids = [...message.matchAll(/pid (\d+) browser/g)].map((m) => m[1] ?? "");
    expect(pids).toHaveLength(2);
    for (const pid of pids) await expect.poll(() => running(pid)).toBe(false);
  });

  it("does not take a start that keeps working for a hung one: only the cap on the whole start ends it", async () => {
    // Takes the flags like chromium, then computes without ever answering: progress, on any machine.
    const spins = join(profilesIn, "chromium");
    await writeFile(spins, `#!/bin/sh\nexec "${process.execPath}" -e "for (;;) {}" -- "$@"\n`);
    await chmod(spins, 0o755);
    const error = await startChromium({
      executablePath: spins,
      stallMs: 2_000,
      timeoutMs: 5_000,
      attempts: 1,
      profilesIn,
    }).catch((e) => e);
    const message = (error as Error).message;
    expect(message).toContain("no answer on the DevTools pipe in 5000 ms, though still busy");
    expect(message).not.toContain("no progress");
    const pids = [...message.matchAll(/pid (\d+) browser/g)].map((m) => m[1] ?? "");
    expect(pids).toHaveLength(1);
    for (const pid of pids) await expect.poll(() => running(pid)).toBe(false);
  });
});
