// Annotations up and down through the typed client, against a local gateway that keeps them and
// misbehaves on purpose (429, 503, connections reset before and after storing).
import { listenLoopback } from "@dataloop-ts/core/node";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import {
  buildAnnotation,
  type CocoFile,
  cocoToDataloop,
  dataloopToCoco,
  dataloopToYolo,
  downloadAnnotations,
  type ItemAnnotationsJson,
  ItemNotFoundError,
  readAnnotation,
  uploadAnnotations,
  yoloToDataloop,
} from "../src/annotations/index.js";
import { createDataloopClient, DataloopApiError, type DataloopClient } from "../src/index.js";
import { cocoComparable, expectClose, yoloComparable } from "./annotations-compare.js";
import { cocoDataset, everyType, yoloDataset } from "./annotations-fixtures.js";
import { type AnnotationServer, startAnnotationServer } from "./annotations-server.js";

let server: AnnotationServer;
let dl: DataloopClient;

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

beforeEach(async () => {
  await server?.stop();
  server = await startAnnotationServer();
  dl = createDataloopClient({
    gateUrl: server.url,
    auth: { getToken: async () => "opaque-test-token" },
    retry: { attempts: 3, baseDelayMs: 1 },
  });
});
afterAll(() => server?.stop());

const fast = { baseDelayMs: 1, maxDelayMs: 5 };

