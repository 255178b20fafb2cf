// Shared by the annotations tests: one typed annotation of every type, and a COCO and a YOLO dataset
// made here (several images, crowd masks, rotated boxes, empty images, unicode labels).
import {
  type Annotation,
  type CocoFile,
  type cocoToDataloop,
  countsToString,
  encodeMask,
  maskToCounts,
} from "../src/annotations/index.js";

const p = (x: number, y: number) => ({ x, y, z: 0 });

export function maskOf(width: number, height: number, inside: (x: number, y: number) => boolean) {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = inside(x, y) ? 1 : 0;
  return { width, height, data };
}

/** One of every type, in the typed shape (what a builder takes, plus `type`). */
export const everyType: Annotation[] = [
  { type: "box", label: "car", coordinates: [p(10.5, 20.25), p(110.125, 220)] },
  { type: "box", label: "car", coordinates: [p(1, 2), p(3, 4)], angle: 33.5, attributes: ["occluded"] },
  { type: "segment", label: "猫", coordinates: [p(0, 0), p(10, 0), p(10, 10), p(0, 10.5)] },
  { type: "polyline", label: "lane", coordinates: [p(0, 0), p(5, 5)] },
  { type: "point", label: "eye", coordinates: p(3.75, 4.5), metadata: { system: { objectId: "7" } } },
  { type: "ellipse", label: "ball", coordinates: { center: p(5, 5), rx: 2, ry: 3, angle: 15 } },
  {
    type: "cube",
    label: "crate",
    coordinates: {
      front_tl: p(0, 0),
      front_tr: p(10, 0),
      front_br: p(10, 10),
      front_bl: p(0, 10),
      back_tl: p(2, 2),
      back_tr: p(12, 2),
      back_br: p(12, 12),
      back_bl: p(2, 12),
      angle: 5,
    },
  },
  { type: "pose", label: "person", coordinates: { templateId: "t1", instanceId: "i1" } },
  {
    type: "note",
    label: "review",
    coordinates: {
      box: [p(1, 1), p(4, 4)],
      note: {
        messages: [{ id: "m1", creator: "a@b.c", time: 1700000000000, body: "check this" }],
        status: "open",
        createTime: 1700000000000,
        creator: "a@b.c",
        asignee: "d@e.f",
      },
      updatedAt: "2026-01-01T00:00:00.000Z",
      updatedBy: "a@b.c",
    },
  },
  {
    type: "subtitle",
    label: "speech",
    coordinates: { text: "hello, world" },
    metadata: { system: { frame: 3, endFrame: 9 } },
  },
  { type: "item_description", label: "description", coordinates: { text: "a sunny street" } },
  { type: "binary", label: "road", coordinates: await encodeMask(maskOf(8, 6, (x, y) => x > y)) },
  { type: "class", label: "daytime", description: "the whole image" },
];

/** A COCO instances file: 4 images (one empty), boxes (one rotated), polygons (one split in two), crowd and compressed masks. */
export function cocoDataset(): CocoFile {
  const crowd = maskOf(40, 30, (x, y) => (x - 20) ** 2 + (y - 15) ** 2 < 64);
  const blob = maskOf(40, 30, (x, y) => x > 30 && y < 10);
  const crowdCounts = maskToCounts(crowd);
  return {
    images: [
      { id: 1, file_name: "a/one.jpg", width: 40, height: 30 },
      { id: 2, file_name: "two ünïcødé.png", width: 640, height: 480 },
      { id: 3, file_name: "empty.jpg", width: 100, height: 100 },
      { id: 4, file_name: "b/c/four.jpg", width: 40, height: 30 },
    ],
    categories: [
      { id: 1, name: "person" },
      { id: 2, name: "猫" },
      { id: 3, name: "crowd 🚶" },
    ],
    annotations: [
      {
        id: 11,
        image_id: 1,
        category_id: 1,
        bbox: [1.5, 2.25, 10.125, 20],
        area: 10.125 * 20,
        iscrowd: 0,
        segmentation: [],
      },
      {
        id: 12,
        image_id: 1,
        category_id: 3,
        iscrowd: 1,
        segmentation: { size: [30, 40], counts: crowdCounts },
        area: crowd.data.reduce((n, v) => n + v, 0),
        bbox: [13, 8, 15, 15],
      },
      {
        id: 21,
        image_id: 2,
        category_id: 2,
        iscrowd: 0,
        segmentation: [[10, 10, 100.5, 10, 100.5, 90.75, 10, 90.75]],
        area: 90.5 * 80.75,
        bbox: [10, 10, 90.5, 80.75],
      },
      {
        id: 22,
        image_id: 2,
        category_id: 2,
        iscrowd: 0,
        segmentation: [
          [200, 200, 300, 200, 250, 280],
          [400, 400, 500, 400, 450, 470],
        ],
        area: 4000 + 3500,
        bbox: [200, 200, 300, 270],
      },
      {
        id: 23,
        image_id: 2,
        category_id: 1,
        iscrowd: 0,
        bbox: [50, 60, 70, 80],
        area: 5600,
        segmentation: [],
        attributes: { rotation: 30, occluded: false },
      },
      {
        id: 41,
        image_id: 4,
        category_id: 1,
        iscrowd: 0,
        segmentation: { size: [30, 40], counts: countsToString(maskToCounts(blob)) },
        area: blob.data.reduce((n, v) => n + v, 0),
        bbox: [31, 0, 9, 10],
      },
    ],
  };
}

/** A YOLO dataset: names, and label files with boxes, polygons, an empty image. */
export function yoloDataset() {
  return {
    names: ["person", "猫", "bicycle 🚲"],
    files: [
      {
        filename: "/train/one.jpg",
        width: 640,
        height: 480,
        text: "0 0.5 0.5 0.25 0.125\n2 0.1 0.2 0.3 0.4\n",
      },
      { filename: "/train/two ü.png", width: 1000, height: 750, text: "1 0.1 0.1 0.9 0.1 0.5 0.8 0.2 0.7\n" },
      { filename: "/train/empty.jpg", width: 320, height: 320, text: "" },
    ],
  };
}

/** The items and issues' messages of a conversion, read whole. */
export const collect = async (c: ReturnType<typeof cocoToDataloop>) => {
  const items = [];
  for await (const i of c.items) items.push(i);
  return { items, issues: c.issues.map((e) => e.message) };
};

/** A file's bytes read by position, as `openCocoFile` reads a file; `closed.n` counts its closes. */
export const bytesSource = (bytes: Uint8Array, closed = { n: 0 }) => ({
  read: async (buffer: Uint8Array, position: number) => {
    const part = bytes.subarray(position, position + buffer.length);
    buffer.set(part);
    return part.length;
  },
  close: async () => {
    closed.n++;
  },
});
