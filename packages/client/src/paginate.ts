/**
 * A Dataloop page: the shape of the gateway's paged list routes.
 * @example
 * ```ts
 * import { type Page, paginate } from "@dataloop-ts/client";
 *
 * const pages: Array<Page<{ id: string }>> = [
 *   { items: [{ id: "a" }, { id: "b" }], hasNextPage: true },
 *   { items: [{ id: "c" }], hasNextPage: false },
 * ];
 * for await (const { id } of paginate(async (page) => pages[page])) console.log(id);
 * ```
 */
export interface Page<T> {
  items?: T[];
  page?: number;
  pageOffset?: number;
  pageSize?: number;
  hasNextPage?: boolean;
  totalPagesCount?: number;
  totalItemsCount?: number;
}

/** The item type of a page type. */
export type ItemOf<P> = P extends { items?: Array<infer T> } ? T : never;

/**
 * The options of `paginate`: the first page index (`startPage`, Dataloop counts from 0) and `maxPages`, after which it stops whatever the gateway says (default 10 000: raise it for a longer list).
 * @example
 * ```ts
 * import { type PaginateOptions, paginate } from "@dataloop-ts/client";
 *
 * const options: PaginateOptions = { startPage: 2, maxPages: 50_000 };
 * for await (const n of paginate(async (page) => ({ items: [page], hasNextPage: page < 5 }), options)) console.log(n);
 * ```
 */
export interface PaginateOptions {
  /** First page index (Dataloop counts from 0). */
  startPage?: number;
  /** Stop after this many pages whatever the server says (default 10 000). */
  maxPages?: number;
}

/**
 * Every item of a paged list, page after page, as an async iterator. `fetchPage` makes the typed call.
 * Stops after `maxPages` (default 10 000) pages whatever the gateway says: raise it for a longer list.
 * @example
 * ```ts
 * import { createDataloopClient, paginate } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const datasetId = "64f0c1a2b3c4d5e6f7a8b9c0";
 * const pages = (pageOffset: number) =>
 *   dl.GET("/datasets/{datasetId}/items", { params: { path: { datasetId }, query: { pageOffset } } }).then((r) => r.data);
 * for await (const item of paginate(pages, { maxPages: 50_000 })) console.log(item.filename);
 * ```
 */
export async function* paginate<P extends Page<unknown>>(
  fetchPage: (page: number) => Promise<P | undefined>,
  options: PaginateOptions = {},
): AsyncGenerator<ItemOf<P>, void, undefined> {
  const start = options.startPage ?? 0;
  const max = options.maxPages ?? 10_000;
  for (let page = start; page < start + max; page++) {
    const result = await fetchPage(page);
    const items = (result?.items ?? []) as Array<ItemOf<P>>;
    yield* items;
    const more =
      result?.hasNextPage ??
      (result?.totalPagesCount !== undefined ? page + 1 < result.totalPagesCount : items.length > 0);
    if (!more || items.length === 0) return;
  }
}