describe("uploadAnnotations", () => {
  it("with a client that answers errors (throwOnError: false), a refused batch is a failure with its status, bodiless or not", async () => {
    // A gateway that refuses every batch: a 404 with no body, then a 422 with its reasons.
    let n = 0;
    const refusing = await listenLoopback((_req, res) => {
      n++;
      if (n === 1) res.writeHead(404).end();
      else
        res
          .writeHead(422, { "content-type": "application/json" })
          .end(JSON.stringify({ message: "label is required" }));
    });
    try {
      const answering = createDataloopClient({
        gateUrl: refusing.url,
        auth: { getToken: async () => "opaque-test-token" },
        throwOnError: false,
      });
      const box = buildAnnotation({
        type: "box",
        label: "car",
        coordinates: [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
      });
      const summary = await uploadAnnotations(
        answering,
        "d1",
        [
          { itemId: "a".repeat(24), annotations: [box] },
          { itemId: "b".repeat(24), annotations: [box] },
        ],
        { concurrency: 1 },
      );
      expect(summary).toMatchObject({ done: 0, failed: 2, annotations: 0 });
      const statuses = summary.results.map((r) => (r.error as DataloopApiError | undefined)?.status);
      expect(statuses).toEqual([404, 422]);
      expect(summary.results.every((r) => r.error instanceof DataloopApiError)).toBe(true);
    } finally {
      await refusing.stop();
    }
  });

  it("round-trips every annotation type through the gateway", async () => {
    const itemId = server.addItem("/all.png", { width: 8, height: 6 });
    const summary = await uploadAnnotations(dl, "d1", [
      { itemId, annotations: everyType.map((a) => buildAnnotation(a)) },
    ]);
    expect(summary).toMatchObject({ done: 1, failed: 0, annotations: everyType.length });
    const [item] = await all(downloadAnnotations(dl, "d1"));
    expect(item?.filename).toBe("/all.png");
    const back = (item?.annotations ?? []).map((a) => {
      const { id: _id, ...typed } = readAnnotation(a as never);
      const system = { ...typed.metadata?.system };
      delete system.clientId;
      const metadata = { ...typed.metadata, system };
      return Object.keys(system).length || Object.keys(metadata).length > 1
        ? { ...typed, metadata }
        : (({ metadata: _m, ...rest }) => rest)(typed);
    });
    expect(back).toEqual(everyType);
  });

  it("batches per item with a bounded batch size, and reports progress per item", async () => {
    const ids = [server.addItem("/a.jpg"), server.addItem("/b.jpg")];
    const annotations = Array.from({ length: 25 }, (_, i) =>
      buildAnnotation({ type: "point", label: `p${i}`, coordinates: { x: i, y: i } }),
    );
    const progress: number[] = [];
    const summary = await uploadAnnotations(
      dl,
      "d1",
      ids.map((itemId) => ({ itemId, annotations })),
      { batchSize: 10, concurrency: 2, onProgress: (p) => progress.push(p.done) },
    );
    expect(server.counts.get("POST annotations")).toBe(6); // 10 + 10 + 5 per item
    expect(summary.annotations).toBe(50);
    expect(progress).toEqual([1, 2]);
    for (const id of ids)
      expect(server.annotations.get(id)?.map((a) => a.label)).toEqual(annotations.map((a) => a.label));
  });

  it("never creates an annotation twice when the connection resets after the gateway stored the batch", async () => {
    const itemId = server.addItem("/a.jpg");
    server.plan.push("reset-after", "503", "reset-before");
    const annotations = [0, 1, 2].map((i) => buildAnnotation({ type: "class", label: `c${i}` }));
    const summary = await uploadAnnotations(dl, "d1", [{ itemId, annotations }], { ...fast, attempts: 4 });
    expect(summary.failed).toBe(0);
    expect(server.annotations.get(itemId)).toHaveLength(3);
    expect(summary.results[0]).toMatchObject({ ok: true, alreadyThere: 3 });
    expect(summary.results[0]?.ids).toEqual(server.annotations.get(itemId)?.map((a) => a.id));
    // The first POST landed; the check after it found all three, so no second POST went out.
    expect(server.counts.get("POST annotations")).toBe(1);
    expect(server.counts.get("GET annotations")).toBe(1);
  });

  it("retries a 429 and a 503 answered before storing, and sends the batch once it is through", async () => {
    const itemId = server.addItem("/a.jpg");
    server.plan.push("429", "503");
    const annotations = [buildAnnotation({ type: "class", label: "c" })];
    const summary = await uploadAnnotations(dl, "d1", [{ itemId, annotations }], fast);
    expect(summary).toMatchObject({ done: 1, failed: 0, annotations: 1 });
    expect(server.counts.get("POST annotations")).toBe(3);
    expect(server.annotations.get(itemId)).toHaveLength(1);
  });

  it("lists a failing item with its typed error and goes on with the others", async () => {
    const good = server.addItem("/good.jpg");
    server.plan.push("ok", "503", "503", "503");
    const summary = await uploadAnnotations(
      dl,
      "d1",
      [
        { itemId: good, annotations: [buildAnnotation({ type: "class", label: "g" })] },
        { itemId: server.addItem("/bad.jpg"), annotations: [buildAnnotation({ type: "class", label: "b" })] },
        { itemId: "000000000000000000000bad", annotations: [buildAnnotation({ type: "class", label: "x" })] },
        { filename: "/nowhere.jpg", annotations: [buildAnnotation({ type: "class", label: "y" })] },
      ],
      { ...fast, concurrency: 1 },
    );
    expect(summary).toMatchObject({ done: 1, failed: 3 });
    const [, busy, missing, unknown] = summary.results;
    expect(busy?.error).toBeInstanceOf(DataloopApiError);
    expect((busy?.error as DataloopApiError | undefined)?.status).toBe(503);
    expect((missing?.error as DataloopApiError | undefined)?.status).toBe(404);
    expect(unknown?.error).toBeInstanceOf(ItemNotFoundError);
    expect(unknown?.error?.message).toBe('no item "/nowhere.jpg" in dataset d1');
    expect(server.annotations.get(good)).toHaveLength(1);
  });

  it('with results: "failed", the summary keeps only the failed items; every result still goes to onProgress', async () => {
    const ids = [server.addItem("/a.jpg"), server.addItem("/b.jpg"), server.addItem("/c.jpg")];
    const entries = [
      ...ids.map((itemId) => ({ itemId, annotations: [buildAnnotation({ type: "class", label: "k" })] })),
      { filename: "/nowhere.jpg", annotations: [buildAnnotation({ type: "class", label: "y" })] },
    ];
    const seen: string[] = [];
    const summary = await uploadAnnotations(dl, "d1", entries, {
      results: "failed",
      concurrency: 1,
      onProgress: (p) => seen.push(`${p.result.itemId}:${p.result.ids.length}`),
    });
    expect(summary).toMatchObject({ done: 3, failed: 1, annotations: 3 });
    expect(summary.results.map((r) => [r.itemId, r.ok])).toEqual([["/nowhere.jpg", false]]);
    expect(summary.results[0]?.error).toBeInstanceOf(ItemNotFoundError);
    expect(seen).toEqual([...ids.map((id) => `${id}:1`), "/nowhere.jpg:0"]);
  });

  it("finds items by filename with one walk of the dataset", async () => {
    const a = server.addItem("/x/a.jpg");
    const b = server.addItem("/x/b ü.jpg");
    const summary = await uploadAnnotations(dl, "d1", [
      { filename: "/x/a.jpg", annotations: [buildAnnotation({ type: "class", label: "a" })] },
      { filename: "/x/b ü.jpg", annotations: [buildAnnotation({ type: "class", label: "b" })] },
    ]);
    expect(summary.results.map((r) => r.itemId).sort()).toEqual([a, b].sort());
    expect(server.counts.get("query items")).toBe(1);
  });
});

describe("downloadAnnotations", () => {
  it("yields every item (with none too) with its annotations, in the items' order", async () => {
    const ids = Array.from({ length: 7 }, (_, i) => server.addItem(`/p/${i}.jpg`, { width: 10, height: 10 }));
    for (const [n, itemId] of ids.entries())
      if (n % 3)
        await uploadAnnotations(dl, "d1", [
          {
            itemId,
            annotations: Array.from({ length: n }, () => buildAnnotation({ type: "class", label: `l${n}` })),
          },
        ]);
    const pages: Array<{ items: number; annotations: number }> = [];
    const items = await all(downloadAnnotations(dl, "d1", { pageSize: 3, onPage: (p) => pages.push(p) }));
    expect(items.map((i) => [i.filename, i.annotations.length])).toEqual(
      ids.map((_, n) => [`/p/${n}.jpg`, n % 3 ? n : 0]),
    );
    expect(items.map((i) => i.annotations.map((a) => a.label))).toEqual(
      ids.map((_, n) => Array.from({ length: n % 3 ? n : 0 }, () => `l${n}`)),
    );
    // onPage after each group: every item and annotation counted once.
    expect(pages.reduce((n, p) => n + p.items, 0)).toBe(7);
    expect(pages.reduce((n, p) => n + p.annotations, 0)).toBe(1 + 2 + 4 + 5);
    expect(items[0]?.metadata?.system).toEqual({ width: 10, height: 10 });
  });

  /** `count(n)` annotations on each of `items` items, put straight into the gateway; the item ids. */
  function dataset(items: number, count: (n: number) => number, annotationsCount: boolean): string[] {
    let a = 0;
    return Array.from({ length: items }, (_, n) => {
      const itemId = server.addItem(`/many/${n}.jpg`);
      const list = Array.from({ length: count(n) }, () => ({
        id: `a${String(++a).padStart(8, "0")}`,
        itemId,
        type: "class",
        label: `l${n}`,
      }));
      server.annotations.set(itemId, list);
      if (annotationsCount)
        (server.items.get(itemId) as Record<string, unknown>).annotationsCount = list.length;
      return itemId;
    });
  }

  /** Walks a download, after each item counting what the gateway has handed out and the consumer not yet seen. */
  async function inFlight(pageSize: number) {
    let handedOver = 0;
    let most = 0;
    let groups = 0;
    const labels: string[][] = [];
    for await (const item of downloadAnnotations(dl, "d1", { pageSize, onPage: () => groups++ })) {
      handedOver += item.annotations.length;
      most = Math.max(most, server.annotationsServed - handedOver);
      labels.push(item.annotations.map((a) => a.label));
    }
    return { most, labels, groups };
  }

  it("holds at most two pages of annotations fetched and not yet handed out, by the items' annotationsCount", async () => {
    const pageSize = 20;
    // 0 to 12 annotations per item, 300 items: 90 pages' worth in all, 15 pages per page of items.
    const count = (n: number) => (n * 7) % 13;
    dataset(300, count, true);
    const { most, labels, groups } = await inFlight(pageSize);
    expect(labels).toEqual(
      Array.from({ length: 300 }, (_, n) => Array.from({ length: count(n) }, () => `l${n}`)),
    );
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2 * pageSize);
    // Each group's annotations came in one page (one query per group), and none was fetched twice.
    expect(server.counts.get("query annotations")).toBe(groups);
    expect(server.annotationsServed).toBe(labels.flat().length);
  });

  it("holds at most two pages of annotations when the items do not say how many they have (estimated from the last group)", async () => {
    const pageSize = 20;
    dataset(200, () => 5, false);
    const { most, labels } = await inFlight(pageSize);
    expect(labels.flat()).toHaveLength(1000);
    expect(most).toBeLessThanOrEqual(2 * pageSize);
    // Groups learnt from the first: 3 items (15 annotations, 16 planned) a query, not one item each.
    expect(server.counts.get("query annotations")).toBeLessThanOrEqual(1 + Math.ceil(199 / 3));
  });

  it.each([
    ["do not say how many annotations they have", false],
    ["say a stale annotationsCount (0)", true],
  ])(
    "holds at most a page per group when sparse items are followed by dense ones that %s",
    async (_, stale) => {
      const pageSize = 20;
      const count = (n: number) => (n < 60 ? 0 : 15);
      dataset(120, count, false);
      if (stale) for (const item of server.items.values()) item.annotationsCount = 0;
      const groups: Array<{ items: number; annotations: number }> = [];
      const labels: string[][] = [];
      for await (const item of downloadAnnotations(dl, "d1", { pageSize, onPage: (p) => groups.push(p) }))
        labels.push(item.annotations.map((a) => a.label));
      expect(labels).toEqual(
        Array.from({ length: 120 }, (_, n) => Array.from({ length: count(n) }, () => `l${n}`)),
      );
      // Every group held one page at most: a group estimated too small for its annotations was split.
      expect(Math.max(...groups.map((g) => g.annotations))).toBeLessThanOrEqual(pageSize);
      expect(groups.reduce((n, g) => n + g.items, 0)).toBe(120);
      // One change from sparse to dense costs one page let go of, not one per group after it.
      expect(server.counts.get("query annotations")).toBeLessThanOrEqual(groups.length + 1);
      expect(server.annotationsServed).toBeLessThanOrEqual(60 * 15 + pageSize);
    },
  );

  it("a group whose annotations cannot be read ends the walk with the typed error, after the items before it", async () => {
    dataset(40, () => 5, true);
    // The first group's query answers; the next (fetched while the first is handed out) fails 3 times.
    server.queryPlan.push("ok", "503", "503", "503");
    const seen: string[] = [];
    let failure: unknown;
    try {
      for await (const item of downloadAnnotations(dl, "d1", { pageSize: 20 })) seen.push(item.filename);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(DataloopApiError);
    expect((failure as DataloopApiError).status).toBe(503);
    // 16 annotations planned per group (80% of a page) at 5 per item: the first group is 3 items.
    expect(seen).toEqual(["/many/0.jpg", "/many/1.jpg", "/many/2.jpg"]);
    expect(server.counts.get("query annotations")).toBe(4);
  });

  it("a consumer that stops early stops the walk: the group it was in and the next are all that was fetched", async () => {
    dataset(100, () => 5, true);
    for await (const item of downloadAnnotations(dl, "d1", { pageSize: 20 })) {
      expect(item.annotations).toHaveLength(5);
      break;
    }
    expect(server.counts.get("query annotations")).toBe(2);
    expect(server.annotationsServed).toBeLessThanOrEqual(2 * 20);
  });
});

describe("round trips through the gateway", () => {
  it("COCO → upload → download → COCO is the input (ids and area aside)", async () => {
    const input = cocoDataset();
    for (const image of input.images)
      server.addItem(`/${image.file_name}`, { width: image.width ?? 0, height: image.height ?? 0 });
    const conversion = cocoToDataloop(input);
    const summary = await uploadAnnotations(
      dl,
      "d1",
      (async function* () {
        for await (const item of conversion.items)
          yield { filename: item.filename, annotations: item.annotations };
      })(),
    );
    expect(conversion.issues).toEqual([]);
    expect(summary.failed).toBe(0);
    const back = dataloopToCoco(downloadAnnotations(dl, "d1"));
    const coco = JSON.parse((await all(back.items)).join("")) as CocoFile;
    expect(back.issues).toEqual([]);
    expectClose(cocoComparable(coco), cocoComparable(input));
  });

  it("YOLO → upload → download → YOLO is the input (within 1e-6)", async () => {
    const { names, files } = yoloDataset();
    for (const f of files) server.addItem(f.filename, { width: f.width, height: f.height });
    const conversion = yoloToDataloop(files, names);
    const entries: ItemAnnotationsJson[] = await all(conversion.items);
    await uploadAnnotations(
      dl,
      "d1",
      entries.map((e) => ({ filename: e.filename, annotations: e.annotations })),
    );
    const back = dataloopToYolo(downloadAnnotations(dl, "d1"), { names });
    const out = await all(back.items);
    expect(back.issues).toEqual([]);
    expectClose(yoloComparable(out), yoloComparable(files));
  });
});
