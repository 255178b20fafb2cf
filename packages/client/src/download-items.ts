// Many items into a folder, their remote paths kept: the query streamed into the download queue (the
// next page asked for as the queue drains, so memory stays bounded whatever the query's length), every
// name checked before a byte of it is written, and two items that would share a local path refused.
import { mkdir, realpath, rm } from "node:fs/promises";
import { sep } from "node:path";
import { type BatchOptions, type BatchResult, type BatchSummary, ResultLog, runBatch } from "./batch.js";
import type { DataloopClient } from "./client.js";
import { type DownloadedFile, downloadInto } from "./download.js";
import { ItemNotFoundError, LocalPathConflictError } from "./local-errors.js";
import { foldedPath, localPathOf, makeParents } from "./local-paths.js";
import { hashOf, PackedMap, PackedNumbers, PackedStrings } from "./packed.js";
import { type DqlCondition, type DqlFilter, type DqlResources, queryDataset } from "./query.js";

/**
 * The options of `downloadItems` (beside a batch's `concurrency`, `onProgress`, `signal`): which items (a DQL `filter`, or `ids`), and the attempts per file.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { type DownloadItemsOptions, downloadItems } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const options: DownloadItemsOptions = {
 *   filter: { $and: [{ dir: "/cats" }] },
 *   attempts: 5,
 *   concurrency: 4,
 *   onProgress: ({ done, failed, total, bytes }) => console.log(`${done + failed}/${total ?? "?"} ${bytes} B`),
 * };
 * await downloadItems(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "./copy", options);
 * ```
 */
export interface DownloadItemsOptions extends BatchOptions<DownloadedFile> {
  /** Which items (DQL); every file item of the dataset without it. */
  filter?: DqlFilter;
  /** These items (by id), within `filter` when there is one too. */
  ids?: readonly string[];
  /** Attempts per file (default 3), each going on from where the last stopped. */
  attempts?: number;
}

/** `DownloadedFile.verified`'s values, by the number a done item holds. */
const VERIFIED: ReadonlyArray<DownloadedFile["verified"]> = ["size", "length", "none"];

/** Ids per query when `ids` are given: DQL's `$in`, in pieces a gateway takes. */
const IDS_PER_QUERY = 500;

/**
 * Downloads the items a DQL filter matches (or those `ids`; every file item of the dataset without
 * either) into `outDir`, keeping their remote paths; bounded concurrency, progress (with the total from
 * the query's first page), and a summary in which every item has its local file or its typed error:
 * an unsafe name (`UNSAFE_ITEM_NAME`), two items on one local path, case folded (`LOCAL_PATH_CONFLICT`,
 * both), a link on the way (`UNSAFE_LOCAL_PATH`), a short or mismatched download, an id asked for that
 * the query did not return (`ITEM_NOT_FOUND`).
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { downloadItems } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * // (client, datasetId, outDir, options): remote paths kept under outDir; a re-run resumes.
 * const summary = await downloadItems(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "./copy", { filter: { $and: [{ dir: "/cats" }] } });
 * for (const r of summary.results) console.log(r.key, r.localPath, r.ok ? r.value?.bytes : r.error?.message);
 * ```
 */
