import type { TwinPage } from "./paging.js";

/**
 * The JSON text of held entities, kept for one generation of the store (any change forgets it all):
 * a DQL page of 1000 items was ~1 MB of `JSON.stringify` on every query, a fifth of the query's CPU in
 * the gateway (twin bench, 100,000 held items); a page of kept texts is a join. Bounded: forgotten
 * when it holds `limit` texts, so that walking every page of a big dataset keeps no copy of it all.
 */
export class EntityJson {
  private generation = -1;
  private texts = new WeakMap<object, string>();
  private count = 0;

  constructor(private readonly limit = 20_000) {}

  text(entity: object, generation: number): string {
    if (generation !== this.generation || this.count >= this.limit) {
      this.generation = generation;
      this.texts = new WeakMap();
      this.count = 0;
    }
    let text = this.texts.get(entity);
    if (text === undefined) {
      text = JSON.stringify(entity);
      this.texts.set(entity, text);
      this.count++;
    }
    return text;
  }
}

/** The page as `JSON.stringify(page)` writes it, from its items' texts. */
export function pageJson<T>(page: TwinPage<T>, text: (entity: T) => string): string {
  return `{"items":[${page.items.map(text).join(",")}],"totalItemsCount":${page.totalItemsCount},"totalPagesCount":${page.totalPagesCount},"hasNextPage":${page.hasNextPage}}`;
}
