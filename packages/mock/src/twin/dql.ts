// DQL with sift (17.x), not mingo (7.x). Measured on 100,000 items, a two-field filter ($in + $gte on a
// dotted field), in this process on the 2-core CI machine: sift 40 ms warm (112–120 ms for the first
// runs), mingo 109–193 ms; sift 456 KB installed against mingo's 4.2 MB; both throw on an unknown
// operator ("Unsupported operation: $bogus"), and sift takes a top-level `$not`, which DQL writes and
// mingo 7 refuses ("unknown top level operator: $not"). Aggregation, mingo's strength, DQL does not use.
import { createRequire } from "node:module";
import { type ListIndex, positionOrder, scalarAt, valueAtKeys } from "./dql-index.js";
import { badRequest } from "./errors.js";
import { MAX_PAGE_SIZE, pageOf, pageParams, type TwinPage } from "./paging.js";

// sift is CommonJS typed as an ES module: its exports are read with require, the same under Node's
// ESM and under vitest's interop (a default import is the module object in one, the function in the other).
type Operation = (params: unknown, ownerQuery: unknown, options: unknown, name: string) => unknown;
const siftExports = createRequire(import.meta.url)("sift") as {
  default: (
    query: object,
    options?: { operations?: Record<string, Operation> },
  ) => (value: unknown) => boolean;
  createEqualsOperation: (
    test: (value: unknown) => boolean,
    ownerQuery: unknown,
    options: unknown,
  ) => unknown;
  $in: Operation;
};
const sift = siftExports.default;

/**
 * `$in` of plain values as a Set lookup. sift's own compares the value with each listed one in turn:
 * with 40 folders listed, 100,000 items took 320–660 ms against 83–125 ms this way (measured side by
 * side on the shared CI box; array fields still match when any element is listed, as sift's
 * equality walks arrays). Anything else (regexes, objects, null) stays sift's.
 */
const $in: Operation = (params, ownerQuery, options, name) => {
  if (Array.isArray(params) && params.every((p) => p !== null && typeof p !== "object")) {
    const set = new Set<unknown>(params);
    return siftExports.createEqualsOperation((value) => set.has(value), ownerQuery, options);
  }
  return siftExports.$in(params, ownerQuery, options, name);
};

/** The operators a DQL filter may use: MongoDB's query family, as Dataloop's `Filters` writes them. */
const OPERATORS = new Set([
  "$and",
  "$or",
  "$nor",
  "$not",
  "$eq",
  "$ne",
  "$gt",
  "$gte",
  "$lt",
  "$lte",
  "$in",
  "$nin",
  "$exists",
  "$regex",
  "$options",
  "$elemMatch",
  "$size",
  "$all",
  "$type",
  "$mod",
]);

/** Every `$…` key of a filter that DQL does not have (`$where` runs code: never). */
function unknownOperators(node: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) for (const v of node) unknownOperators(v, found);
  else if (node && typeof node === "object" && !(node instanceof RegExp))
    for (const [k, v] of Object.entries(node)) {
      if (k.startsWith("$") && !OPERATORS.has(k)) found.add(k);
      unknownOperators(v, found);
    }
  return found;
}

/**
 * A compiled DQL filter: the predicate, and for the common shape (a conjunction of scalar equalities
 * and `$in`s) its checks by path, which a `ListIndex`'s columns can answer without the entities.
 */
export interface CompiledFilter {
  test: (value: unknown) => boolean;
  scalar?: ScalarChecks;
}

/** A predicate for a DQL filter; an operator it does not know is a 400, never a match-all. */
export function compileFilter(filter: unknown): (value: unknown) => boolean {
  return compileDql(filter).test;
}

/** `compileFilter`, with the scalar checks when the filter has their shape. */
export function compileDql(filter: unknown): CompiledFilter {
  if (filter === undefined || filter === null)
    return { test: () => true, scalar: { paths: [], tests: [], sifted: () => true } };
  if (typeof filter !== "object" || Array.isArray(filter))
    throw badRequest("Invalid DQL", ['filter must be an object, e.g. { "$and": [{ "dir": "/cats" }] }']);
  const unknown = unknownOperators(filter);
  if (unknown.size)
    throw badRequest(
      "Invalid DQL",
      [...unknown].map((op) => `unknown query operator ${op}`),
    );
  let sifted: (value: unknown) => boolean;
  try {
    sifted = sift(filter, { operations: { $in } });
  } catch (error) {
    throw badRequest("Invalid DQL", [(error as Error).message]);
  }
  const scalar = scalarChecks(filter as Record<string, unknown>, sifted);
  return scalar ? { test: scalarTest(scalar), scalar } : { test: sifted };
}

