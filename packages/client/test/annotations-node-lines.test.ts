// The JSON Lines reader and the atomic chunk writer that `dataloop annotations convert --from dataloop
// --to coco` runs through: lines past the reader's window, lines named only when bad, temp names taken.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { ItemAnnotationsJson } from "../src/annotations/index.js";
import { readItemJsons, writeChunksAtomic } from "../src/annotations/node.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dataloop-annotations-lines-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
});

async function* chunksOf(...chunks: string[]) {
  yield* chunks;
}

const box = (label: string) => ({
  type: "box",
  label,
  coordinates: [
    { x: 1, y: 2, z: 0 },
    { x: 3, y: 4, z: 0 },
  ],
});

describe("JSON Lines of items", () => {
  it("reads lines far longer than its window whole, multi-byte characters cut at every window edge", async () => {
    const path = join(dir, "long.jsonl");
    const items: ItemAnnotationsJson[] = [
      { filename: "/short.jpg", annotations: [box("a")] },
      // 3-byte and 4-byte characters over ~1.2 MB: windows end inside them wherever they fall.
      { filename: `/${"猫😀".repeat(200_000)}.jpg`, annotations: [box("猫".repeat(1000))] },
      { filename: "/after.jpg", annotations: [] },
    ];
    await writeFile(path, items.map((i) => JSON.stringify(i)).join("\n"));
    const back = [];
    for await (const item of readItemJsons(path)) back.push(item);
    expect(back).toEqual(items);
  });

  it("names the line that is not JSON, after yielding the lines before it", async () => {
    const path = join(dir, "bad.jsonl");
    await writeFile(
      path,
      `${JSON.stringify({ filename: "/a.jpg", annotations: [] })}\n\n{"filename": "/b.jpg",\n`,
    );
    const read = readItemJsons(path);
    await expect(read.next()).resolves.toMatchObject({ value: { filename: "/a.jpg" } });
    await expect(read.next()).rejects.toThrow(/bad\.jsonl:3: not JSON \(/);
  });
});

describe("writeChunksAtomic", () => {
  const hexOf = (random: number) =>
    Math.floor(random * 2 ** 48)
      .toString(16)
      .padStart(12, "0");

  it("draws another temp name when the one drawn is taken, leaving that file as it was", async () => {
    const out = join(dir, "taken", "out.json");
    await writeChunksAtomic(join(dir, "taken", "first.json"), chunksOf("{}")); // makes the folder
    const taken = join(dir, "taken", `.out.json.${hexOf(0.5)}.tmp`);
    await writeFile(taken, "another writer's");
    vi.spyOn(Math, "random").mockReturnValueOnce(0.5).mockReturnValueOnce(0.25);
    await writeChunksAtomic(out, chunksOf('{"a":', "1}"));
    expect(await readFile(out, "utf8")).toBe('{"a":1}');
    expect(await readFile(taken, "utf8")).toBe("another writer's");
    expect((await readdir(join(dir, "taken"))).sort()).toEqual([
      `.out.json.${hexOf(0.5)}.tmp`,
      "first.json",
      "out.json",
    ]);
  });

  it("gives up with EEXIST when every name drawn is taken, writing nothing", async () => {
    const out = join(dir, "full", "out.json");
    await writeChunksAtomic(join(dir, "full", "first.json"), chunksOf("{}"));
    const taken = join(dir, "full", `.out.json.${hexOf(0.5)}.tmp`);
    await writeFile(taken, "another writer's");
    const random = vi.spyOn(Math, "random").mockReturnValue(0.5);
    await expect(writeChunksAtomic(out, chunksOf("{}"))).rejects.toMatchObject({ code: "EEXIST" });
    expect(random.mock.calls.length).toBeGreaterThan(1);
    expect(await readFile(taken, "utf8")).toBe("another writer's");
    expect((await readdir(join(dir, "full"))).sort()).toEqual([`.out.json.${hexOf(0.5)}.tmp`, "first.json"]);
  });
});
