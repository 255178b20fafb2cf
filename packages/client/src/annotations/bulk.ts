// Annotations in bulk: many items' annotations up, a dataset's annotations down (one JSON per item).
import { backoffMs, type DataloopError, isTransientStatus, sleep } from "@dataloop-ts/core";
import type { DataloopClient } from "../client.js";
import type { DataloopApiError } from "../errors.js";
import type { DqlFilter } from "../query.js";
import type { Source } from "./conversion.js";
import { ItemNotFoundError } from "./errors.js";
import type { AnnotationBody, ItemAnnotationsJson, StoredAnnotation } from "./types.js";

type Client = Pick<DataloopClient<false>, "GET" | "POST">;

// What only a transfer needs, loaded when one starts: `../errors.js` brings `@dataloop-ts/auth` (and
// jose), ~15 MB of RSS that a process converting files with this entry never uses (the annotations
// bench: "with the SDK's annotations modules loaded").
const transfer = async () => {
  const [{ DataloopApiError, DataloopConnectionError }, { queryDataset }, { default: pMap }] =
    await Promise.all([import("../errors.js"), import("../query.js"), import("p-map")]);
  const isTransient = (error: unknown) =>
    error instanceof DataloopConnectionError ||
    (error instanceof DataloopApiError && isTransientStatus(error.status));
  return { DataloopApiError, isTransient, queryDataset, pMap };
};
type Transfer = Awaited<ReturnType<typeof transfer>>;

/**
 * One item's annotations to create: the item by id, or by its path in the dataset (`/dir/a.jpg`).
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { type AnnotationEntry, box, classification, uploadAnnotations } from "@dataloop-ts/client/annotations";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const entries: AnnotationEntry[] = [
 *   { itemId: "64f0c1a2b3c4d5e6f7a8b9c0", annotations: [classification({ label: "cat" })] },
 *   { filename: "/cats/1.jpg", annotations: [box({ label: "cat", coordinates: [{ x: 0, y: 0 }, { x: 9, y: 9 }] })] },
 * ];
 * await uploadAnnotations(dl, "64f0c1a2b3c4d5e6f7a8b9c1", entries);
 * ```
 */
export type AnnotationEntry = { annotations: Array<AnnotationBody | StoredAnnotation> } & (
  | { itemId: string; filename?: string }
  | { filename: string; itemId?: undefined }
);

/**
 * One item's result in an annotation upload: its id (or filename), `ok`, the ids created, how many a retry found already there, and its typed error.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { type AnnotationUploadResult, uploadAnnotations } from "@dataloop-ts/client/annotations";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const { results } = await uploadAnnotations(dl, "64f0c1a2b3c4d5e6f7a8b9c1", []);
 * const failed: AnnotationUploadResult[] = results.filter((r) => !r.ok);
 * for (const r of failed) console.log(r.itemId, r.filename, r.ids.length, r.alreadyThere, r.error?.message);
 * ```
 */
export interface AnnotationUploadResult {
  /** The item's id, or its filename when that names no item of the dataset. */
  itemId: string;
  filename?: string;
  ok: boolean;
  /** Ids of the annotations created (those found already there after a failed attempt included). */
  ids: string[];
  /** Annotations a retry found had landed already, and so did not send again. */
  alreadyThere: number;
  error?: DataloopError | Error;
}

/**
 * What `uploadAnnotations` resolves to: every item's result, how many items were done and failed, and the annotations created.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { type AnnotationUploadSummary, uploadAnnotations } from "@dataloop-ts/client/annotations";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const summary: AnnotationUploadSummary = await uploadAnnotations(dl, "64f0c1a2b3c4d5e6f7a8b9c1", []);
 * console.log(`${summary.done} items done, ${summary.failed} failed, ${summary.annotations} annotations created`);
 * ```
 */
export interface AnnotationUploadSummary {
  /** Every item's result, in the order they ended; only the failed ones with `results: "failed"`. */
  results: AnnotationUploadResult[];
  /** Items all of whose annotations are in. */
  done: number;
  failed: number;
  /** Annotations created. */
  annotations: number;
}

