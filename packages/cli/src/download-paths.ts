import { basename, join, resolve, sep } from "node:path";
import type { BatchSummary, DataloopClient } from "@dataloop-ts/client";

type Client = Pick<DataloopClient<false>, "GET" | "POST">;

/**
 * Download failures named by the file they were going to, not only by item id: `downloadItems`
 * reports a failed item by its id alone (a succeeded one by its path). The items' remote paths are
 * read from the query answers as they pass (`POST /datasets/{id}/query`), and the local path is
 * made as `downloadItems` makes it (under outDir; a remote path that climbs out keeps its base name).
 * A `path` on failed results in the client would make this unneeded.
 */
export function namingDownloads(dl: Client, outDir: string) {
  const root = resolve(outDir);
  const paths = new Map<string, string>();
  const localPath = (remote: string) => {
    const path = resolve(root, `.${remote.startsWith("/") ? remote : `/${remote}`}`);
    return path.startsWith(root + sep) ? path : join(root, basename(remote));
  };
  const post = dl.POST.bind(dl) as (...args: unknown[]) => Promise<{ data?: { items?: unknown[] } }>;
  const client = {
    GET: dl.GET.bind(dl),
    async POST(...args: unknown[]) {
      const answer = await post(...args);
      for (const item of answer.data?.items ?? []) {
        const { id, filename, name } = (item ?? {}) as { id?: unknown; filename?: unknown; name?: unknown };
        const remote = filename ?? name;
        if (typeof id === "string" && typeof remote === "string") paths.set(id, localPath(remote));
      }
      return answer;
    },
  } as unknown as Client;
  return {
    client,
    /** The summary with each failed item's key made `LOCAL_PATH (item ID)`. */
    named<T>(summary: BatchSummary<T>): BatchSummary<T> {
      return {
        ...summary,
        results: summary.results.map((r) => {
          const path = r.ok ? undefined : paths.get(r.key);
          return path ? { ...r, key: `${path} (item ${r.key})` } : r;
        }),
      };
    },
  };
}
