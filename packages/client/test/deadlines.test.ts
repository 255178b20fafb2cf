// The client's deadlines share one timer: each still fires on time, cancelled ones never, pushed-back
// ones later, and the shared timer never keeps a process alive after its last request. Time is
// vitest's fake clock: the tests move it, and assert which deadline fired when, never elapsed time.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startDeadline } from "../src/deadlines.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("deadlines on one shared timer", () => {
  it("a deadline fires after its time; a cancelled one never does", () => {
    const fired: string[] = [];
    startDeadline(30, () => fired.push("cancelled")).cancel();
    startDeadline(60, () => fired.push("kept"));
    vi.advanceTimersByTime(59);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(["kept"]);
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual(["kept"]);
  });

  it("a shorter deadline that comes after a longer one fires first, at its own time", () => {
    const fired: string[] = [];
    const long = startDeadline(10_000, () => fired.push("long"));
    startDeadline(40, () => fired.push("short"));
    vi.advanceTimersByTime(39);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(["short"]);
    long.cancel();
    vi.advanceTimersByTime(20_000);
    expect(fired).toEqual(["short"]);
  });

  it("pushed back, a deadline fires that long after the last push, and others keep their times", () => {
    const fired: Array<[string, number]> = [];
    const start = performance.now();
    const pushed = startDeadline(80, () => fired.push(["pushed", performance.now() - start]));
    startDeadline(120, () => fired.push(["other", performance.now() - start]));
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(50);
      pushed.pushBack(); // at 50, 100, 150, 200: never 80 ms of silence
    }
    expect(fired).toEqual([["other", 120]]);
    vi.advanceTimersByTime(80);
    expect(fired).toEqual([
      ["other", 120],
      ["pushed", 280],
    ]);
  });

  it("a process whose requests are done exits at once, though its last deadline is a minute away", async () => {
    vi.useRealTimers();
    const module = fileURLToPath(new URL("../src/deadlines.ts", import.meta.url));
    const script = `import(${JSON.stringify(module)}).then(({ startDeadline }) => { startDeadline(60_000, () => {}); startDeadline(60_000, () => {}).cancel(); });`;
    // Kept alive by the deadline, the child would be killed at 30 s and the call would fail.
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, ["--input-type=module", "-e", script], { timeout: 30_000 }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  });
});