type Scalar = string | number | boolean;
const isScalar = (v: unknown): v is Scalar =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/** The checks of a scalar filter: per path (split), a test of a scalar; `sifted` decides the rest. */
export interface ScalarChecks {
  paths: string[][];
  tests: Array<(v: Scalar) => boolean>;
  sifted: (value: unknown) => boolean;
}

/**
 * The common DQL — a conjunction of `field: value`, `{ $eq: value }` or `{ $in: [values] }` — decided
 * without sift where the entity's value is a plain string, number or boolean (where MongoDB's
 * equality is `===`); any other value (missing, null, an array, an object, a path through an array)
 * hands the whole entity to sift, so the answer is sift's every time. Undefined when the filter has
 * another shape. Measured on 100,000 items with two `$in` conditions: a fifth of sift's CPU time.
 */
function scalarChecks(
  filter: Record<string, unknown>,
  sifted: (value: unknown) => boolean,
): ScalarChecks | undefined {
  const parts = Object.keys(filter).length === 1 && Array.isArray(filter.$and) ? filter.$and : [filter];
  const checks: Array<{ path: string[]; has: (v: Scalar) => boolean }> = [];
  for (const part of parts) {
    if (!part || typeof part !== "object" || Array.isArray(part)) return undefined;
    for (const [field, condition] of Object.entries(part)) {
      if (field.startsWith("$")) return undefined;
      let has: (v: Scalar) => boolean;
      if (isScalar(condition)) has = (v) => v === condition;
      else if (condition && typeof condition === "object" && !Array.isArray(condition)) {
        const ops = Object.entries(condition);
        const [op, arg] = ops[0] ?? [];
        if (ops.length !== 1) return undefined;
        if (op === "$eq" && isScalar(arg)) has = (v) => v === arg;
        else if (op === "$in" && Array.isArray(arg) && arg.every(isScalar)) {
          const set = new Set<unknown>(arg);
          has = (v) => set.has(v);
        } else return undefined;
      } else return undefined;
      checks.push({ path: field.split("."), has });
    }
  }
  return { paths: checks.map((c) => c.path), tests: checks.map((c) => c.has), sifted };
}

/** The scalar checks as a predicate of an entity (no index). */
function scalarTest({ paths, tests, sifted }: ScalarChecks): (entity: unknown) => boolean {
  // Indexed loops over flat arrays: the for…of with destructuring was a third of the filter's time
  // (CPU profile of the twin bench's query).
  return (entity) => {
    for (let c = 0; c < paths.length; c++) {
      const v = scalarAt(entity, paths[c] as string[]);
      if (!isScalar(v)) return sifted(entity);
      if (!(tests[c] as (v: Scalar) => boolean)(v)) return false;
    }
    return true;
  };
}

/** The value at a dotted path (`metadata.system.size`). */
export function valueAt(value: unknown, path: string): unknown {
  return valueAtKeys(value, path.split("."));
}

type Direction = 1 | -1;

/** DQL's `sort`: `{ field: "ascending" | "descending" | 1 | -1 }`, fields in order. */
export function sortKeys(sort: unknown): Array<[string, Direction]> {
  if (sort === undefined || sort === null) return [];
  if (typeof sort !== "object" || Array.isArray(sort))
    throw badRequest("Invalid DQL", ["sort must be an object"]);
  return Object.entries(sort as Record<string, unknown>).map(([field, d]) => {
    if (d === 1 || d === "ascending" || d === "asc") return [field, 1];
    if (d === -1 || d === "descending" || d === "desc") return [field, -1];
    throw badRequest("Invalid DQL", [`sort.${field} must be "ascending", "descending", 1 or -1`]);
  });
}

export interface DqlQuery {
  resource?: unknown;
  filter?: unknown;
  sort?: unknown;
  page?: unknown;
  pageSize?: unknown;
}

/** Which positions of `all` the filter matches (1) and how many; over the index's columns when it can. */
function matchAll(
  all: readonly unknown[],
  filter: CompiledFilter,
  index: ListIndex | undefined,
): { flags: Uint8Array; count: number } {
  const flags = new Uint8Array(all.length);
  let count = 0;
  const scalar = index && filter.scalar;
  if (index && scalar) {
    const columns = scalar.paths.map((p) => index.filterColumn(p.join(".")));
    const { tests, sifted } = scalar;
    for (let i = 0; i < all.length; i++) {
      let ok = true;
      for (let c = 0; c < columns.length; c++) {
        const v = (columns[c] as readonly unknown[])[i];
        if (!isScalar(v)) {
          ok = sifted(all[i]);
          break;
        }
        if (!(tests[c] as (v: Scalar) => boolean)(v)) {
          ok = false;
          break;
        }
      }
      if (ok) {
        flags[i] = 1;
        count++;
      }
    }
  } else {
    const { test } = filter;
    for (let i = 0; i < all.length; i++)
      if (test(all[i])) {
        flags[i] = 1;
        count++;
      }
  }
  return { flags, count };
}