/**
 * The options of `uploadAnnotations`: annotations per POST, items in flight, retries of a batch (attempts, backoff in ms), progress after each item, and a signal.
 * @example
 * ```ts
 * import type { UploadAnnotationsOptions } from "@dataloop-ts/client/annotations";
 *
 * const options: UploadAnnotationsOptions = {
 *   batchSize: 100,
 *   concurrency: 8,
 *   attempts: 3,
 *   baseDelayMs: 300,
 *   maxDelayMs: 20_000,
 *   results: "failed",
 *   onProgress: ({ done, failed, annotations, result }) => console.log(done, failed, annotations, result.itemId),
 * };
 * console.log(options);
 * ```
 */
export interface UploadAnnotationsOptions {
  /** Annotations per `POST /items/{itemId}/annotations` (default 100): an item with more sends several, one after the other. */
  batchSize?: number;
  /** Items in flight at once (default 8). */
  concurrency?: number;
  /** Tries per batch, the first included (default 3). */
  attempts?: number;
  /** First backoff, ms (default 300), doubling; a `Retry-After` wins. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /**
   * Which items' results the summary keeps: `all` (default) or `failed`, for a run too big to hold
   * every item's ids (100 000 annotations: 100 000 ids kept to the end). Every result still goes to
   * `onProgress`; the counts are the same.
   */
  results?: "all" | "failed";
  /** After each item: the counts so far and its result. */
  onProgress?(progress: {
    done: number;
    failed: number;
    annotations: number;
    result: AnnotationUploadResult;
  }): void;
  signal?: AbortSignal;
}

const clientIdOf = (a: { metadata?: unknown }) =>
  (a.metadata as { system?: { clientId?: unknown } } | undefined)?.system?.clientId as string | undefined;

/** Fields the gateway adds to a stored annotation: never sent back in a request body. */
const SERVER_FIELDS = [
  "id",
  "itemId",
  "datasetId",
  "url",
  "item",
  "dataset",
  "creator",
  "createdAt",
  "updatedAt",
  "updatedBy",
  "hash",
] as const;

/** One annotation as it is sent: its client id, and its body (no server fields, the client id in `metadata.system`). */
interface Ready {
  clientId: string;
  body: AnnotationBody;
}

/**
 * `a` as a request body carrying a client id (its own when it has one, else `fresh`): a shallow copy
 * (its coordinates shared), with as few spreads as the annotation needs; the client serialises the batch
 * in one `JSON.stringify`. Measured against dl.POST with the same bodies built beforehand (CPU, median of
 * 5 rounds in one process, on a loaded 2-core machine): this, the earlier copy (three spreads and a UUID
 * per annotation) and each annotation serialised alone then joined all came out at 1.25–1.35×, the
 * differences within the noise; joined texts make a rope that the transport's encoder flattens again,
 * so the copy is kept. What remains is per item (p-map, the result kept with its ids, async layers).
 */
function ready(a: AnnotationBody | StoredAnnotation, fresh: string): Ready {
  const clientId = clientIdOf(a) ?? fresh;
  let serverField = false;
  for (const k of SERVER_FIELDS) if (k in a) serverField = true;
  let rest = a as Record<string, unknown>;
  // A built body has none of them: the copy without them (delete, slow in V8) only when needed.
  if (serverField) {
    rest = { ...a };
    for (const k of SERVER_FIELDS) delete rest[k];
  }
  const metadata = rest.metadata as { system?: Record<string, unknown> } | undefined;
  const body =
    metadata === undefined
      ? { ...rest, metadata: { system: { clientId } } }
      : { ...rest, metadata: { ...metadata, system: { ...metadata.system, clientId } } };
  return { clientId, body: body as AnnotationBody };
}

/**
 * Creates one batch on an item, never twice. POST is not idempotent, so the client does not retry it;
 * here a batch that fails with a reset, a 429 or a 5xx is retried, but before each retry the item's
 * annotations are read (`GET /items/{itemId}/annotations`, idempotent) and those whose
 * `metadata.system.clientId` is there already are not sent again: a POST whose answer was lost after
 * the gateway stored it creates nothing more. (A request still running on the gateway when the check
 * reads could slip through; a reset or an error status means the gateway is done with it.)
 */