export async function downloadItems(
  dl: Pick<DataloopClient<false>, "GET" | "POST">,
  datasetId: string,
  outDir: string,
  options: DownloadItemsOptions = {},
): Promise<BatchSummary<DownloadedFile>> {
  await mkdir(outDir, { recursive: true });
  // The real target: what is written must stay under it (a link the user named as --out is theirs).
  const root = await realpath(outDir);
  let total: number | undefined = options.ids ? options.ids.length : undefined;
  // Each listed item is a number (its index in these lists) from its page to its result: what a run
  // keeps of an item is held in buffers, not as objects and strings (packed.ts says why).
  const ids = new PackedStrings();
  const remotePaths = new PackedStrings();
  const versions = new PackedStrings();
  /** An item's listed size; once it is done, the bytes written (its result packs what they were checked against). */
  const sizes = new PackedNumbers();
  /** Why an item is not downloaded, found before any byte is written (few). */
  const refused = new Map<number, Error>();
  /** Items without a local path (an unsafe name, an id not found). */
  const pathless = new Set<number>();
  // An item's local path, once its name was checked (localPathOf): the root and its name's segments,
  // as join makes it from names with no empty, "." or ".." segment, but built as `root + name`, which
  // shares the root (a result read from the summary holds a short string of its own, not a whole path).
  const under = root.endsWith(sep) ? root : root + sep;
  const localPath = (n: number) => {
    const name = remotePaths.at(n, remotePaths.startsWith(n, "/") ? 1 : 0);
    return under + (sep === "/" ? name : name.replaceAll("/", sep));
  };
  /** `path` under the root, case folded: what two items clash on (under the root, which all share). */
  const keyOf = (path: string) => foldedPath(path.slice(root.length));
  /**
   * Local paths claimed so far (by a hash of their key) → the item that claimed it. One entry per
   * item for the whole run, so a number for a number; two keys of one hash (rare) are told apart by
   * the claimer's key, made again, and the later one held by its key in `collided`.
   */
  const claimed = new PackedMap();
  const collided = new Map<string, number>();
  const claim = (key: string, n: number): number | undefined => {
    const hash = hashOf(key);
    const other = claimed.get(hash);
    if (other === undefined) {
      claimed.set(hash, n);
      return undefined;
    }
    if (keyOf(localPath(other)) === key) return other;
    const another = collided.get(key);
    if (another === undefined) collided.set(key, n);
    return another;
  };
  /** Folders made or checked for links in this run. */
  const checkedFolders = new Set<string>();
  /** Items that lost a local path to one met later: their result turns into a conflict at the end. */
  const lateConflicts = new Map<number, LocalPathConflictError>();
  const conflict = (a: number, b: number, path: string) =>
    new LocalPathConflictError({
      message: `Items ${ids.at(a)} (${remotePaths.at(a)}) and ${ids.at(b)} (${remotePaths.at(b)}) map to one local path, ${path}; neither is downloaded there.`,
      hint: "Rename one of them in the dataset, or download into a case-sensitive file system, one at a time.",
    });

  const queries: DqlFilter[] = [];
  const base: DqlCondition[] = [...(options.filter?.$and ?? []), { type: "file" }];
  const or = options.filter?.$or ? { $or: options.filter.$or } : {};
  if (options.ids) {
    for (let i = 0; i < options.ids.length; i += IDS_PER_QUERY)
      queries.push({ ...or, $and: [...base, { id: { $in: options.ids.slice(i, i + IDS_PER_QUERY) } }] });
  } else queries.push({ ...or, $and: base });

  /** The ids asked for that no page has held yet: each is reported at the end. */
  const missing = new Set(options.ids);
  async function* planned(): AsyncGenerator<number> {
    yield* listed();
    for (const id of missing) {
      const n = ids.push(id);
      remotePaths.push("");
      versions.push("");
      pathless.add(n);
      refused.set(
        n,
        new ItemNotFoundError({
          message: `Item ${id} is not a file item of dataset ${datasetId} (or matches no filter given).`,
          hint: "Check the id: the item may have been deleted, or be a folder.",
        }),
      );
      yield n;
    }
  }
  /** Items listed twice (a gateway's paging bug): once is enough. */
  const repeated = new Set<number>();
  async function* listed(): AsyncGenerator<number> {
    for (const filter of queries) {
      let pageSize = 0;
      const items = queryDataset(dl, datasetId, {
        filter,
        onPage(page) {
          pageSize = page.items;
          if (!options.ids && total === undefined) total = page.totalItemsCount;
        },
      })[Symbol.asyncIterator]();
      // A page at a time: its names checked against each other and all before, then queued. Each item
      // is put in the lists as it comes (nothing of the page is held): the page is a range of numbers.
      for (;;) {
        const first = await items.next();
        if (first.done) break;
        const from = ids.length;
        let item = first.value;
        for (let listed = 1; ; listed++) {
          if (item.type === "file") plan(item, from);
          if (listed >= pageSize) break;
          const next = await items.next();
          if (next.done) break;
          item = next.value;
        }
        const to = ids.length;
        for (let n = from; n < to; n++) if (!repeated.delete(n)) yield n;
      }
    }
  }
  /** Puts an item of the page that starts at `from` in the lists, its name checked. */
  function plan(item: DqlResources["items"], from: number): void {
    missing.delete(item.id);
    const remotePath = String(item.filename ?? item.name ?? item.id);
    const size = (item.metadata as { system?: { size?: unknown } } | undefined)?.system?.size;
    const version = (item as { updatedAt?: unknown }).updatedAt;
    const n = ids.push(item.id);
    remotePaths.push(remotePath);
    versions.push(typeof version === "string" ? version : "");
    if (typeof size === "number") sizes.set(n, size);
    let path: string;
    try {
      path = localPathOf(root, remotePath);
    } catch (error) {
      refused.set(n, error as Error);
      pathless.add(n);
      return;
    }
    const other = claim(keyOf(path), n);
    if (other === undefined) return;
    if (ids.at(other) === item.id) {
      repeated.add(n);
      return;
    }
    const error = conflict(other, n, path);
    refused.set(n, error);
    // On this page, still to be queued: refused before a byte. Gone to the queue: turned at the end.
    if (other >= from && !refused.has(other)) refused.set(other, error);
    lateConflicts.set(other, error);
  }

  /** A done item's result, packed: its number and how its bytes were verified (an index in VERIFIED). */
  const unpack = (packed: number): BatchResult<DownloadedFile> => {
    const n = Math.floor(packed / VERIFIED.length);
    const path = localPath(n);
    const verified = VERIFIED[packed % VERIFIED.length] as DownloadedFile["verified"];
    return { key: ids.at(n), localPath: path, ok: true, value: { path, bytes: sizes.at(n), verified } };
  };
  const log = new ResultLog<DownloadedFile>();
  const summary = await runBatch(
    planned(),
    {
      key: (n) => ids.at(n),
      localPath: (n) => (pathless.has(n) ? undefined : localPath(n)),
      bytes: (_n, file) => file.bytes,
      total: () => total,
      async work(n) {
        const error = refused.get(n);
        if (error) throw error;
        const path = localPath(n);
        const size = sizes.at(n);
        const version = versions.at(n);
        await makeParents(root, path, checkedFolders);
        return downloadInto(dl, ids.at(n), path, {
          ...(!Number.isNaN(size) ? { size } : {}),
          ...(version !== "" ? { version } : {}),
          ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
      },
      pack(n, file) {
        sizes.set(n, file.bytes);
        return n * VERIFIED.length + VERIFIED.indexOf(file.verified);
      },
      unpack,
    },
    options,
    log,
  );
  // An item that claimed a path and was written before the other one came up (on a later page): both
  // are reported, and the file is removed — which of the two it should hold is not for us to say.
  // Only a file written (ok, held packed) is undone: one that failed wrote nothing there.
  if (lateConflicts.size > 0)
    for (let i = 0; i < log.length; i++) {
      const packed = log.at(i);
      if (typeof packed !== "number") continue;
      const error = lateConflicts.get(Math.floor(packed / VERIFIED.length));
      if (!error) continue;
      const result = unpack(packed);
      await rm(result.localPath as string, { force: true });
      summary.done--;
      summary.failed++;
      summary.bytes -= result.value?.bytes ?? 0;
      log.set(i, { key: result.key, localPath: result.localPath as string, ok: false, error });
    }
  return summary;
}
