import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanCoco } from "../src/annotations/coco-scan.js";
import {
  AnnotationInputError,
  buildAnnotation,
  cocoToDataloop,
  dataloopToYolo,
  indexCoco,
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
import { bytesSource, cocoDataset, collect } from "./annotations-fixtures.js";

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
    const indexed = await collect(cocoToDataloop(await openCocoFile(path), { source: path }));
    expect(indexed).toEqual(await collect(cocoToDataloop(coco, { source: path })));
    expect(indexed.items[0]?.filename).toBe('/a/]} "quoted" \\ [{.jpg');
    expect(indexed.issues).toEqual([`${path}, id 99: image_id 42 is not in images`]);
  });

  it("indexes a COCO file the same whatever window its bytes are read through (values cut at every byte)", async () => {
    const coco = cocoDataset();
    coco.images[0] = { ...coco.images[0], file_name: 'é/]} "q" \\ [{.jpg' } as (typeof coco.images)[0];
    // Image ids as text, escaped keys and values, a key that starts like image_id, nested values.
    coco.images.push({ id: "Ω-1", file_name: "omega.jpg", width: 4, height: 4 });
    coco.annotations.push(
      { id: 50, image_id: "Ω-1", category_id: 1, bbox: [0, 0, 1, 1], image_idx: 7, note: '"}]' },
      {
        id: 51,
        category_id: 1,
        image_id: "Ω-1",
        attributes: { image_id: 99, deep: [[{ a: "]" }]] },
        bbox: [1, 1, 1, 1],
      },
    );
    const bytes = Buffer.from(JSON.stringify({ info: { year: 2026 }, ...coco }, null, 1));
    const expected = await collect(cocoToDataloop(coco, { source: "c.json" }));
    expect(expected.items.at(-1)?.annotations).toHaveLength(2);
    for (const windowBytes of [1, 2, 3, 7, 64, 1 << 16]) {
      const closed = { n: 0 };
      const index = await scanCoco(bytesSource(bytes, closed), "c.json", windowBytes);
      expect(await collect(cocoToDataloop(index, { source: "c.json" })), `window ${windowBytes}`).toEqual(
        expected,
      );
      expect(closed.n).toBe(1);
    }
  });

  it("an image_id key written with escapes (image\\u005fid) is the image_id JSON.parse reads, at any window", async () => {
    const coco = cocoDataset();
    coco.images.push({ id: 7, file_name: "escaped.jpg", width: 4, height: 4 });
    coco.annotations.push(
      { id: 60, image_id: 7, category_id: 1, bbox: [0, 0, 1, 1] },
      { id: 61, image_id: 7, category_id: 1, bbox: [1, 1, 1, 1] },
    );
    const text = JSON.stringify(coco)
      .replace('"id":60,"image_id"', '"id":60,"image\\u005fid"')
      .replace('"id":61,"image_id"', '"id":61,"\\u0069mage_id"');
    expect(JSON.parse(text)).toEqual(coco);
    const bytes = Buffer.from(text);
    const expected = await collect(cocoToDataloop(coco, { source: "c.json" }));
    expect(expected.items.at(-1)?.annotations).toHaveLength(2);
    for (const windowBytes of [1, 5, 1 << 16]) {
      const index = await scanCoco(bytesSource(bytes), "c.json", windowBytes);
      expect(await collect(cocoToDataloop(index, { source: "c.json" })), `window ${windowBytes}`).toEqual(
        expected,
      );
    }
  });

  it("groups annotations in any order, and an image's run longer than the window, as the parsed file does", async () => {
    // Image ids as JSON reads them: 5 and "5" are one image (String), 1.0 is 1, -0 is 0; "007" and a
    // 16-digit id are text; annotations interleaved across images, one image with many annotations.
    const images = [
      { id: 5, file_name: "five.jpg", width: 9, height: 9 },
      { id: 0, file_name: "zero.jpg", width: 9, height: 9 },
      { id: "007", file_name: "bond.jpg", width: 9, height: 9 },
      { id: 1234567890123456, file_name: "big.jpg", width: 9, height: 9 },
      { id: 1, file_name: "one.jpg", width: 9, height: 9 },
      { id: 5, file_name: "five again.jpg", width: 9, height: 9 },
    ];
    const annotations: Array<Record<string, unknown>> = [];
    const ids = ["5", '"5"', "0", "-0", '"007"', "7", "1234567890123456", "1.0", "1", "99"];
    for (let k = 0; k < 60; k++)
      annotations.push({ id: k, image_id: `@${ids[k % ids.length]}@`, category_id: 1, bbox: [k, k, 1, 1] });
    for (let k = 60; k < 200; k++)
      annotations.push({
        id: k,
        image_id: "@1@",
        category_id: 1,
        bbox: [k, 1, 2, 2],
        note: "x".repeat(k % 7),
      });
    const text = JSON.stringify({ images, annotations, categories: [{ id: 1, name: "c" }] }).replace(
      /"@([^@]*)@"/g,
      (_, raw: string) => raw.replace(/\\"/g, '"'),
    );
    const parsed = JSON.parse(text) as Parameters<typeof cocoToDataloop>[0] & { annotations: unknown[] };
    expect(parsed.annotations.map((a) => (a as { image_id: unknown }).image_id).slice(0, 10)).toEqual([
      5,
      "5",
      0,
      -0,
      "007",
      7,
      1234567890123456,
      1,
      1,
      99,
    ]);
    const bytes = Buffer.from(text);
    const expected = await collect(cocoToDataloop(parsed, { source: "c.json" }));
    expect(expected.items.map((i) => i.annotations.length)).toEqual([12, 12, 6, 6, 152, 12]);
    for (const windowBytes of [3, 256, 1 << 16]) {
      const index = await scanCoco(bytesSource(bytes), "c.json", windowBytes);
      expect(await collect(cocoToDataloop(index, { source: "c.json" })), `window ${windowBytes}`).toEqual(
        expected,
      );
      expect(index.images).toEqual(images);
      expect([...(index.eachImage?.() ?? [])]).toEqual(images);
    }
  });

  it("names the bytes of an image that is not JSON when it indexes the file", async () => {
    const path = join(dir, "bad-image.json");
    const text =
      '{"images": [{"id": 1, "file_name": "a.jpg"}, {"id": 2,}], "annotations": [], "categories": []}';
    await writeFile(path, text);
    await expect(openCocoFile(path)).rejects.toThrow(
      new RegExp(
        `bad-image\\.json: not JSON \\(.*\\) in bytes ${text.indexOf('{"id": 2')}–${text.indexOf("}]") + 1}`,
      ),
    );
  });

  it("converts an index through eachImage when it has one, never reading all its images at once", async () => {
    const coco = cocoDataset();
    const plain = indexCoco(coco);
    const lazy = {
      ...plain,
      get images(): never {
        throw new Error("images read whole");
      },
      eachImage: () => coco.images.values(),
    };
    expect(await collect(cocoToDataloop(lazy))).toEqual(await collect(cocoToDataloop(plain)));
  });

  it("a COCO file with annotations twice holds the last, as JSON.parse reads it", async () => {
    const coco = cocoDataset();
    const text = JSON.stringify(coco).replace(
      /}$/,
      ',"annotations":[{"id":70,"image_id":1,"category_id":1,"bbox":[2,2,3,3]}]}',
    );
    const parsed = JSON.parse(text) as typeof coco;
    expect(parsed.annotations.map((a) => a.id)).toEqual([70]);
    const path = join(dir, "coco-twice.json");
    await writeFile(path, text);
    expect(await collect(cocoToDataloop(await openCocoFile(path), { source: path }))).toEqual(
      await collect(cocoToDataloop(parsed, { source: path })),
    );
  });

  it("reads a JSON Lines file one item per line, naming the line that is not an item", async () => {
    const path = join(dir, "items.jsonl");
    const items = [item("/a.jpg"), item("/b/ü.jpg"), { ...item("/c.jpg"), annotations: [] }];
    await writeFile(path, `${items.map((i) => JSON.stringify(i)).join("\n")}\n\n`);
    const back = [];
    for await (const i of readItemJsons(path)) back.push(i);
    expect(back).toEqual(items);
    await writeFile(path, `${JSON.stringify(items[0])}\n{"filename": 1}`);
    const read = readItemJsons(path);
    await expect(read.next()).resolves.toMatchObject({ value: items[0] });
    await expect(read.next()).rejects.toThrow(/items\.jsonl:2: not an item's annotations/);
  });

  it("names the file and the byte of a COCO file that is not JSON, and the bytes of an annotation that is not, converting the others", async () => {
    const path = join(dir, "broken.json");
    await writeFile(path, '{"images": [], "categories": [], "annotations": [{"id": 1}}');
    await expect(openCocoFile(path)).rejects.toThrow(/broken\.json: unbalanced brackets at byte 58/);
    await writeFile(path, '{"images": [{"id": 1, "file_name": "a.jpg"}], "categories": [1,]}');
    await expect(openCocoFile(path)).rejects.toThrow(/broken\.json: not JSON \(.*\) in bytes 60–64/);
    await writeFile(
      path,
      JSON.stringify({
        images: [{ id: 1, file_name: "a.jpg" }],
        categories: [{ id: 1, name: "cat" }],
        annotations: [
          { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 1, 1] },
          "BROKEN",
          { id: 3, image_id: 1, category_id: 1, bbox: [1, 1, 1, 1] },
        ],
      }).replace('"BROKEN"', '{"id": 2, "image_id": 1,}'),
    );
    const conversion = cocoToDataloop(await openCocoFile(path), { source: path });
    const items = [];
    for await (const i of conversion.items) items.push(i);
    expect(items.map((i) => i.annotations.length)).toEqual([2]);
    expect(conversion.issues.map((i) => i.message)).toEqual([
      expect.stringMatching(/broken\.json: not JSON \(.*\) in bytes \d+–\d+$/),
    ]);
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

  it("writes a file whose name is as long as a name may be (255 bytes, ASCII or CJK)", async () => {
    for (const name of [`${"a".repeat(250)}.json`, `${"猫".repeat(84)}.js`, `${"😀".repeat(62)}.jsonl`]) {
      expect(Buffer.byteLength(name)).toBeGreaterThanOrEqual(254);
      const sub = join(dir, `long-${name.length}`);
      await writeChunksAtomic(
        join(sub, name),
        (async function* () {
          yield "{}";
        })(),
      );
      expect(await readdir(sub)).toEqual([name]);
      expect(await readFile(join(sub, name), "utf8")).toBe("{}");
    }
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

  it("writes every chunk whole and in order, small ones gathered, multi-byte text and chunks past the buffer's size", async () => {
    const path = join(dir, "chunks.txt");
    const chunks = [
      ...Array.from({ length: 5000 }, (_, i) => `${i},猫,ü,😀;`),
      "x".repeat(300_000),
      "猫".repeat(90_000),
      "end",
    ];
    await writeChunksAtomic(
      path,
      (async function* () {
        yield* chunks;
      })(),
    );
    expect(await readFile(path, "utf8")).toBe(chunks.join(""));
  });
});
