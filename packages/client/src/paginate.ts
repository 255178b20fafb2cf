/** A Dataloop page: the shape of the gateway's paged list routes. */
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

export interface PaginateOptions {
  /** First page index (Dataloop counts from 0). */
  startPage?: number;
  /** Stop after this many pages whatever the server says (default 10 000). */
  maxPages?: number;
}

/**
 * Every item of a paged list, page after page, as an async iterator. `fetchPage` makes the typed call.
 * @example
 * for await (const dataset of paginate((page) => client.GET("/datasets", { params: { query: { page } } }).then((r) => r.data)))
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
