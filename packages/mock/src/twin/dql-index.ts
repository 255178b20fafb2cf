/**
 * What DQL reads of one held list (a dataset's items), kept between queries: a column per field path
 * (the values in list order, so that a filter reads a flat array instead of walking 100,000 objects'
 * dotted paths) and a sort order per sort key (positions sorted once, so that a page of a sorted query
 * is a walk, not a sort of the matches). Valid for one generation of the store: any change of the held
 * data makes a new one (TwinStore.changed). Measured on the twin bench's query (100,000 items, two
 * `$in` conditions, sorted by a dotted number field, page of 1000), in process with load average 11:
 * `runDql` 73–187 ms without, 6–25 ms over kept columns and order; building them (the first query
 * after a change) ~130–300 ms.
 */

type Direction = 1 | -1;

/** A value the scalar fast path cannot decide (the path runs through an array, null or a scalar). */
export const UNDECIDED: unique symbol = Symbol("undecided");

/** The value at `keys` as MongoDB's scalar equality sees it: an array or non-object on the way is UNDECIDED. */
export function scalarAt(entity: unknown, keys: readonly string[]): unknown {
  let v = entity;
  for (let k = 0; k < keys.length; k++) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return UNDECIDED;
    v = (v as Record<string, unknown>)[keys[k] as string];
  }
  return v;
}

/** The value at a dotted path's keys, through arrays by index (what a sort compares). */
export function valueAtKeys(value: unknown, keys: readonly string[]): unknown {
  let node = value;
  for (let i = 0; i < keys.length; i++) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[keys[i] as string];
  }
  return node;
}

/** DQL's order of two sort values: missing and null first, numbers by value, the rest as strings. */
export const compareValues = (a: unknown, b: unknown): number => {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * The order of positions by the sort keys' values (`columns[k][position]`); ties by position, so that
 * the order is total and a page is the same page every time (the list is held in id order).
 */
export function positionOrder(
  columns: readonly (readonly unknown[])[],
  directions: readonly Direction[],
): (a: number, b: number) => number {
  if (columns.length === 1) {
    const values = columns[0] as readonly unknown[];
    const dir = directions[0] as Direction;
    return (a, b) => {
      const x = values[a];
      const y = values[b];
      return (
        (typeof x === "number" && typeof y === "number" ? (x - y) * dir : compareValues(x, y) * dir) || a - b
      );
    };
  }
  return (a, b) => {
    for (let k = 0; k < columns.length; k++) {
      const column = columns[k] as readonly unknown[];
      const c = compareValues(column[a], column[b]);
      if (c) return c * (directions[k] as Direction);
    }
    return a - b;
  };
}

export class ListIndex {
  private readonly columns = new Map<string, unknown[]>();
  private readonly orders = new Map<string, Int32Array>();

  constructor(readonly list: readonly unknown[]) {}

  /** The values of a dotted path as the scalar filter reads them (`scalarAt`), in list order. */
  filterColumn(path: string): readonly unknown[] {
    return this.columnsOf([path], [])[0] as unknown[];
  }

  /** The values of a dotted path as a sort reads them (`valueAtKeys`), in list order. */
  sortColumn(path: string): readonly unknown[] {
    return this.columnsOf([], [path])[0] as unknown[];
  }

  /**
   * The filter's and the sort's columns, those not kept yet read in one pass over the list: each
   * pass is a walk through 100,000 objects spread over the heap, and three passes (two filter fields,
   * one sort key) took 157–272 ms against one's 80–137 (in process, the bench's query, load average 11).
   */
  columnsOf(filterPaths: readonly string[], sortPaths: readonly string[]): unknown[][] {
    const wanted = [
      ...filterPaths.map((p) => ({ name: `f ${p}`, keys: p.split("."), read: scalarAt })),
      ...sortPaths.map((p) => ({ name: `s ${p}`, keys: p.split("."), read: valueAtKeys })),
    ];
    const missing = wanted.filter((w) => !this.columns.has(w.name));
    if (missing.length) {
      const list = this.list;
      const made = missing.map(() => new Array<unknown>(list.length));
      for (let i = 0; i < list.length; i++) {
        const entity = list[i];
        for (let c = 0; c < missing.length; c++) {
          const m = missing[c] as (typeof missing)[0];
          (made[c] as unknown[])[i] = m.read(entity, m.keys);
        }
      }
      for (const [c, m] of missing.entries()) this.columns.set(m.name, made[c] as unknown[]);
    }
    return wanted.map((w) => this.columns.get(w.name) as unknown[]);
  }

  /** The positions of the list sorted by `keys` (ties by position). */
  order(keys: ReadonlyArray<readonly [string, Direction]>): Int32Array {
    const name = JSON.stringify(keys);
    let order = this.orders.get(name);
    if (!order) {
      const compare = positionOrder(
        this.columnsOf(
          [],
          keys.map(([path]) => path),
        ),
        keys.map(([, d]) => d),
      );
      order = new Int32Array(this.list.length);
      for (let i = 0; i < order.length; i++) order[i] = i;
      order.sort(compare);
      this.orders.set(name, order);
    }
    return order;
  }
}

/** The lists' indexes of one generation of the held data; a new generation forgets them all. */
export class DqlIndexes {
  private generation = -1;
  private byList = new WeakMap<readonly unknown[], ListIndex>();

  of(list: readonly unknown[], generation: number): ListIndex {
    if (generation !== this.generation) {
      this.generation = generation;
      this.byList = new WeakMap();
    }
    let index = this.byList.get(list);
    if (!index) {
      index = new ListIndex(list);
      this.byList.set(list, index);
    }
    return index;
  }
}
