// Many items into a folder, their remote paths kept: the query streamed into the download queue (the
// next page asked for as the queue drains, so memory stays bounded whatever the query's length), every
// name checked before a byte of it is written, and two items that would share a local path refused.
import { mkdir, realpath, rm } from "node:fs/promises";
import { type BatchOptions, type BatchSummary, runBatch } from "./batch.js";
import type { DataloopClient } from "./client.js";
import { type DownloadedFile, downloadInto } from "./download.js";
import { ItemNotFoundError, LocalPathConflictError } from "./local-errors.js";
import { foldedPath, localPathOf, makeParents } from "./local-paths.js";
import { type DqlCondition, type DqlFilter, queryDataset } from "./query.js";

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

interface Planned {
  id: string;
  remotePath: string;
  path?: string;
  /** `path` under the root, case folded: what two items clash on. */
  key?: string;
  size?: number;
  /** Its `updatedAt`: a part file kept from another version is not gone on from. */
  version?: string;
  /** Why it is not downloaded, found before any byte is written. */
  error?: Error;
}

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
  /**
   * Local paths claimed so far (case folded) → the item that claimed it: its plan while it is on the
   * page being queued (a conflict can still stop it before a byte), its id once it went to the queue
   * (what a later conflict needs of it). A run keeps one such entry per item, so it is kept small.
   */
  const claimed = new Map<string, Planned | string>();
  /** Folders made or checked for links in this run. */
  const checkedFolders = new Set<string>();
  /** Items that lost a local path to one met later: their result turns into a conflict at the end. */
  const lateConflicts = new Map<string, LocalPathConflictError>();
  const conflict = (a: Planned | string, b: Planned) =>
    new LocalPathConflictError({
      message: `Items ${typeof a === "string" ? a : `${a.id} (${a.remotePath})`} and ${b.id} (${b.remotePath}) map to one local path, ${b.path}; neither is downloaded there.`,
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
  async function* planned(): AsyncGenerator<Planned> {
    yield* listed();
    for (const id of missing)
      yield {
        id,
        remotePath: "",
        error: new ItemNotFoundError({
          message: `Item ${id} is not a file item of dataset ${datasetId} (or matches no filter given).`,
          hint: "Check the id: the item may have been deleted, or be a folder.",
        }),
      };
  }
  async function* listed(): AsyncGenerator<Planned> {
    for (const filter of queries) {
      let pageSize = 0;
      const items = queryDataset(dl, datasetId, {
        filter,
        onPage(page) {
          pageSize = page.items;
          if (!options.ids && total === undefined) total = page.totalItemsCount;
        },
      })[Symbol.asyncIterator]();
      // A page at a time: its names checked against each other and all before, then queued.
      for (;;) {
        const first = await items.next();
        if (first.done) break;
        let page = [first.value];
        while (page.length < pageSize) {
          const next = await items.next();
          if (next.done) break;
          page.push(next.value);
        }
        const plans = page
          .filter((item) => item.type === "file")
          .map((item): Planned | undefined => {
            missing.delete(item.id);
            const remotePath = String(item.filename ?? item.name ?? item.id);
            const size = (item.metadata as { system?: { size?: unknown } } | undefined)?.system?.size;
            const version = (item as { updatedAt?: unknown }).updatedAt;
            const plan: Planned = {
              id: item.id,
              remotePath,
              ...(typeof size === "number" ? { size } : {}),
              ...(typeof version === "string" ? { version } : {}),
            };
            try {
              plan.path = localPathOf(root, remotePath);
            } catch (error) {
              plan.error = error as Error;
              return plan;
            }
            // Under the root, which every path shares: a key a third as long as the path, for a map that
            // holds one per item for the whole run.
            const key = foldedPath(plan.path.slice(root.length));
            plan.key = key;
            const other = claimed.get(key);
            const otherId = typeof other === "string" ? other : other?.id;
            if (!other) claimed.set(key, plan);
            else if (otherId === plan.id)
              return undefined; // listed twice (a gateway's paging bug): once is enough
            else {
              plan.error = conflict(other, plan);
              // On this page, still to be queued: refused before a byte. Gone to the queue: turned at the end.
              if (typeof other !== "string" && other.error === undefined) other.error = plan.error;
              lateConflicts.set(otherId as string, plan.error as LocalPathConflictError);
            }
            return plan;
          });
        // The page's items are not needed any more: only the plans, which the queue takes one by one.
        page = [];
        for (const plan of plans) {
          if (!plan) continue;
          if (plan.key !== undefined && claimed.get(plan.key) === plan) claimed.set(plan.key, plan.id);
          yield plan;
        }
      }
    }
  }

  const summary = await runBatch(
    planned(),
    {
      key: (p) => p.id,
      localPath: (p) => p.path,
      bytes: (_p, file) => file.bytes,
      total: () => total,
      async work(p) {
        if (p.error) throw p.error;
        const path = p.path as string;
        await makeParents(root, path, checkedFolders);
        return downloadInto(dl, p.id, path, {
          ...(p.size !== undefined ? { size: p.size } : {}),
          ...(p.version !== undefined ? { version: p.version } : {}),
          ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
      },
    },
    options,
  );
  // An item that claimed a path and was written before the other one came up (on a later page): both
  // are reported, and the file is removed — which of the two it should hold is not for us to say.
  for (const result of summary.results) {
    const error = lateConflicts.get(result.key);
    // Only a file written (ok) is undone: one that failed wrote nothing there.
    if (!error || !result.ok) continue;
    if (result.localPath) await rm(result.localPath, { force: true });
    summary.done--;
    summary.failed++;
    summary.bytes -= result.value?.bytes ?? 0;
    result.ok = false;
    result.error = error;
    delete result.value;
  }
  return summary;
}
