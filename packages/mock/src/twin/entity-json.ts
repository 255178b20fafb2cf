import type { TwinPage } from "./paging.js";

/**
 * The JSON of held entities as UTF-8 bytes, kept for one generation of the store (any change forgets
 * it all): a DQL page of 1000 items was ~1 MB of `JSON.stringify` on every query, then encoded to UTF-8
 * twice (`Buffer.byteLength`, the socket's write) — a third of the query's CPU in the gateway (twin
 * bench, 100,000 held items). A page of kept bytes is one copy (`Buffer.concat`). Bounded: forgotten
 * when it holds `limit` entities, so that walking every page of a big dataset keeps no copy of it all.
 */
export class EntityJson {
  private generation = -1;
  private bytes = new WeakMap<object, Buffer>();
  private count = 0;

  constructor(private readonly limit = 20_000) {}

  of(entity: object, generation: number): Buffer {
    if (generation !== this.generation || this.count >= this.limit) {
      this.generation = generation;
      this.bytes = new WeakMap();
      this.count = 0;
    }
    let bytes = this.bytes.get(entity);
    if (bytes === undefined) {
      bytes = Buffer.from(JSON.stringify(entity), "utf8");
      this.bytes.set(entity, bytes);
      this.count++;
    }
    return bytes;
  }
}

const COMMA = Buffer.from(",");

/** The page as `JSON.stringify(page)` writes it (UTF-8), from its items' bytes. */
export function pageJson<T>(page: TwinPage<T>, bytesOf: (entity: T) => Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from('{"items":[')];
  for (let i = 0; i < page.items.length; i++) {
    if (i) parts.push(COMMA);
    parts.push(bytesOf(page.items[i] as T));
  }
  parts.push(
    Buffer.from(
      `],"totalItemsCount":${page.totalItemsCount},"totalPagesCount":${page.totalPagesCount},"hasNextPage":${page.hasNextPage}}`,
    ),
  );
  return Buffer.concat(parts);
}