async function sendBatch(
  dl: Client,
  t: Transfer,
  itemId: string,
  batch: Ready[],
  options: UploadAnnotationsOptions,
): Promise<{ ids: string[]; alreadyThere: number }> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const ids: string[] = [];
  let alreadyThere = 0;
  let pending = batch;
  for (let n = 1; ; n++) {
    if (n > 1) {
      const { data } = await dl.GET("/items/{itemId}/annotations", {
        params: { path: { itemId } },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const landed = new Map<string, string>();
      for (const a of (data ?? []) as StoredAnnotation[]) {
        const c = clientIdOf(a);
        if (c) landed.set(c, a.id ?? "");
      }
      const left: Ready[] = [];
      for (const a of pending) {
        const id = landed.get(a.clientId);
        if (id === undefined) left.push(a);
        else {
          ids.push(id);
          alreadyThere++;
        }
      }
      pending = left;
      if (!pending.length) return { ids, alreadyThere };
    }
    try {
      const answered = await dl.POST("/items/{itemId}/annotations", {
        params: { path: { itemId } },
        body: pending.map((r) => r.body) as never,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const { data, error } = answered;
      // A client made with throwOnError: false answers errors instead of throwing them. `response` is
      // made when read (a Response and its Headers per POST): asked only of an answer with no body.
      const response =
        error !== undefined || data === undefined ? (answered as { response: Response }).response : undefined;
      if (response && (error !== undefined || !response.ok))
        throw new t.DataloopApiError({
          status: response.status,
          method: "POST",
          path: new URL(response.url || "http://x/").pathname,
          route: "/items/{itemId}/annotations",
          body: error,
        });
      const created = (Array.isArray(data) ? data : [data]) as StoredAnnotation[];
      for (const a of created) ids.push(a?.id ?? "");
      return { ids, alreadyThere };
    } catch (error) {
      if (n >= attempts || !t.isTransient(error) || options.signal?.aborted) throw error;
      const told = error instanceof t.DataloopApiError ? (error as DataloopApiError).retryAfterMs : undefined;
      await sleep(backoffMs(n, options, told), options.signal);
    }
  }
}

/**
 * Creates many items' annotations: per item in batches of `batchSize` (arrays to
 * `POST /items/{itemId}/annotations`), `concurrency` items at once, with progress and a summary listing
 * every item with the ids created or its typed error; one item's failure never stops the others.
 * Retried batches never create an annotation twice: each annotation carries a client id in
 * `metadata.system.clientId`, checked before a retry (see `sendBatch`).
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { box, uploadAnnotations } from "@dataloop-ts/client/annotations";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const annotations = [box({ label: "car", coordinates: [{ x: 10, y: 20 }, { x: 110, y: 220 }] })];
 * const summary = await uploadAnnotations(dl, "64f0c1a2b3c4d5e6f7a8b9c1", [{ filename: "/cars/1.jpg", annotations }], {
 *   onProgress: (p) => console.log(p.done, p.annotations),
 * });
 * console.log(summary.done, summary.failed, summary.annotations);
 * ```
 */
export async function uploadAnnotations(
  dl: Client,
  datasetId: string,
  entries: Source<AnnotationEntry>,
  options: UploadAnnotationsOptions = {},
): Promise<AnnotationUploadSummary> {
  const size = Math.max(1, options.batchSize ?? 100);
  const keepAll = options.results !== "failed";
  const t = await transfer();
  const { queryDataset } = t;
  const summary: AnnotationUploadSummary = { results: [], done: 0, failed: 0, annotations: 0 };
  // Entries named by filename: the dataset's items are walked once, on the first such entry.
  let byFilename: Promise<Map<string, string>> | undefined;
  const idOf = async (entry: AnnotationEntry) => {
    if (entry.itemId) return entry.itemId;
    byFilename ??= (async () => {
      const map = new Map<string, string>();
      for await (const item of queryDataset(dl, datasetId, { filter: { $and: [{ type: "file" }] } }))
        if ("filename" in item && typeof item.filename === "string") map.set(item.filename, item.id);
      return map;
    })();
    const filename = entry.filename ?? "";
    const id = (await byFilename).get(filename);
    if (!id) throw new ItemNotFoundError({ datasetId, filename });
    return id;
  };
  await t.pMap(
    entries,
    async (entry) => {
      const result: AnnotationUploadResult = {
        itemId: entry.itemId ?? entry.filename,
        ...(entry.filename !== undefined ? { filename: entry.filename } : {}),
        ok: true,
        ids: [],
        alreadyThere: 0,
      };
      try {
        const itemId = await idOf(entry);
        result.itemId = itemId;
        // One random id per item, numbered per annotation: unique, and 1 UUID where there were 10.
        const fresh = crypto.randomUUID();
        const bodies = entry.annotations.map((a, i) => ready(a, `${fresh}.${i}`));
        for (let i = 0; i < bodies.length; i += size) {
          const sent = await sendBatch(
            dl,
            t,
            itemId,
            bodies.length > size ? bodies.slice(i, i + size) : bodies,
            options,
          );
          if (result.ids.length) result.ids.push(...sent.ids);
          else result.ids = sent.ids;
          result.alreadyThere += sent.alreadyThere;
        }
        summary.done++;
      } catch (error) {
        result.ok = false;
        result.error = error as Error;
        summary.failed++;
      }
      summary.annotations += result.ids.length;
      if (!result.ok || keepAll) summary.results.push(result);
      options.onProgress?.({
        done: summary.done,
        failed: summary.failed,
        annotations: summary.annotations,
        result,
      });
    },
    { concurrency: options.concurrency ?? 8, ...(options.signal ? { signal: options.signal } : {}) },
  );
  return summary;
}

/**
 * The options of `downloadAnnotations`: which items (a DQL filter), the page size (what memory holds at once), and a callback after each group of items.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { type DownloadAnnotationsOptions, downloadAnnotations } from "@dataloop-ts/client/annotations";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const options: DownloadAnnotationsOptions = {
 *   filter: { $and: [{ dir: "/cats" }] },
 *   pageSize: 200,
 *   onPage: ({ items, annotations }) => console.log(items, annotations),
 * };
 * for await (const item of downloadAnnotations(dl, "64f0c1a2b3c4d5e6f7a8b9c1", options)) console.log(item.filename);
 * ```
 */
export interface DownloadAnnotationsOptions {
  /** Which items (a DQL filter of items); every file item by default. */
  filter?: DqlFilter;
  /**
   * Entities per DQL page (default and at most 1000): items are asked for a page at a time, and their
   * annotations for groups of items whose annotations fit one page. At most two such groups are held
   * at once (the one being handed out, the next being fetched).
   */
  pageSize?: number;
  /** After each group of items' annotations is fetched: the group's items and annotations. */
  onPage?(page: { items: number; annotations: number }): void;
}

type StoredItem = {
  id: string;
  filename?: string;
  type?: string;
  annotationsCount?: unknown;
  metadata?: { system?: Record<string, unknown> };
};

/** A group of items and their annotations, fetched. */
interface Fetched {
  items: StoredItem[];
  byItem: Map<string, StoredAnnotation[]>;
}

/** The share of a page a group of items is planned to fill: an estimate that runs over still fits in one. */
const GROUP_FILL = 0.8;
/**
 * Items in the first group, per item of a page, when the items do not say how many annotations they
 * have (no estimate yet): a small probe (10 items of a 1000-item page), one page even at 100 per item.
 */
const FIRST_GROUP_SHARE = 0.01;

/**
 * A dataset's annotations, one item at a time in dtlpy's layout (`{ id, filename, metadata, annotations }`),
 * items with none included. It walks the items a page at a time and asks DQL (`resource: "annotations"`,
 * `itemId $in`) for the annotations of a group of them, sized so that they fill about one page: by the
 * items' `annotationsCount` where the gateway gives it, else by the last group's annotations per item.
 * A group whose first page says it has more than a page (the estimate was wrong) is split before more
 * is read. The next group is fetched while this one is handed out: memory holds two groups'
 * annotations, two pages at most (or one item's annotations, when an item alone has more than a page).
 * (A whole page of 1000 items at once held 10 000 annotations in the CLI's download bench; those outlived
 * V8's young generation and grew the heap to 180 MB.)
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { downloadAnnotations } from "@dataloop-ts/client/annotations";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * for await (const item of downloadAnnotations(dl, "64f0c1a2b3c4d5e6f7a8b9c1"))
 *   console.log(item.filename, item.metadata?.system?.width, item.annotations.length);
 * ```
 */
export async function* downloadAnnotations(
  dl: Client,
  datasetId: string,
  options: DownloadAnnotationsOptions = {},
): AsyncGenerator<ItemAnnotationsJson> {
  const { queryDataset } = await transfer();
  const pageSize = Math.min(1000, Math.max(1, options.pageSize ?? 1000));
  const filter: DqlFilter = { ...options.filter, $and: [{ type: "file" }, ...(options.filter?.$and ?? [])] };
  const items = queryDataset(dl, datasetId, { filter, pageSize })[Symbol.asyncIterator]();
  // Items read but not yet in a group (one would have overfilled the last group, or a group was split),
  // in the items' order.
  const held: StoredItem[] = [];
  const target = pageSize * GROUP_FILL;
  // Annotations per item in the last group asked for (its first page's count when it was split): what
  // an item that does not say how many it has is taken to hold. Items come in id order, and annotated
  // ones often together, so the last group says more than the average of all.
  let density: number | undefined;
  // The items' `annotationsCount`, until a group planned by it turns out to hold more than a page.
  let trustCounts = true;
  const nextGroup = async (): Promise<StoredItem[]> => {
    const group: StoredItem[] = [];
    // Before any group, an unknown item counts as a share of the target that makes the first a probe.
    const unknown = density ?? target / Math.max(1, Math.floor(pageSize * FIRST_GROUP_SHARE));
    let planned = 0;
    while (group.length < pageSize) {
      let item = held.shift();
      if (!item) {
        const next = await items.next();
        if (next.done) break;
        item = next.value as StoredItem;
      }
      const count =
        trustCounts && typeof item.annotationsCount === "number" ? item.annotationsCount : unknown;
      if (group.length && planned + count > target) {
        held.unshift(item);
        break;
      }
      group.push(item);
      planned += count;
    }
    return group;
  };
  const fetchGroup = async (): Promise<Fetched | undefined> => {
    let group = await nextGroup();
    if (!group.length) return undefined;
    for (;;) {
      const byItem = new Map<string, StoredAnnotation[]>();
      for (const i of group) byItem.set(i.id, []);
      let count = 0;
      let total = 0;
      const annotations = queryDataset(dl, datasetId, {
        resource: "annotations",
        filter: { $and: [{ itemId: { $in: group.map((i) => i.id) } }] },
        pageSize,
        onPage: (page) => {
          if (!total) total = page.totalItemsCount;
        },
      });
      let overflow = false;
      for await (const a of annotations) {
        // More than a page for this group (the estimate was wrong: the items' counts are stale, or the
        // items are denser than the last group's): its first page is let go of, and a share of the
        // items that fits one page is asked for instead, the others put back. The bound holds whatever
        // the estimate; a wrong one costs a page.
        if (total > pageSize && group.length > 1) {
          overflow = true;
          break;
        }
        const stored = a as StoredAnnotation;
        byItem.get(stored.itemId ?? "")?.push(stored);
        count++;
      }
      density = (overflow ? total : count) / group.length;
      if (overflow) {
        // Planned by the items' counts, and wrong: they are stale, estimates do better from here on.
        if (trustCounts && group.every((i) => typeof i.annotationsCount === "number")) trustCounts = false;
        const keep = Math.max(1, Math.min(group.length - 1, Math.floor((group.length * target) / total)));
        held.unshift(...group.slice(keep));
        group = group.slice(0, keep);
        continue;
      }
      options.onPage?.({ items: group.length, annotations: count });
      return { items: group, byItem };
    }
  };
  let next: Promise<Fetched | undefined> | undefined = fetchGroup();
  try {
    for (;;) {
      const current = await next;
      next = undefined;
      if (!current) return;
      // The next group fetched while this one is handed out (the consumer converts and writes).
      next = fetchGroup();
      // A consumer that stops early never awaits it: its failure is not an unhandled rejection.
      next.catch(() => {});
      const { items: group, byItem } = current;
      for (let k = 0; k < group.length; k++) {
        const item = group[k] as StoredItem;
        group[k] = undefined as never;
        const annotations = byItem.get(item.id) ?? [];
        byItem.delete(item.id);
        const system = item.metadata?.system ?? {};
        yield {
          id: item.id,
          filename: item.filename ?? `/${item.id}`,
          metadata: {
            system: {
              ...(typeof system.width === "number" ? { width: system.width } : {}),
              ...(typeof system.height === "number" ? { height: system.height } : {}),
            },
          },
          annotations,
        };
      }
    }
  } finally {
    // Stopped early: the fetch under way ends before the items' walk is closed (one call at a time on it).
    if (next) await next.catch(() => {});
    await items.return?.(undefined);
  }
}
