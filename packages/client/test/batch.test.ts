// The batch engine under downloads and uploads: how many run at once, what an abort or a throwing
// callback does, and the summary's results as a caller reads them when they are held packed; the
// packed lists a long run keeps its items in.
import { describe, expect, it } from "vitest";
import { type BatchResult, ResultLog, runBatch } from "../src/batch.js";
import { PackedMap, PackedNumbers, PackedStrings } from "../src/packed.js";

/** A promise and its resolve, to hold an entry's work until a test lets it go. */
const gate = () => {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
};
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("runBatch", () => {
  it("runs at most `concurrency` entries at once, pulling the next as one finishes, and runs each once", async () => {
    let running = 0;
    let most = 0;
    const ran: number[] = [];
    async function* source() {
      for (let i = 0; i < 40; i++) yield i;
    }
    const summary = await runBatch(
      source(),
      {
        key: String,
        bytes: () => 1,
        async work(n) {
          running++;
          most = Math.max(most, running);
          for (let i = 0; i <= n % 4; i++) await settle();
          running--;
          ran.push(n);
          return n;
        },
      },
      { concurrency: 3 },
    );
    expect(most).toBe(3);
    expect(ran.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(summary).toMatchObject({ done: 40, failed: 0, bytes: 40 });
  });

  it("an abort rejects with the signal's reason at once, and no entry is started after it", async () => {
    const controller = new AbortController();
    const held = gate();
    const started: number[] = [];
    const run = runBatch(
      [1, 2, 3, 4, 5, 6],
      {
        key: String,
        bytes: () => 0,
        async work(n) {
          started.push(n);
          await held.opened;
          return n;
        },
      },
      { concurrency: 2, signal: controller.signal },
    );
    await settle();
    const reason = new Error("stopped by the user");
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    held.open();
    await settle();
    expect(started).toEqual([1, 2]);
  });

  it("an abort, or an onProgress that throws, closes the entries' source as a for-await loop left early does (its finally runs)", async () => {
    for (const how of ["abort", "progress"] as const) {
      const controller = new AbortController();
      let closed = false;
      const held = gate();
      // A source holding something until it is closed (a listing's cursor, a file of names read by lines).
      async function* source() {
        try {
          for (let i = 0; i < 100; i++) yield i;
        } finally {
          closed = true;
        }
      }
      const run = runBatch(
        source(),
        {
          key: String,
          bytes: () => 0,
          async work(n) {
            if (n > 0) await held.opened;
            return n;
          },
        },
        {
          concurrency: 2,
          signal: controller.signal,
          onProgress() {
            if (how === "progress") throw new Error("progress bar broke");
          },
        },
      );
      // Its outcome taken at once: with a throwing onProgress it rejects before the first settle is over,
      // and a rejection nobody has taken yet is an unhandled one (vitest fails the run on it).
      const outcome = run.then(
        () => undefined,
        (error: unknown) => error,
      );
      await settle();
      if (how === "abort") controller.abort(new Error("stopped by the user"));
      expect(await outcome).toMatchObject({
        message: how === "abort" ? "stopped by the user" : "progress bar broke",
      });
      held.open();
      await settle();
      expect(closed, how).toBe(true);
    }
  });

  it("an onProgress that throws rejects the batch with its error", async () => {
    const boom = new Error("progress bar broke");
    await expect(
      runBatch(
        [1, 2, 3],
        { key: String, bytes: () => 0, work: async (n) => n },
        {
          onProgress: () => {
            throw boom;
          },
        },
      ),
    ).rejects.toBe(boom);
  });

  it("a concurrency that is not a whole number from 1 up is refused", async () => {
    await expect(
      runBatch([1], { key: String, bytes: () => 0, work: async (n) => n }, { concurrency: 0 }),
    ).rejects.toThrow(TypeError);
  });

  it("packed results read back as the same array every time, in the order they came, failures included, and serialise like any other", async () => {
    const log = new ResultLog<{ n: number }>();
    const summary = await runBatch(
      [1, 2, 3, 4],
      {
        key: (n) => `k${n}`,
        bytes: (_n, v) => v.n,
        async work(n) {
          for (let i = 0; i < 4 - n; i++) await settle();
          if (n === 3) throw new Error("three failed");
          return { n };
        },
        pack: (_n, v) => v.n,
        unpack: (p): BatchResult<{ n: number }> => ({ key: `k${p}`, ok: true, value: { n: p } }),
      },
      { concurrency: 4 },
      log,
    );
    expect(log.length).toBe(4);
    expect(summary.results.map((r) => r.key)).toEqual(["k4", "k3", "k2", "k1"]);
    expect(summary.results[1]).toMatchObject({ ok: false, error: { message: "three failed" } });
    expect(summary.results[0]).toEqual({ key: "k4", ok: true, value: { n: 4 } });
    // Read once, then held: a change a caller makes stays.
    expect(summary.results).toBe(summary.results);
    summary.results.pop();
    expect(summary.results).toHaveLength(3);
    expect(JSON.parse(JSON.stringify(summary))).toMatchObject({
      done: 3,
      failed: 1,
      bytes: 7,
      results: [{ key: "k4" }, { key: "k3" }, { key: "k2" }],
    });
    expect(Object.keys(summary)).toContain("results");
  });
});

describe("packed lists", () => {
  it("strings come back exactly: one-byte, wide, a lone surrogate, empty, past several growths", () => {
    const list = new PackedStrings();
    const samples = [
      "64f0c1a2b3c4d5e6f7a8b9c0",
      "/cats/é.jpg",
      "/漢字/🐱.png",
      "lone \ud800 half",
      "",
      "ÿ\u00ff",
    ];
    const all: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const s = `${samples[i % samples.length]}#${i}`;
      all.push(s);
      expect(list.push(s)).toBe(i);
    }
    expect(list.length).toBe(all.length);
    for (let i = 0; i < all.length; i++) if (list.at(i) !== all[i]) expect(list.at(i)).toBe(all[i]);
    expect(list.at(3)).toBe("lone \ud800 half#3");
    // Read from a code unit on, and a prefix looked for in place: one-byte and wide alike.
    expect(list.at(1, 1)).toBe("cats/é.jpg#1");
    expect(list.at(2, 1)).toBe("漢字/🐱.png#2");
    expect([0, 1, 2, 4].map((i) => list.startsWith(i, "/"))).toEqual([false, true, true, false]);
    expect(list.startsWith(2, "/漢")).toBe(false);
  });

  it("numbers: NaN where none was set, any index, past growths", () => {
    const numbers = new PackedNumbers();
    numbers.set(5000, 2 ** 40);
    numbers.set(0, 0);
    expect(numbers.at(5000)).toBe(2 ** 40);
    expect(numbers.at(0)).toBe(0);
    expect(numbers.at(4999)).toBeNaN();
    expect(numbers.at(1_000_000)).toBeNaN();
  });

  it("a map of integers keeps every key through its growths, keys that share low bits included", () => {
    const map = new PackedMap();
    const expected = new Map<number, number>();
    for (let i = 0; i < 50_000; i++) {
      // Multiples of 4096: every key lands on the same first slot until the table is large.
      const key = (i * 4096) % 2 ** 30;
      map.set(key, i);
      expected.set(key, i);
    }
    map.set(0, 7);
    expected.set(0, 7);
    for (const [key, value] of expected) if (map.get(key) !== value) expect(map.get(key)).toBe(value);
    expect(map.get(123)).toBeUndefined();
  });
});
