// Annotations round trips against the gateway twin (the mock with state, strict): items uploaded with
// `uploadItem`, annotations created with `uploadAnnotations`, read back with `downloadAnnotations` (DQL
// `resource: "annotations"`) — what was built, and COCO and YOLO datasets, come back unchanged.
import { type MockGateway, startMockGateway } from "@dataloop-ts/mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type AnnotationEntry,
  buildAnnotation,
  type CocoFile,
  cocoToDataloop,
  dataloopToCoco,
  dataloopToYolo,
  downloadAnnotations,
  type ItemAnnotationsJson,
  readAnnotation,
  type StoredAnnotation,
  uploadAnnotations,
  yoloToDataloop,
} from "../src/annotations/index.js";
import { createDataloopClient, type DataloopClient, uploadItem } from "../src/index.js";
import { cocoComparable, expectClose, yoloComparable } from "./annotations-compare.js";
import { cocoDataset, everyType, yoloDataset } from "./annotations-fixtures.js";

let gateway: MockGateway;
let dl: DataloopClient;
let datasetId: string;

beforeAll(async () => {
  gateway = await startMockGateway({ strict: true });
  // No client retries: what is retried here is uploadAnnotations' own doing.
  dl = createDataloopClient({
    gateUrl: gateway.gateUrl,
    auth: { email: "bot@example.com", password: "password" },
    retry: false,
  });
});
afterAll(() => gateway?.stop());
beforeEach(async () => {
  gateway.reset();
  const { data: project } = await dl.POST("/projects", { body: { name: "annotations" } });
  const { data: dataset } = await dl.POST("/datasets", {
    body: { name: "labelled", projects: [project?.id as string] },
  });
  datasetId = dataset?.id as string;
});

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/**
 * Uploads an item at `filename` and gives it an image size. Its bytes are not an image (the twin reads
 * the size of PNG and JPEG uploads only), so the size is set as a user of dtlpy would: the item's
 * `metadata.system` updated.
 */
async function imageItem(filename: string, width?: number, height?: number): Promise<string> {
  const { item } = await uploadItem(dl, datasetId, new Blob([`pixels of ${filename}`]), {
    remotePath: filename,
  });
  if (width === undefined || height === undefined) return item.id as string;
  const metadata = (item.metadata ?? {}) as { system?: Record<string, unknown> };
  await dl.PATCH("/items/{id}", {
    params: { path: { id: item.id as string } },
    body: { metadata: { ...metadata, system: { ...metadata.system, width, height } } } as never,
  });
  return item.id as string;
}

/** Uploads every converted item as an item of the dataset, with its size. */
async function uploadItems(items: ItemAnnotationsJson[]) {
  for (const i of items) await imageItem(i.filename, i.metadata?.system?.width, i.metadata?.system?.height);
}

/** What the twin holds of one item (the store, not the routes: the test checks the routes against it). */
const heldOn = (itemId: string) =>
  (gateway.twin.store.annotationsByItem.get(itemId) ?? []) as unknown as StoredAnnotation[];

/** A read-back annotation without the client id uploadAnnotations adds (and an emptied metadata). */
function withoutClientId<T extends { metadata?: { system?: Record<string, unknown> } }>(a: T): T {
  const { clientId: _c, ...system } = a.metadata?.system ?? {};
  const { system: _s, ...metadata } = a.metadata ?? {};
  const kept = { ...metadata, ...(Object.keys(system).length ? { system } : {}) };
  const { metadata: _m, ...rest } = a;
  return (Object.keys(kept).length ? { ...rest, metadata: kept } : rest) as T;
}

