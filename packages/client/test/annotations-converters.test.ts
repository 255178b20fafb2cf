import { describe, expect, it } from "vitest";
import {
  AnnotationInputError,
  AnnotationNotExpressibleError,
  buildAnnotation,
  type CocoFile,
  cocoToDataloop,
  dataloopToCoco,
  dataloopToYolo,
  type ItemAnnotationsJson,
  parseYoloNames,
  yoloDataYaml,
  yoloToDataloop,
} from "../src/annotations/index.js";
import { cocoComparable, expectClose, yoloComparable } from "./annotations-compare.js";
import { cocoDataset, everyType, yoloDataset } from "./annotations-fixtures.js";

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const cocoText = async (items: Iterable<ItemAnnotationsJson>, categories?: string[]) => {
  const run = dataloopToCoco(items, categories ? { categories } : {});
  const text = (await all(run.items)).join("");
  return { coco: JSON.parse(text) as CocoFile, issues: run.issues };
};

describe("COCO", () => {
  it("converts a COCO file to Dataloop JSON and back to the same COCO (ids and area aside)", async () => {
    const input = cocoDataset();
    const there = cocoToDataloop(input);
    const items = await all(there.items);
    expect(there.issues).toEqual([]);
    expect(items.map((i) => i.filename)).toEqual([
      "/a/one.jpg",
      "/two ünïcødé.png",
      "/empty.jpg",
      "/b/c/four.jpg",
    ]);
    expect(items[2]?.annotations).toEqual([]);
    expect(items[1]?.annotations.map((a) => a.type)).toEqual(["segment", "segment", "segment", "box"]);
    const back = await cocoText(items);
    expect(back.issues).toEqual([]);
    expectClose(cocoComparable(back.coco), cocoComparable(input));
  });

  it("keeps crowd masks as uncompressed RLE and rotated boxes as attributes.rotation", async () => {
    const items = await all(cocoToDataloop(cocoDataset()).items);
    const rotated = items[1]?.annotations.find((a) => a.type === "box");
    expect(rotated?.coordinates).toEqual([{ x: 50, y: 60, z: 0 }, { x: 120, y: 140, z: 0 }, 30]);
    const { coco } = await cocoText(items);
    const crowd = coco.annotations.find((a) => a.iscrowd === 1);
    expect(Array.isArray((crowd?.segmentation as { counts?: unknown } | undefined)?.counts)).toBe(true);
    const other = coco.annotations.find((a) => a.image_id === 4);
    expect(typeof (other?.segmentation as { counts?: unknown } | undefined)?.counts).toBe("string");
  });

  it("lists a missing category, a two-point polygon and a mask of the wrong size by id, and converts the rest", async () => {
    const input = cocoDataset();
    input.annotations.push(
      { id: 901, image_id: 1, category_id: 77, bbox: [0, 0, 1, 1] },
      { id: 902, image_id: 1, category_id: 1, segmentation: [[0, 0, 5, 5]] },
      { id: 903, image_id: 1, category_id: 1, segmentation: { size: [10, 10], counts: [100] }, iscrowd: 1 },
      { id: 904, image_id: 99, category_id: 1, bbox: [0, 0, 1, 1] },
    );
    const run = cocoToDataloop(input, { source: "train.json" });
    const items = await all(run.items);
    expect(run.issues.map((e) => [e.constructor, (e as AnnotationInputError).id])).toEqual([
      [AnnotationInputError, 904],
      [AnnotationInputError, 901],
      [AnnotationInputError, 902],
      [AnnotationInputError, 903],
    ]);
    expect(run.issues[1]?.message).toBe("train.json, id 901: category_id 77 is not in categories");
    expect(run.issues[2]?.message).toMatch(/train\.json, id 902: polygon 0 has 2 points/);
    expect(run.issues[3]?.message).toMatch(/the mask is 10×10 but image 1 is 40×30/);
    expect(items[0]?.annotations).toHaveLength(2); // the good box and crowd mask of image 1
  });

  it("lists what COCO cannot hold instead of dropping it", async () => {
    const bodies = everyType.map((a) => ({ ...buildAnnotation(a), id: `id-${a.type}` }));
    const { coco, issues } = await cocoText([
      { filename: "/all.png", metadata: { system: { width: 8, height: 6 } }, annotations: bodies },
    ]);
    expect(coco.annotations).toHaveLength(4); // two boxes, the polygon, the mask
    const listed = issues.map((e) => (e as AnnotationNotExpressibleError).type);
    expect(listed).toEqual([
      "polyline",
      "point",
      "ellipse",
      "cube",
      "pose",
      "note",
      "subtitle",
      "item_description",
      "class",
    ]);
    expect(issues.every((e) => e instanceof AnnotationNotExpressibleError && e.source === "/all.png")).toBe(
      true,
    );
    expect(issues[0]?.code).toBe("ANNOTATION_NOT_EXPRESSIBLE");
  });
});

