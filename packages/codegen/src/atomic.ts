import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Writes `path` so that readers see the old content or the new, never a torn file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(tmp, data, { flush: true });
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** Writes several files, all-or-nothing as far as the file system allows: every temp first, then the renames. */
export async function writeFilesAtomic(
  files: ReadonlyArray<readonly [string, string | Uint8Array]>,
): Promise<void> {
  const staged: Array<[string, string]> = [];
  try {
    for (const [path, data] of files) {
      await mkdir(dirname(path), { recursive: true });
      const tmp = join(dirname(path), `.${randomBytes(6).toString("hex")}.tmp`);
      staged.push([tmp, path]);
      await writeFile(tmp, data, { flush: true });
    }
    for (const [tmp, path] of staged) await rename(tmp, path);
  } catch (error) {
    await Promise.all(staged.map(([tmp]) => rm(tmp, { force: true })));
    throw error;
  }
}
