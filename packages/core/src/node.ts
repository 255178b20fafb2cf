import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { leadingBytes } from "./file-names.js";

export { type LoopbackServer, listenLoopback } from "./loopback.js";

/**
 * The modes of an atomic write: of the file (`mode`), and of its folder when the write has to make it
 * (`dirMode`).
 * @example
 * ```ts
 * import { homedir } from "node:os";
 * import { join } from "node:path";
 * import { type AtomicWriteOptions, writeFileAtomic } from "@dataloop-ts/core/node";
 *
 * // A secret: readable by its owner only, in a folder only they may enter (when it is made here).
 * const ownerOnly: AtomicWriteOptions = { mode: 0o600, dirMode: 0o700 };
 * await writeFileAtomic(join(homedir(), ".my-tool", "credentials.json"), '{"apiKey":"…"}\n', ownerOnly);
 * ```
 */
export interface AtomicWriteOptions {
  /** File mode of the written file (default: the process's umask applied to 0666). */
  mode?: number;
  /**
   * Mode of the folder when it has to be made, exactly (whatever the umask; e.g. 0o700). A folder that
   * exists is left as it is: it may be shared (a sticky, /tmp-like `DATALOOP_TS_HOME` stays 1777).
   */
  dirMode?: number;
}

/**
 * The temp files of atomic writes: a suffix of the SDK's own, so that the cleanup never takes another
 * program's `.x.<hex>.tmp` for one of them (it did, in a shared folder).
 */
const TMP = /^\..+\.[0-9a-f]{12}\.dataloop-tmp$/;
// The name cut to 200 bytes: the temp name adds 27 to it, and a name is at most 255 bytes (NAME_MAX on
// Linux and macOS), so a legal name of 229 bytes or more made a temp name the file system refused.
const tmpName = (path: string) =>
  join(dirname(path), `.${leadingBytes(basename(path), 200)}.${randomBytes(6).toString("hex")}.dataloop-tmp`);

async function stage(path: string, data: string | Uint8Array, options: AtomicWriteOptions): Promise<string> {
  const dir = dirname(path);
  const made = await mkdir(dir, {
    recursive: true,
    ...(options.dirMode !== undefined ? { mode: options.dirMode } : {}),
  });
  // Exact (the umask may have narrowed it), and only on a folder made here.
  if (options.dirMode !== undefined && made !== undefined) await chmod(dir, options.dirMode);
  const tmp = tmpName(path);
  const handle = await open(tmp, "wx", options.mode ?? 0o666);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  // The umask may have narrowed the mode; a mode asked for is made exact.
  if (options.mode !== undefined) await chmod(tmp, options.mode);
  return tmp;
}

/**
 * Writes `path` so that readers see the old content or the new, never a torn file (temp, fsync, rename).
 * Its folder is made when missing; on a failure the temp file is removed and the error thrown.
 * @example
 * ```ts
 * import { writeFileAtomic } from "@dataloop-ts/core/node";
 *
 * const settings = { project: "my-project", dataset: "images" };
 * // A crash mid-write leaves the old settings.json or the new one, never half of either.
 * await writeFileAtomic("settings.json", `${JSON.stringify(settings, null, 2)}\n`);
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  let tmp: string | undefined;
  try {
    tmp = await stage(path, data, options);
    await rename(tmp, path);
  } catch (error) {
    if (tmp) await rm(tmp, { force: true });
    throw error;
  }
}

/**
 * Writes several files, all-or-nothing as far as the file system allows: every temp first, then the
 * renames in order. When a temp file cannot be written, none of the files is touched.
 * @example
 * ```ts
 * import { writeFilesAtomic } from "@dataloop-ts/core/node";
 *
 * // Generated code and the manifest that pins it: both staged before either replaces the old one.
 * const schema = "export interface paths {}\n";
 * const manifest = { sha256: "…", generatedAt: new Date().toISOString() };
 * await writeFilesAtomic([
 *   ["src/generated/schema.ts", schema],
 *   ["src/generated/manifest.json", `${JSON.stringify(manifest, null, 2)}\n`],
 * ]);
 * ```
 */
export async function writeFilesAtomic(
  files: ReadonlyArray<readonly [string, string | Uint8Array]>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const staged: Array<[string, string]> = [];
  try {
    for (const [path, data] of files) staged.push([await stage(path, data, options), path]);
    for (const [tmp, path] of staged) await rename(tmp, path);
  } catch (error) {
    await Promise.all(staged.map(([tmp]) => rm(tmp, { force: true })));
    throw error;
  }
}

/**
 * Removes temp files that an interrupted atomic write left in `dir` (killed between write and
 * rename), older than `olderThanMs` so that a write in flight in another process is left alone. Only
 * the SDK's own (`.NAME.<12 hex>.dataloop-tmp`): another program's files in a shared folder are not touched.
 * Resolves to how many it removed (0 when `dir` does not exist).
 * @example
 * ```ts
 * import { removeStaleTempFiles, writeFileAtomic } from "@dataloop-ts/core/node";
 *
 * await writeFileAtomic("cache/index.json", "{}\n");
 * // What a process killed mid-write left in cache/ over a minute ago (the default age).
 * const removed = await removeStaleTempFiles("cache");
 * ```
 */
export async function removeStaleTempFiles(dir: string, olderThanMs = 60_000): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  const now = Date.now();
  for (const name of names.filter((n) => TMP.test(n))) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && now - info.mtimeMs > olderThanMs) {
      await rm(path, { force: true });
      removed++;
    }
  }
  return removed;
}
