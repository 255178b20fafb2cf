import { badRequest } from "./errors.js";

/** The gateway's page of a list: what `paginate` and `queryDataset` read to know where the data ends. */
export interface TwinPage<T> {
  items: T[];
  totalItemsCount: number;
  totalPagesCount: number;
  hasNextPage: boolean;
}

/** The gateway's largest page (and its default), for DQL and the paged lists. */
export const MAX_PAGE_SIZE = 1000;

/** `page` and `pageSize` as numbers, checked: a negative page or a size outside 1…1000 is a 400. */
export function pageParams(page: unknown, pageSize: unknown): { page: number; pageSize: number } {
  const p = page === undefined || page === null || page === "" ? 0 : Number(page);
  const s = pageSize === undefined || pageSize === null || pageSize === "" ? MAX_PAGE_SIZE : Number(pageSize);
  const errors: string[] = [];
  if (!Number.isInteger(p) || p < 0)
    errors.push(`page must be a whole number ≥ 0, got ${JSON.stringify(page)}`);
  if (!Number.isInteger(s) || s < 1 || s > MAX_PAGE_SIZE)
    errors.push(
      `pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${JSON.stringify(pageSize)}`,
    );
  if (errors.length) throw badRequest("Invalid paging", errors);
  return { page: p, pageSize: s };
}

/** One page of `all`, with the counts computed from the data: the last page says `hasNextPage: false`. */
export function pageOf<T>(all: readonly T[], page: number, pageSize: number): TwinPage<T> {
  const start = page * pageSize;
  return {
    items: all.slice(start, start + pageSize),
    totalItemsCount: all.length,
    totalPagesCount: Math.ceil(all.length / pageSize),
    hasNextPage: start + pageSize < all.length,
  };
}
