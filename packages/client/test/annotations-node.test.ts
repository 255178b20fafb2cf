import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AnnotationInputError,
  buildAnnotation,
  cocoToDataloop,
  dataloopToYolo,
} from "../src/annotations/index.js";
import {
  openCocoFile,
  readCocoFile,
  readItemJsons,
  readYoloFolder,
  writeChunksAtomic,
  writeItemJsons,
  writeYoloFolder,
} from "../src/annotations/node.js";
import { cocoDataset } from "./annotations-fixtures.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dataloop-annotations-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const item = (filename: string) => ({
  filename,
  metadata: { system: { width: 10, height: 10 } },
  annotations: [
    buildAnnotation({
      type: "box",
      label: "ü",
      coordinates: [
        { x: 1, y: 1 },
        { x: 5, y: 5 },
      ],
    }),
  ],
});

describe("annotation files on disk", () => {
  it("writes one JSON per item in dtlpy's layout and reads them back", async () => {
    const out = join(dir, "json");
    const items = [item("/a/one.jpg"), item("/two ü.png"), item("/noext")];
    const written = await writeItemJsons(out, items);
    expect(written.map((p) => p.slice(out.length + 1)).sort()).toEqual([
      "a/one.json",
      "noext.json",
      "two ü.json",
    ]);
    const back = [];
    for await (const i of readItemJsons(out)) back.push(i);
    expect(back.sort((a, b) => a.filename.localeCompare(b.filename))).toEqual(
      [...items].sort((a, b) => a.filename.localeCompare(b.filename)),
    );
  });

  it("refuses an item path that leads outside the output folder, writing nothing there", async () => {
    const out = join(dir, "hostile");
    await expect(writeItemJsons(out, [item("/../../escape.jpg")])).rejects.toThrow(AnnotationInputError);
    await expect(readdir(dir)).resolves.not.toContain("escape.json");
  });

  it("names the file of JSON that is not an item's annotations, and of a COCO file without arrays", async () => {
    const bad = join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ hello: 1 }));
    await expect(readItemJsons(bad).next()).rejects.toThrow(/bad\.json: not an item's annotations/);
    await expect(readCocoFile(bad)).rejects.toThrow(/bad\.json: not a COCO instances file/);
  });

  it("indexes a COCO file without parsing it whole, converting it as the parsed file converts", async () => {
    const coco = cocoDataset();
    // Names that a bracket counter without string handling would trip on.
    coco.images[0] = { ...coco.images[0], file_name: 'a/]} "quoted" \\ [{.jpg' } as (typeof coco.images)[0];
    coco.annotations.push({ id: 99, image_id: 42, category_id: 1, bbox: [0, 0, 1, 1] });
    const path = join(dir, "coco-index.json");
    await writeFile(path, JSON.stringify({ info: { year: 2026 }, ...coco }, null, 1));
    const collect = async (c: ReturnType<typeof cocoToDataloop>) => {
      const items = [];
      for await (const i of c.items) items.push(i);
      return { items, issues: c.issues.map((e) => e.message) };
    };
    const indexed = await collect(cocoToDataloop(await openCocoFile(path), { source: path }));
    expect(indexed).toEqual(await collect(cocoToDataloop(coco, { source: path })));
    expect(indexed.items[0]?.filename).toBe('/a/]} "quoted" \\ [{.jpg');
    expect(indexed.issues).toEqual([`${path}, id 99: image_id 42 is not in images`]);
  });

  it("names the file and the bytes of a COCO file that is not JSON", async () => {
    const path = join(dir, "broken.json");
    await writeFile(path, '{"images": [], "categories": [], "annotations": [{"id": 1,}]}');
    await expect(openCocoFile(path)).rejects.toThrow(/broken\.json: not JSON \(.*\) in bytes \d+–\d+/);
    await writeFile(path, '{"images": [], "annotations": []}');
    await expect(openCocoFile(path)).rejects.toThrow(/not a COCO instances file/);
  });

  it("writes a YOLO folder (labels/…txt and data.yaml) and reads it back", async () => {
    const out = join(dir, "yolo");
    await writeYoloFolder(
      out,
      dataloopToYolo([item("/train/a.jpg"), { ...item("/train/empty.jpg"), annotations: [] }]),
    );
    const { names, files } = await readYoloFolder(out);
    expect(names).toEqual(["ü"]);
    const read = [];
    for await (const f of files) read.push([f.path, f.text]);
    expect(read).toEqual([
      ["train/a.txt", "0 0.3 0.3 0.4 0.4\n"],
      ["train/empty.txt", ""],
    ]);
  });

  it("says a YOLO folder without class names has none", async () => {
    const out = join(dir, "nonames");
    await mkdir(out, { recursive: true });
    await expect(readYoloFolder(out)).rejects.toThrow(/no data\.yaml/);
  });

  it("leaves no file when the chunks fail midway", async () => {
    const path = join(dir, "coco-out", "coco.json");
    async function* failing() {
      yield "{";
      throw new Error("source broke");
    }
    await expect(writeChunksAtomic(path, failing())).rejects.toThrow("source broke");
    expect(await readdir(join(dir, "coco-out"))).toEqual([]);
    await writeChunksAtomic(
      path,
      (async function* () {
        yield "{}";
      })(),
    );
    expect(await readFile(path, "utf8")).toBe("{}");
  });
});