describe("YOLO", () => {
  it("converts YOLO labels to Dataloop JSON and back to the same text (within 1e-6)", async () => {
    const { names, files } = yoloDataset();
    const there = yoloToDataloop(files, names);
    const items = await all(there.items);
    expect(there.issues).toEqual([]);
    expect(items[0]?.annotations[0]?.coordinates).toEqual([
      { x: 240, y: 210, z: 0 },
      { x: 400, y: 270, z: 0 },
    ]);
    const back = dataloopToYolo(items, { names });
    const out = await all(back.items);
    expect(back.issues).toEqual([]);
    expect(out.map((f) => f.path)).toEqual(["train/one.txt", "train/two ü.txt", "train/empty.txt"]);
    expectClose(yoloComparable(out), yoloComparable(files.map((f) => ({ ...f, path: "" }))));
    expect(await parseYoloNames(yoloDataYaml(back.names))).toEqual(names);
  });

  it("lists a line with 4 numbers, an odd polygon and an unknown class by file and line, and keeps the rest", async () => {
    const run = yoloToDataloop(
      [
        {
          filename: "/a.jpg",
          source: "labels/a.txt",
          width: 100,
          height: 100,
          text: "0 0.5 0.5 0.2\n0 0.5 0.5 0.2 0.2\n1 0.1 0.1 0.2 0.2 0.3\n7 0.5 0.5 0.1 0.1\n0 x 0.5 0.1 0.1\n",
        },
      ],
      ["a", "b"],
    );
    const items = await all(run.items);
    expect(items[0]?.annotations).toHaveLength(1);
    expect(run.issues.every((e) => e instanceof AnnotationInputError)).toBe(true);
    expect(run.issues.map((e) => (e as AnnotationInputError).line)).toEqual([1, 3, 4, 5]);
    expect(run.issues[0]?.message).toMatch(/^labels\/a\.txt, line 1: 3 numbers after the class/);
  });

  it("lists rotated boxes, masks and other types, and an item with no size", async () => {
    const bodies = everyType.map((a) => buildAnnotation(a));
    const run = dataloopToYolo([
      { filename: "/all.png", metadata: { system: { width: 8, height: 6 } }, annotations: bodies },
      { filename: "/nosize.png", annotations: [bodies[0]!] },
    ]);
    const out = await all(run.items);
    expect(out[0]?.text.trim().split("\n")).toHaveLength(2); // the box and the polygon
    expect(
      run.issues
        .filter((e) => e instanceof AnnotationNotExpressibleError)
        .map((e) => (e as AnnotationNotExpressibleError).type),
    ).toEqual([
      "box",
      "polyline",
      "point",
      "ellipse",
      "cube",
      "pose",
      "note",
      "subtitle",
      "item_description",
      "binary",
      "class",
    ]);
    expect(run.issues.at(-1)?.message).toMatch(/^\/nosize\.png: the item's width and height/);
  });

  it("reads names from a data.yaml list, an index map, or a classes.txt", async () => {
    expect(await parseYoloNames("path: .\nnames:\n  0: cat\n  1: 🐕 dog\n")).toEqual(["cat", "🐕 dog"]);
    expect(await parseYoloNames("names: [a, b]\n")).toEqual(["a", "b"]);
    expect(await parseYoloNames("a\nb\n")).toEqual(["a", "b"]);
  });
});
