import type { DataloopClient } from "./client.js";
import { DataloopResponseError } from "./errors.js";
import type { components } from "./generated/schema.js";
import type { ThrowingClient } from "./types.js";

/**
 * DQL's comparison operators (`{ field: { $op: value } }`).
 * @example
 * ```ts
 * import type { DqlFilter, DqlOperator } from "@dataloop-ts/client";
 *
 * const op: DqlOperator = "$in";
 * const filter: DqlFilter = { $and: [{ dir: { [op]: ["/cats", "/dogs"] } }] };
 * console.log(filter);
 * ```
 */
export type DqlOperator =
  | "$eq"
  | "$ne"
  | "$gt"
  | "$lt"
  | "$gte"
  | "$lte"
  | "$in"
  | "$nin"
  | "$exists"
  | "$match";
/**
 * A value a DQL condition compares with: a string, number, boolean, null, or a list of them (for `$in`, `$nin`).
 * @example
 * ```ts
 * import type { DqlValue } from "@dataloop-ts/client";
 *
 * const values: DqlValue[] = ["/cats", 3, true, null, ["image/jpeg", "image/png"]];
 * console.log(values);
 * ```
 */
export type DqlValue = string | number | boolean | null | ReadonlyArray<string | number | boolean>;
/**
 * One condition: `{ "metadata.system.mimetype": "image/jpeg" }` or `{ "dir": { $in: ["/a", "/b"] } }`.
 * @example
 * ```ts
 * import type { DqlCondition } from "@dataloop-ts/client";
 *
 * const conditions: DqlCondition[] = [
 *   { "metadata.system.mimetype": "image/jpeg" },
 *   { dir: { $in: ["/a", "/b"] } },
 *   { "metadata.user.score": { $gte: 3 } },
 * ];
 * console.log(conditions);
 * ```
 */
export type DqlCondition = Record<string, DqlValue | Partial<Record<DqlOperator, DqlValue>>>;
/**
 * A DQL filter, as Dataloop's `Filters.prepare()` writes it.
 * @example
 * ```ts
 * import { createDataloopClient, type DqlFilter, queryDataset } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const filter: DqlFilter = { $and: [{ dir: "/cats" }, { hidden: false }], $or: [{ annotated: true }] };
 * for await (const item of queryDataset(dl, "64f0c1a2b3c4d5e6f7a8b9c0", { filter })) console.log(item.filename);
 * ```
 */
export interface DqlFilter {
  $and?: DqlCondition[];
  $or?: DqlCondition[];
}

type Schemas = components["schemas"];
/**
 * What a query of each resource yields.
 * @example
 * ```ts
 * import type { DqlResources } from "@dataloop-ts/client";
 *
 * type AnyItem = DqlResources["items"];
 * type StoredAnnotation = DqlResources["annotations"];
 * const label = (a: StoredAnnotation) => a.label;
 * const name = (i: AnyItem) => i.filename;
 * console.log(label, name);
 * ```
 */
export interface DqlResources {
  items: Schemas["APIDatasetFileItem"] | Schemas["APIDatasetDirectoryItem"];
  annotations: Schemas["APIAnnotation"];
}

/**
 * The options of `queryDataset`: the resource (`items` or `annotations`), the DQL filter, the page size (≤ 1000), DQL's `join`, and `onPage` with each page's counts.
 * @example
 * ```ts
 * import { createDataloopClient, type QueryOptions, queryDataset } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const options: QueryOptions<"annotations"> = {
 *   resource: "annotations",
 *   filter: { $and: [{ label: "cat" }] },
 *   pageSize: 500,
 *   onPage: ({ items, totalItemsCount, hasNextPage }) => console.log(items, totalItemsCount, hasNextPage),
 * };
 * for await (const a of queryDataset(dl, "64f0c1a2b3c4d5e6f7a8b9c0", options)) console.log(a.id);
 * ```
 */
export interface QueryOptions<R extends keyof DqlResources> {
  /** `items` (default) or `annotations`. */
  resource?: R;
  filter?: DqlFilter;
  /** Entities per page, at most 1000 (the gateway's maximum and default). */
  pageSize?: number;
  /** DQL's `join` (e.g. items that have annotations matching a filter). */
  join?: Record<string, unknown>;
  /** Called with each page's paging fields as it arrives (`totalItemsCount` counts the whole query). */
  onPage?(page: { items: number; totalItemsCount: number; hasNextPage: boolean }): void;
}

/**
 * Every entity a DQL query of a dataset matches (`POST /datasets/{id}/query`), as an async iterator,
 * typed by the resource. It walks by keyset, as Dataloop's own SDK does for long walks: sorted by `id`,
 * each page asks for `id > the last one seen`, always page 0 — fast at any depth, and an item added or
 * removed meanwhile neither repeats another nor hides one.
 * @example
 * ```ts
 * import { createDataloopClient, queryDataset } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const datasetId = "64f0c1a2b3c4d5e6f7a8b9c0";
 * for await (const item of queryDataset(dl, datasetId, { filter: { $and: [{ dir: "/cats" }] } }))
 *   console.log(item.id, item.filename);
 * for await (const a of queryDataset(dl, datasetId, { resource: "annotations", filter: { $and: [{ label: "cat" }] } }))
 *   console.log(a.id, a.type);
 * ```
 */
export async function* queryDataset<R extends keyof DqlResources = "items">(
  dl: Pick<DataloopClient<boolean>, "POST">,
  datasetId: string,
  options: QueryOptions<R> = {},
): AsyncGenerator<DqlResources[R]> {
  const { filter = {}, pageSize = 1000, join, onPage } = options;
  const resource = options.resource ?? "items";
  let lastId: string | undefined;
  for (;;) {
    const and = [...(filter.$and ?? []), ...(lastId ? [{ id: { $gt: lastId } }] : [])];
    // A read sent as a POST: the client's loop retries it (a known-safe route). An error status throws
    // whatever the client's option, so that a failing query never reads as an empty one.
    const { data, response } = await (dl.POST as ThrowingClient["POST"])("/datasets/{id}/query", {
      throwOnError: true,
      params: { path: { id: datasetId } },
      body: {
        resource,
        filter: { ...filter, ...(and.length ? { $and: and } : {}) },
        sort: { id: "ascending" },
        page: 0,
        pageSize: Math.min(1000, Math.max(1, pageSize)),
        ...(join ? { join } : {}),
      } as never,
    });
    if (typeof data !== "object" || data === null || !Array.isArray(data.items))
      throw new DataloopResponseError({
        status: response.status,
        method: "POST",
        path: `/datasets/${datasetId}/query`,
        reason: "the answer to a query holds no `items` list",
      });
    const items = data.items as Array<DqlResources[R] & { id?: string }>;
    onPage?.({
      items: items.length,
      totalItemsCount: data?.totalItemsCount ?? 0,
      hasNextPage: data?.hasNextPage ?? false,
    });
    const next = items.at(-1)?.id;
    // Each entity let go of as it is handed out: a consumer that keeps a page's worth (the download
    // queue) does not also keep the whole page here until it asks for the next one.
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as DqlResources[R];
      items[i] = undefined as never;
      yield item;
    }
    // The end: no next page, an empty page, or a key that did not move (a server that ignores the keyset).
    if (!data?.hasNextPage || !next || next === lastId) return;
    lastId = next;
  }
}
