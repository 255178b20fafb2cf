// The client's deadlines share one timer: each still fires on time, cancelled ones never, pushed-back
// ones later, and the shared timer never keeps a process alive after its last request.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startDeadline } from "../src/deadlines.js";

const firedAt = (ms: number) =>
  new Promise<number>((resolve) => {
    const started = performance.now();
    startDeadline(ms, () => resolve(performance.now() - started));
  });

describe("deadlines on one shared timer", () => {
  it("a deadline fires after its time; a cancelled one never does", async () => {
    let cancelledFired = false;
    const cancelled = startDeadline(30, () => {
      cancelledFired = true;
    });
    cancelled.cancel();
    expect(await firedAt(60)).toBeGreaterThanOrEqual(59);
    await new Promise((r) => setTimeout(r, 20));
    expect(cancelledFired).toBe(false);
  });

  it("a shorter deadline that comes after a longer one fires first, at its own time", async () => {
    const order: string[] = [];
    const long = startDeadline(10_000, () => order.push("long"));
    const short = await firedAt(40);
    order.push("short");
    long.cancel();
    expect(short).toBeGreaterThanOrEqual(39);
    expect(short).toBeLessThan(5_000);
    expect(order).toEqual(["short"]);
  });

  it("pushed back, a deadline fires that long after the last push, and others keep their times", async () => {
    const started = performance.now();
    let pushedFiredAt = 0;
    const pushed = startDeadline(80, () => {
      pushedFiredAt = performance.now() - started;
    });
    const other = firedAt(120);
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 50));
      pushed.pushBack(); // 50, 100, 150, 200 ms: never 80 ms of silence
    }
    expect(pushedFiredAt).toBe(0);
    expect(await other).toBeGreaterThanOrEqual(119);
    await new Promise((r) => setTimeout(r, 150));
    expect(pushedFiredAt).toBeGreaterThanOrEqual(279);
  });

  it("a process whose requests are done exits at once, though its last deadline is a minute away", async () => {
    const module = fileURLToPath(new URL("../src/deadlines.ts", import.meta.url));
    const script = `import(${JSON.stringify(module)}).then(({ startDeadline }) => { startDeadline(60_000, () => {}); startDeadline(60_000, () => {}).cancel(); });`;
    const started = performance.now();
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, ["--input-type=module", "-e", script], { timeout: 30_000 }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});
