// Where an item goes on disk when a download keeps remote paths: a name the file system could take
// somewhere else (`..`, `.`, an empty segment, a NUL) is refused rather than rewritten, and the folders
// on the way are made here, one by one, never through a symbolic link (the guard used to be lexical:
// `out/link/x` was written through a link into another folder).
import { lstat, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { UnsafeItemNameError, UnsafeLocalPathError } from "./local-errors.js";

const WINDOWS = process.platform === "win32";
/** Segments a file system takes for something else than a name of its own. */
const unsafeSegment = (s: string) =>
  s === "" || s === "." || s === ".." || s.includes("\0") || (WINDOWS && /[\\:]/.test(s));

/**
 * `.NAME.<itemId>.dataloop-part` (download.ts, partPathOf) and its note, `….dataloop-part.json`; in
 * any case, as a file system that folds case (macOS, Windows) takes them for the same name.
 */
const PART_NAME = /^\..*\.dataloop-part(\.json)?$/is;

/**
 * The local path of a remote one (`/cats/a.jpg`) under `root`; a leading `/` is the dataset's root.
 * @throws UnsafeItemNameError for `.`, `..`, empty segments, NULs (nothing of such an item is written).
 */
export function localPathOf(root: string, remotePath: string): string {
  const segments = (remotePath.startsWith("/") ? remotePath.slice(1) : remotePath).split("/");
  if (segments.some(unsafeSegment)) {
    throw new UnsafeItemNameError({
      message: `The item name ${JSON.stringify(remotePath)} cannot be a local path (an empty, "." or ".." segment, or a NUL); it was not downloaded.`,
      hint: "Rename the item in the dataset, or download it alone with downloadFile to a path of your choice.",
    });
  }
  // A name a download keeps its own files under (`.NAME.<id>.dataloop-part` and its `.json` note): another
  // item's download would write over it, then rename or remove it, after it was reported written.
  if (PART_NAME.test(segments.at(-1) as string)) {
    throw new UnsafeItemNameError({
      message: `The item name ${JSON.stringify(remotePath)} is the name of a download's part file or its note; it was not downloaded.`,
      hint: "Rename the item in the dataset, or download it alone with downloadFile to a path of your choice.",
    });
  }
  return join(root, ...segments);
}

/**
 * The key two local paths clash on when the file system folds case or Unicode forms (macOS, Windows):
 * `A.txt` and `a.txt`, `é` composed and decomposed.
 */
export const foldedPath = (path: string) => path.normalize("NFC").toLowerCase();

/**
 * Makes the folders between `root` (a real path: no link in it) and `path`, one by one; a link or a
 * file on the way is refused, so that what is written under `root` stays there. `checked` holds the
 * folders this run made or found to be folders already: they are not looked at again (a dataset's
 * items share few folders — 100 files a folder is common — so this saves an `lstat` per item).
 * @throws UnsafeLocalPathError
 */
export async function makeParents(root: string, path: string, checked?: Set<string>): Promise<void> {
  const parent = dirname(path);
  if (parent === root || checked?.has(parent)) return;
  const rest = parent.slice(root.length + 1).split(/[\\/]/);
  let at = root;
  for (const segment of rest) {
    at = join(at, segment);
    if (checked?.has(at)) continue;
    let info = await lstat(at).catch(() => undefined);
    if (!info) {
      await mkdir(at).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "EEXIST") throw error;
      });
      info = await lstat(at);
    }
    if (info.isSymbolicLink() || !info.isDirectory()) {
      throw new UnsafeLocalPathError({
        message: `${at} is ${info.isSymbolicLink() ? "a symbolic link" : "not a folder"}: a download is not written through it.`,
        hint: "Download into an empty folder, or remove the link; links inside the target are never followed.",
      });
    }
    checked?.add(at);
  }
}
