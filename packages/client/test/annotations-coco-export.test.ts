// dataloopToCoco past the small fixtures: many items (its images are kept as text in pieces until the
// end), and masks (decoded before the rest of their item) among the issues of other annotations.
import { describe, expect, it } from "vitest";
import {
  AnnotationInputError,
  AnnotationNotExpressibleError,
  buildAnnotation,
  type CocoFile,
  dataloopToCoco,
  encodeMask,
  type ItemAnnotationsJson,
} from "../src/annotations/index.js";
import { maskOf } from "./annotations-fixtures.js";

async function cocoOf(items: Iterable<ItemAnnotationsJson>) {
  const run = dataloopToCoco(items);
  let text = "";
  for await (const chunk of run.items) text += chunk;
  return { coco: JSON.parse(text) as CocoFile, issues: run.issues };
}

const p = (x: number, y: number) => ({ x, y, z: 0 });

describe("dataloopToCoco", () => {
  it("writes the image of every item, in order, names whole (multi-byte, and one of 300 KB), sizes only where known", async () => {
    // ~120 KB of image text at least: more than one piece of what is kept, cut between images.
    const items: ItemAnnotationsJson[] = Array.from({ length: 3000 }, (_, i) => ({
      filename: `/dir ${i % 7}/猫 ü 😀 ${i}.jpg`,
      ...(i % 3 ? { metadata: { system: { width: 640 + i, height: 480 } } } : {}),
      annotations:
        i % 2 ? [buildAnnotation({ type: "box", label: "car", coordinates: [p(1, 2), p(3.5, 4)] })] : [],
    }));
    items.splice(1500, 0, { filename: `/${"猫".repeat(100_000)}.png`, annotations: [] });
    const { coco, issues } = await cocoOf(items);
    expect(issues).toEqual([]);
    expect(coco.images).toEqual(
      items.map((item, i) => ({
        id: i + 1,
        file_name: item.filename.slice(1),
        ...(item.metadata?.system ?? {}),
      })),
    );
    expect(coco.annotations.map((a) => a.image_id)).toEqual(
      items.flatMap((item, i) => (item.annotations.length ? [i + 1] : [])),
    );
  });

  it("lists a mask of the wrong size where it stands among the other issues, and numbers the rest in order", async () => {
    const good = await encodeMask(maskOf(8, 6, (x, y) => x > y));
    const wrongSize = await encodeMask(maskOf(4, 4, () => true));
    const annotations: ItemAnnotationsJson["annotations"] = [
      buildAnnotation({ type: "box", label: "car", coordinates: [p(1, 1), p(5, 5)] }),
      { ...buildAnnotation({ type: "binary", label: "road", coordinates: wrongSize }), id: "wrong-size" },
      { ...buildAnnotation({ type: "point", label: "eye", coordinates: p(2, 2) }), id: "a-point" },
      buildAnnotation({ type: "binary", label: "road", coordinates: good }),
      { type: "segment", label: "猫", coordinates: [[p(0, 0), p(1, 1)]], id: "two-points" },
      buildAnnotation({ type: "segment", label: "猫", coordinates: [p(0, 0), p(4, 0), p(4, 3)] }),
    ];
    const { coco, issues } = await cocoOf([
      { filename: "/img.png", metadata: { system: { width: 8, height: 6 } }, annotations },
    ]);
    expect(issues.map((e) => [e.constructor, (e as AnnotationInputError).id])).toEqual([
      [AnnotationInputError, "wrong-size"],
      [AnnotationNotExpressibleError, "a-point"],
      [AnnotationInputError, "two-points"],
    ]);
    expect(issues[0]?.message).toMatch(/the mask is 4×4 but its image is 8×6/);
    const category = new Map(coco.categories.map((c) => [c.id, c.name]));
    expect(coco.annotations.map((a) => [a.id, category.get(a.category_id), a.area])).toEqual([
      [1, "car", 16],
      [2, "road", 27], // the mask's pixels x > y of 8×6
      [3, "猫", 6],
    ]);
  });
});
