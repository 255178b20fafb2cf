import { describe, expect, it } from "vitest";
import {
  AnnotationInputError,
  box,
  buildAnnotation,
  classification,
  countsFromString,
  countsToString,
  decodeMask,
  encodeMask,
  maskToCounts,
  polyline,
  readAnnotation,
  rleToMask,
  segment,
} from "../src/annotations/index.js";
import { everyType, maskOf } from "./annotations-fixtures.js";

describe("builders and readers", () => {
  it.each(everyType.map((a) => [a.type + (a.type === "box" && a.angle ? " (rotated)" : ""), a] as const))(
    "a %s reads back as it was built",
    (_name, typed) => {
      const body = buildAnnotation(typed);
      // What the gateway stores is what it was sent, plus its own fields.
      const stored = JSON.parse(JSON.stringify({ ...body, id: "a1", itemId: "i1", creator: "x" }));
      expect(readAnnotation(stored)).toEqual({ ...typed, id: "a1" });
    },
  );

  it("puts a box's angle on the wire as a third element, and only when it is not 0", () => {
    const corners = [
      { x: 1, y: 2 },
      { x: 3, y: 4 },
    ] as [{ x: number; y: number }, { x: number; y: number }];
    expect(box({ label: "b", coordinates: corners, angle: 45 }).coordinates).toEqual([
      { x: 1, y: 2, z: 0 },
      { x: 3, y: 4, z: 0 },
      45,
    ]);
    expect(box({ label: "b", coordinates: corners, angle: 0 }).coordinates).toHaveLength(2);
  });

  it("wraps a polygon's one contour as the gateway takes it, and a class has no geometry", () => {
    const body = segment({
      label: "s",
      coordinates: [
        { x: 0, y: 0 },
        { x: 1, y: 0 },
        { x: 1, y: 1 },
      ],
    });
    expect(body).toEqual({
      type: "segment",
      label: "s",
      coordinates: [
        [
          { x: 0, y: 0, z: 0 },
          { x: 1, y: 0, z: 0 },
          { x: 1, y: 1, z: 0 },
        ],
      ],
    });
    expect(classification({ label: "c" })).toEqual({ type: "class", label: "c", coordinates: [] });
  });

  it("sends metadata with its system part, as the gateway's schema requires: {} when none was given", () => {
    expect(classification({ label: "c", metadata: { user: { by: "me" } } }).metadata).toEqual({
      user: { by: "me" },
      system: {},
    });
    expect(classification({ label: "c", metadata: { system: { frame: 2 } } }).metadata).toEqual({
      system: { frame: 2 },
    });
    expect(classification({ label: "c" })).not.toHaveProperty("metadata");
  });

  it("refuses a polygon with two points and a polyline with one, naming the label", () => {
    const two = () =>
      segment({
        label: "roof",
        coordinates: [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
      });
    expect(two).toThrow(AnnotationInputError);
    expect(two).toThrow(/"roof": a polygon needs at least 3 points, got 2/);
    expect(() => polyline({ label: "l", coordinates: [{ x: 0, y: 0 }] })).toThrow(AnnotationInputError);
    expect(() =>
      box({
        label: "b",
        coordinates: [
          { x: Number.NaN, y: 0 },
          { x: 1, y: 1 },
        ],
      }),
    ).toThrow(/finite/);
  });

  it("reads a stored annotation as the type asked for, or says it is another", () => {
    const stored = {
      ...box({
        label: "b",
        coordinates: [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
      }),
      id: "x9",
    };
    expect(readAnnotation(stored, "box").coordinates[1]).toEqual({ x: 1, y: 1, z: 0 });
    const error = (() => {
      try {
        readAnnotation(stored, "segment", { source: "/a.jpg" });
      } catch (e) {
        return e as AnnotationInputError;
      }
    })();
    expect(error).toBeInstanceOf(AnnotationInputError);
    expect(error?.code).toBe("ANNOTATION_INPUT");
    expect(error?.message).toMatch(/^\/a\.jpg, id x9: "b" \(box\): expected a segment annotation/);
  });

  it("refuses a stored polygon of two points and a box without corners", () => {
    expect(() =>
      readAnnotation({
        type: "segment",
        label: "s",
        coordinates: [
          [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        ],
      }),
    ).toThrow(AnnotationInputError);
    expect(() => readAnnotation({ type: "box", label: "b", coordinates: [{ x: 0 }] })).toThrow(
      /two corner points/,
    );
  });
});

describe("masks", () => {
  it("encodes a mask as an RGBA PNG data URL and decodes it back (alpha > 127)", async () => {
    const mask = maskOf(13, 7, (x, y) => (x + y) % 3 === 0);
    const url = await encodeMask(mask);
    expect(url.startsWith("data:image/png;base64,")).toBe(true);
    expect(await decodeMask(url)).toEqual(mask);
  });

  it("says a mask of the wrong size is one, with its place", async () => {
    const url = await encodeMask(maskOf(4, 3, () => true));
    await expect(decodeMask(url, { width: 5, height: 3 }, { source: "/x.png", id: "a7" })).rejects.toThrow(
      /\/x\.png, id a7: the mask is 4×3 but its image is 5×3/,
    );
    await expect(decodeMask("data:image/png;base64,AAAA")).rejects.toThrow(AnnotationInputError);
  });

  it("reads COCO RLE column-major, both forms, and writes what pycocotools writes", () => {
    // A 3×2 image (h = 2, w = 3); column-major runs: 1 zero, 2 ones, 3 zeros → (0,1) and (1,0) set.
    expect(rleToMask({ size: [2, 3], counts: [1, 2, 3] }).data).toEqual(new Uint8Array([0, 1, 0, 1, 0, 0]));
    const mask = maskOf(50, 40, (x, y) => (x * 7 + y * 3) % 11 < 4);
    const counts = maskToCounts(mask);
    expect(rleToMask({ size: [40, 50], counts })).toEqual(mask);
    expect(countsFromString(countsToString(counts))).toEqual(counts);
    // pycocotools: encode of a 2×2 mask with only (1,1) set is counts [3, 1] → "31"… in its text form.
    expect(countsToString([3, 1])).toBe("31");
    // From the fourth count on, the text holds the difference to the count two before: "0" is 0 + 2, "3" is 3 + 2.
    expect(countsFromString("52203")).toEqual([5, 2, 2, 2, 5]);
    expect(countsToString([5, 2, 2, 2, 5])).toBe("52203");
  });
});