describe("annotations against the twin", () => {
  it("every annotation type built, uploaded, downloaded and read is what was built", async () => {
    const itemId = await imageItem("/every type ✓.png", 8, 6);
    const summary = await uploadAnnotations(dl, datasetId, [
      { itemId, annotations: everyType.map((a) => buildAnnotation(a)) },
    ]);
    expect(summary).toMatchObject({ done: 1, failed: 0, annotations: everyType.length });
    const ids = summary.results[0]?.ids ?? [];
    expect(new Set(ids).size).toBe(everyType.length);

    const [item, ...others] = await all(downloadAnnotations(dl, datasetId));
    expect(others).toEqual([]);
    expect(item).toMatchObject({ id: itemId, filename: "/every type ✓.png" });
    expect(item?.metadata?.system).toEqual({ width: 8, height: 6 });
    const byId = new Map(item?.annotations.map((a) => [(a as StoredAnnotation).id, a as StoredAnnotation]));
    const read = ids.map((id, n) => {
      const stored = byId.get(id);
      expect(stored, `annotation ${n} (${everyType[n]?.type})`).toBeDefined();
      const { id: _id, ...typed } = readAnnotation(stored as StoredAnnotation, everyType[n]?.type);
      return withoutClientId(typed);
    });
    expect(read).toEqual(everyType);
  });

  it("COCO → upload → download → COCO is the input (ids and area aside)", async () => {
    const input: CocoFile = cocoDataset();
    const there = cocoToDataloop(input, { source: "instances.json" });
    const items = await all(there.items);
    expect(there.issues).toEqual([]);
    await uploadItems(items);
    // By filename: the dataset is walked once to find each image's item.
    const summary = await uploadAnnotations(
      dl,
      datasetId,
      items.map((i): AnnotationEntry => ({ filename: i.filename, annotations: i.annotations })),
      { batchSize: 2 },
    );
    expect(summary).toMatchObject({ done: items.length, failed: 0 });
    expect(summary.annotations).toBe(items.reduce((n, i) => n + i.annotations.length, 0));

    const down = await all(downloadAnnotations(dl, datasetId, { pageSize: 3 }));
    expect(down.map((i) => i.filename).sort()).toEqual(items.map((i) => i.filename).sort());
    expect(down.find((i) => i.filename === "/empty.jpg")?.annotations).toEqual([]);
    const back = dataloopToCoco(down);
    const coco = JSON.parse((await all(back.items)).join("")) as CocoFile;
    expect(back.issues).toEqual([]);
    expectClose(cocoComparable(coco), cocoComparable(input));
    // The crowd mask went up as a mask and came back as uncompressed RLE; the rotated box kept its angle.
    expect(coco.annotations.filter((a) => a.iscrowd === 1)).toHaveLength(1);
    expect(coco.annotations.some((a) => a.attributes?.rotation === 30)).toBe(true);
  });

  it("YOLO → upload → download → YOLO is the input (within 1e-6)", async () => {
    const { names, files } = yoloDataset();
    const there = yoloToDataloop(files, names);
    const items = await all(there.items);
    expect(there.issues).toEqual([]);
    await uploadItems(items);
    const summary = await uploadAnnotations(
      dl,
      datasetId,
      items.map((i): AnnotationEntry => ({ filename: i.filename, annotations: i.annotations })),
    );
    expect(summary).toMatchObject({ done: files.length, failed: 0, annotations: 3 });

    const back = dataloopToYolo(downloadAnnotations(dl, datasetId), { names });
    const out = await all(back.items);
    expect(back.issues).toEqual([]);
    expect(out.find((f) => f.filename === "/train/empty.jpg")?.text).toBe("");
    expectClose(yoloComparable(out), yoloComparable(files));
    expect(back.names).toEqual(names);
  });

  for (const fault of [{ kind: "status", status: 503 } as const, { kind: "drop" } as const])
    it(`a batch that fails with ${fault.kind === "drop" ? "a dropped connection" : "a 503"} is sent again and creates each annotation once`, async () => {
      const itemId = await imageItem("/retried.jpg", 100, 100);
      const annotations = Array.from({ length: 5 }, (_, n) =>
        buildAnnotation({
          type: "box",
          label: `box ${n}`,
          coordinates: [
            { x: n, y: n },
            { x: n + 10, y: n + 10 },
          ],
        }),
      );
      // The second POST (the second batch of two) fails before the twin stores it: the first rule lets
      // the first POST through (the twin applies the first rule that matches, then drops it after `times`).
      gateway.fault({
        route: "POST /items/{itemId}/annotations",
        fault: { kind: "latency", latencyMs: 0 },
        times: 1,
      });
      gateway.fault({ route: "POST /items/{itemId}/annotations", fault, times: 1 });
      const summary = await uploadAnnotations(dl, datasetId, [{ itemId, annotations }], {
        batchSize: 2,
        baseDelayMs: 1,
      });
      expect(summary).toMatchObject({ done: 1, failed: 0, annotations: 5 });
      const posts = gateway.requests.filter((r) => r.method === "POST" && r.url.endsWith("/annotations"));
      expect(posts.map((r) => r.status)).toEqual([200, fault.kind === "drop" ? 0 : 503, 200, 200]);
      // The retry read the item's annotations first (the first batch's, not this one's) and sent the
      // whole second batch again.
      expect(
        gateway.requests.filter((r) => r.method === "GET" && r.url.endsWith("/annotations")),
      ).toHaveLength(1);

      const held = heldOn(itemId);
      expect(held.map((a) => a.label).sort()).toEqual(annotations.map((a) => a.label).sort());
      const clientIds = held.map((a) => (a.metadata as { system?: { clientId?: string } }).system?.clientId);
      expect(new Set(clientIds).size).toBe(5);
      expect(summary.results[0]?.ids.sort()).toEqual(held.map((a) => a.id).sort());
    });

  for (const fault of [
    { kind: "status", status: 503, afterRoute: true } as const,
    { kind: "drop", afterRoute: true } as const,
  ])
    it(`a batch the twin stored but whose answer was lost (${fault.kind === "drop" ? "connection dropped" : "a 503"} after the route) is not sent again`, async () => {
      const itemId = await imageItem("/stored-then-lost.jpg", 100, 100);
      const annotations = Array.from({ length: 5 }, (_, n) =>
        buildAnnotation({
          type: "box",
          label: `box ${n}`,
          coordinates: [
            { x: n, y: n },
            { x: n + 10, y: n + 10 },
          ],
        }),
      );
      // The second POST (the second batch of two) is stored by the twin, then its answer is lost.
      gateway.fault({ route: "POST /items/{itemId}/annotations", fault, skip: 1, times: 1 });
      const summary = await uploadAnnotations(dl, datasetId, [{ itemId, annotations }], {
        batchSize: 2,
        baseDelayMs: 1,
      });
      expect(summary).toMatchObject({ done: 1, failed: 0, annotations: 5 });
      // The retry read the item's annotations, found the lost batch's two there, and sent only the third batch.
      const posts = gateway.requests.filter((r) => r.method === "POST" && r.url.endsWith("/annotations"));
      expect(posts.map((r) => r.status)).toEqual([200, fault.kind === "drop" ? 0 : 503, 200]);
      expect(
        gateway.requests.filter((r) => r.method === "GET" && r.url.endsWith("/annotations")),
      ).toHaveLength(1);
      expect(summary.results[0]?.alreadyThere).toBe(2);

      const held = heldOn(itemId);
      expect(held.map((a) => a.label).sort()).toEqual(annotations.map((a) => a.label).sort());
      const clientIds = held.map((a) => (a.metadata as { system?: { clientId?: string } }).system?.clientId);
      expect(new Set(clientIds).size).toBe(5);
      expect(summary.results[0]?.ids.sort()).toEqual(held.map((a) => a.id).sort());
    });
});