/**
 * A page of `all` (held in id order) for a DQL query: filtered, sorted, paged. The whole list is
 * matched for `totalItemsCount`, as the gateway counts the whole query. `index`: the list's kept
 * columns and sort orders (a held list of the store, DqlIndexes); without one, the sort keys are read
 * in the filter's pass and the page picked by a bounded heap.
 */
export function runDql<T>(all: readonly T[], query: DqlQuery, index?: ListIndex): TwinPage<T> {
  const { page, pageSize } = pageParams(query.page, query.pageSize ?? MAX_PAGE_SIZE);
  const filter = compileDql(query.filter);
  const keys = sortKeys(query.sort);
  const start = page * pageSize;
  // Held in id order already: sorting by id ascending is a no-op, the keyset walk's case.
  const unsorted = !keys.length || (keys.length === 1 && keys[0]?.[0] === "id" && keys[0][1] === 1);
  if (index) {
    // The columns this query reads, those not kept yet made in one pass.
    index.columnsOf(
      filter.scalar?.paths.map((p) => p.join(".")) ?? [],
      unsorted ? [] : keys.map(([field]) => field),
    );
    const { flags, count } = matchAll(all, filter, index);
    const items: T[] = [];
    const order = unsorted ? undefined : index.order(keys);
    let seen = 0;
    for (let k = 0; k < all.length && items.length < pageSize; k++) {
      const i = order ? (order[k] as number) : k;
      if (flags[i] && seen++ >= start) items.push(all[i] as T);
    }
    return {
      items,
      totalItemsCount: count,
      totalPagesCount: Math.ceil(count / pageSize),
      hasNextPage: start + pageSize < count,
    };
  }
  if (unsorted) return pageOf(all.filter(filter.test), page, pageSize);
  // The sort keys read once per entity into one array per key, not once per comparison (dotted
  // paths: 2 × n log n walks), and no object per entity (the heap holds positions: 40,000 small
  // objects a query kept the collector busy in the CPU profile). The position in `matches` (the held,
  // id order) breaks ties, as the stable full sort did, so that a partial selection gives its page.
  // Read in the filter's pass, while the entity is still in the CPU's cache: a second pass over
  // 40,000 matches cost ~15 ms of CPU more (measured in process, 100,000 held items).
  const keyPaths = keys.map(([field]) => field.split("."));
  const columns: unknown[][] = keys.map(() => []);
  const matches: T[] = [];
  const { test } = filter;
  for (let i = 0; i < all.length; i++) {
    const entity = all[i] as T;
    if (!test(entity)) continue;
    matches.push(entity);
    for (let k = 0; k < keyPaths.length; k++)
      (columns[k] as unknown[]).push(valueAtKeys(entity, keyPaths[k] as string[]));
  }
  const order = positionOrder(
    columns,
    keys.map(([, d]) => d),
  );
  const sorted = firstInOrder(matches.length, start + pageSize, order);
  return {
    items: sorted.slice(start, start + pageSize).map((i) => matches[i] as T),
    totalItemsCount: matches.length,
    totalPagesCount: Math.ceil(matches.length / pageSize),
    hasNextPage: start + pageSize < matches.length,
  };
}
/**
 * The first `count` of the positions 0…n-1 in `order` (a total order: no ties), sorted: a bounded
 * max-heap of `count` when that is a small part of n (n log count comparisons, most positions
 * rejected by one comparison with the heap's top), else a full sort. Measured in the twin bench's
 * query (40,000 matches sorted by a dotted number field, page 0 of 1000): the full sort ~40 ms.
 */
export function firstInOrder(n: number, count: number, order: (a: number, b: number) => number): number[] {
  if (count * 4 >= n) {
    const all = Array.from({ length: n }, (_, i) => i);
    all.sort(order);
    return all.slice(0, count);
  }
  // heap[0] is the last (greatest in `order`) of the best `count` seen so far.
  const heap: number[] = [];
  for (let i = 0; i < n; i++) {
    if (heap.length < count) {
      let j = heap.length;
      heap.push(i);
      while (j > 0) {
        const parent = (j - 1) >> 1;
        if (order(heap[parent] as number, i) >= 0) break;
        heap[j] = heap[parent] as number;
        j = parent;
      }
      heap[j] = i;
    } else if (order(i, heap[0] as number) < 0) {
      let j = 0;
      for (;;) {
        let child = 2 * j + 1;
        if (child >= count) break;
        if (child + 1 < count && order(heap[child + 1] as number, heap[child] as number) > 0) child++;
        if (order(heap[child] as number, i) <= 0) break;
        heap[j] = heap[child] as number;
        j = child;
      }
      heap[j] = i;
    }
  }
  return heap.sort(order);
}
