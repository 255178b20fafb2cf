// The files an upload of named paths means: a folder walked by hand, entry by entry with `lstat`, so
// that a link is seen as a link (not followed unless asked, and then never out of the named paths), a
// special file is refused, and a folder that cannot be read is listed as failed while the rest goes on.
import type { Dirent } from "node:fs";
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import { basename, join, sep } from "node:path";
import type { DataloopError } from "@dataloop-ts/core";
import picomatch from "picomatch";
import type { UploadEntry } from "./batch.js";
import { fileSource, isPseudoFsPath } from "./file-source.js";
import { UnreadableSourceError } from "./items.js";
import { SpecialFileError, SymlinkNotFollowedError } from "./local-errors.js";

/**
 * The options of `entriesOf` and `uploadDirectory`: the remote folder the files go into, a glob over their relative paths, and whether links inside the named folders are followed.
 * @example
 * ```ts
 * import { entriesOf, type WalkOptions } from "@dataloop-ts/client/node";
 *
 * const options: WalkOptions = { remoteDir: "/photos", pattern: "*.jpg", followSymlinks: false };
 * const entries = await entriesOf("./photos", options);
 * console.log(entries.map((e) => e.remotePath));
 * ```
 */
export interface WalkOptions {
  /** The remote folder the named paths go into (default `/`). */
  remoteDir?: string;
  /** A glob over the paths relative to a named folder (`**\/*.jpg`); files only. */
  pattern?: string;
  /**
   * Follow symbolic links met inside a named folder (default false: each is listed as failed,
   * `SYMLINK_NOT_FOLLOWED`). Even so, a link is followed only to what lies inside a named path.
   */
  followSymlinks?: boolean;
}

const failed = (remotePath: string, localPath: string, error: DataloopError): UploadEntry => ({
  source: new Uint8Array(0),
  remotePath,
  localPath,
  error,
});
const unreadable = (path: string, error: unknown) =>
  new UnreadableSourceError({
    message: `Cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "unreadable"}).`,
    hint: "Check that it exists (a link must lead to a file) and that this user may read it.",
    cause: error,
  });
const special = (path: string) =>
  new SpecialFileError({
    message: `${path} is not a regular file (a FIFO, a socket, a device, or an entry of /proc, /sys or /dev): not uploaded.`,
    hint: "Copy what it holds into a regular file and upload that.",
  });
const within = (path: string, root: string) => path === root || path.startsWith(root + sep);

/**
 * The upload entries of named paths: a file (as `remoteDir/name`), or every file under a folder (or
 * those `pattern` matches) with its relative path under `remoteDir`, in name order. What cannot be
 * uploaded is listed too, with its typed error (the batch reports it, nothing of it is sent): a link not
 * followed, a special file, a file or folder that cannot be read.
 * @example
 * ```ts
 * import { createDataloopClient, uploadItems } from "@dataloop-ts/client";
 * import { entriesOf } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const entries = await entriesOf(["./photos", "./notes.txt"], { remoteDir: "/upload" });
 * const summary = await uploadItems(dl, "64f0c1a2b3c4d5e6f7a8b9c0", entries); // entries listed with an error are reported, not sent
 * console.log(summary.done, summary.failed);
 * ```
 */
export async function entriesOf(
  paths: string | readonly string[],
  options: WalkOptions = {},
): Promise<UploadEntry[]> {
  const named = typeof paths === "string" ? [paths] : paths;
  const remoteDir = (options.remoteDir ?? "/").replace(/\/+$/, "");
  const roots = (await Promise.all(named.map((p) => realpath(p).catch(() => undefined)))).filter(
    (r): r is string => r !== undefined,
  );
  const match = options.pattern ? picomatch(options.pattern, { dot: false }) : undefined;
  const entries: UploadEntry[] = [];

  /** A file to send: read from `real` (no link on the way when `noFollow`), reported as `localPath`. */
  const file = (localPath: string, real: string, remotePath: string, size: number, noFollow: boolean) => {
    entries.push({ source: fileSource(real, { noFollow, size }), remotePath, localPath, size });
  };

  /** Walks `dir`, its entries going to `remoteDir/rel/…`; `ancestors` are the real folders above (a link loop ends there). */
  async function walk(dir: string, rel: string, ancestors: ReadonlySet<string>): Promise<void> {
    let children: Dirent[];
    try {
      children = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      entries.push(failed(`${remoteDir}/${rel}`, dir, unreadable(dir, error)));
      return;
    }
    children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const child of children) {
      const path = join(dir, child.name);
      const childRel = rel ? `${rel}/${child.name}` : child.name;
      const remotePath = `${remoteDir}/${childRel}`;
      if (child.isDirectory()) {
        await walk(path, childRel, ancestors);
        continue;
      }
      if (match && !match(childRel)) continue;
      if (child.isFile()) {
        const size = await lstat(path).then(
          (s) => s.size,
          () => 0,
        );
        file(path, path, remotePath, size, true);
      } else if (child.isSymbolicLink()) {
        await link(path, childRel, ancestors);
      } else entries.push(failed(remotePath, path, special(path)));
    }
  }

  async function link(path: string, rel: string, ancestors: ReadonlySet<string>): Promise<void> {
    const remotePath = `${remoteDir}/${rel}`;
    if (!options.followSymlinks) {
      entries.push(
        failed(
          remotePath,
          path,
          new SymlinkNotFollowedError({
            message: `${path} is a symbolic link, not followed.`,
            hint: "Pass followSymlinks (--follow-symlinks) to upload what a link leads to inside the named paths.",
          }),
        ),
      );
      return;
    }
    let real: string;
    try {
      real = await realpath(path);
    } catch (error) {
      entries.push(failed(remotePath, path, unreadable(path, error)));
      return;
    }
    if (isPseudoFsPath(real)) return void entries.push(failed(remotePath, path, special(path)));
    if (!roots.some((root) => within(real, root))) {
      entries.push(
        failed(
          remotePath,
          path,
          new SymlinkNotFollowedError({
            message: `${path} leads to ${real}, outside the paths named for this upload: not followed.`,
            hint: "Name that path in the upload too, if it is meant to be uploaded.",
          }),
        ),
      );
      return;
    }
    const info = await stat(real).catch(() => undefined);
    if (info?.isDirectory()) {
      if (ancestors.has(real)) {
        entries.push(
          failed(
            remotePath,
            path,
            new SymlinkNotFollowedError({
              message: `${path} leads to ${real}, a folder above it: a loop, not followed.`,
              hint: "Remove the link, or upload without --follow-symlinks.",
            }),
          ),
        );
        return;
      }
      await walk(path, rel, new Set([...ancestors, real]));
    } else if (info?.isFile()) {
      if (match && !match(rel)) return;
      file(path, real, remotePath, info.size, false);
    } else entries.push(failed(remotePath, path, special(path)));
  }

  for (const path of named) {
    // A path named by the user is what they meant, a link included; inside it, links are links.
    const info = await stat(path).catch((error: unknown) => error as Error);
    const real = await realpath(path).catch(() => path);
    const remotePath = `${remoteDir}/${basename(path)}`;
    if (info instanceof Error) entries.push(failed(remotePath, path, unreadable(path, info)));
    else if (isPseudoFsPath(real)) entries.push(failed(remotePath, path, special(path)));
    else if (info.isDirectory()) await walk(path, "", new Set([real]));
    else if (info.isFile()) file(path, real, remotePath, info.size, false);
    else entries.push(failed(remotePath, path, special(path)));
  }
  return entries;
}
