// Comparisons of converted datasets: ids aside (they are renumbered), categories by name, numbers
// within 1e-6 relative.
import { expect } from "vitest";
import type { CocoFile, YoloOutputFile } from "../src/annotations/index.js";

/** A COCO file as a comparable value: images by file name, annotations by image and content, no ids or area. */
export function cocoComparable(coco: CocoFile) {
  const names = new Map(coco.categories.map((c) => [String(c.id), c.name]));
  const files = new Map(coco.images.map((i) => [String(i.id), i.file_name]));
  const annotations = coco.annotations.map(({ id: _id, area: _area, image_id, category_id, ...rest }) => ({
    image: files.get(String(image_id)),
    category: names.get(String(category_id)),
    ...rest,
    attributes: rest.attributes ?? {},
    iscrowd: rest.iscrowd ?? 0,
  }));
  annotations.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return {
    images: coco.images
      .map(({ id: _id, ...rest }) => rest)
      .sort((a, b) => a.file_name.localeCompare(b.file_name)),
    categories: coco.categories.map((c) => c.name).sort(),
    annotations,
  };
}

export function yoloComparable(files: Array<Pick<YoloOutputFile, "filename" | "text">>) {
  return files
    .map((f) => ({
      filename: f.filename,
      lines: f.text
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(" ").map(Number)),
    }))
    .sort((a, b) => a.filename.localeCompare(b.filename));
}

/** Deep equality where numbers need only agree within 1e-6 relative. */
export function expectClose(actual: unknown, expected: unknown, path = "$"): void {
  if (typeof expected === "number" && typeof actual === "number") {
    const scale = Math.max(Math.abs(expected), Math.abs(actual), 1e-12);
    if (Math.abs(actual - expected) / scale > 1e-6) expect(actual, path).toBe(expected);
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, `${path}.length`).toBe(expected.length);
    for (const [i, e] of expected.entries()) expectClose((actual as unknown[])[i], e, `${path}[${i}]`);
    return;
  }
  if (expected && typeof expected === "object") {
    expect(actual && typeof actual === "object", path).toBeTruthy();
    expect(Object.keys(actual as object).sort(), `${path} keys`).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected))
      expectClose((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}
