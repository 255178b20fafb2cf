// Each build of the mock (and each spec served) has its own prepared-spec cache file, megabytes each:
// the cache keeps the newest few, so rebuilding the mock again and again never fills the disk.
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { prepareMockSpec } from "../../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "mock-cache-prune-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cached = () => readdirSync(dir).filter((f) => /^mock-[0-9a-f]+\.json$/.test(f));

it("a cold start keeps the newest four prepared specs and removes older builds' files", async () => {
  // Six files left by earlier builds, a day apart, the first the oldest.
  const day = 86_400;
  const now = Date.now() / 1000;
  const old = Array.from({ length: 6 }, (_, i) => `mock-${"0".repeat(23)}${i}.json`);
  old.forEach((name, i) => {
    writeFileSync(join(dir, name), "{}");
    utimesSync(join(dir, name), now - (6 - i) * day, now - (6 - i) * day);
  });
  writeFileSync(join(dir, "notes.txt"), "not a cache file: left alone");

  const spec = await prepareMockSpec({ cacheDir: dir });
  expect(spec.cache).toBe("miss");
  const after = cached();
  const made = after.filter((f) => !old.includes(f));
  expect(made).toHaveLength(1);
  // The new one and the three newest of the old; the three oldest removed.
  expect(after.sort()).toEqual([...old.slice(3), ...made].sort());
  expect(readdirSync(dir)).toContain("notes.txt");

  // A warm start reads its file and writes none.
  const again = await prepareMockSpec({ cacheDir: dir });
  expect(again.cache).toBe("hit");
  expect(cached().sort()).toEqual(after.sort());
}, 300_000);
