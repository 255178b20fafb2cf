// The typed errors of the items helpers that touch the local file system (downloads into a folder,
// folder walking for uploads): each a fixed `code`, and a hint that says what to do.
import { DataloopError } from "@dataloop-ts/core";

/**
 * An item name that cannot be a local path: `.`, `..`, empty, a NUL, or one that would climb out of the target.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { UnsafeItemNameError, downloadItems } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const summary = await downloadItems(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "./copy");
 * for (const r of summary.results)
 *   if (r.error instanceof UnsafeItemNameError) console.log(r.key, r.localPath, r.error.code, r.error.hint); // "UNSAFE_ITEM_NAME"
 * ```
 */
export class UnsafeItemNameError extends DataloopError {
  static override readonly code = "UNSAFE_ITEM_NAME" as const;
  override name = "UnsafeItemNameError";
  override readonly code = "UNSAFE_ITEM_NAME" as const;
}

/**
 * The local path of a download leads through a symbolic link or a file, or out of the target folder.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { UnsafeLocalPathError, downloadItems } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const summary = await downloadItems(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "./copy");
 * for (const r of summary.results)
 *   if (r.error instanceof UnsafeLocalPathError) console.log(r.key, r.localPath, r.error.code, r.error.hint); // "UNSAFE_LOCAL_PATH"
 * ```
 */
export class UnsafeLocalPathError extends DataloopError {
  static override readonly code = "UNSAFE_LOCAL_PATH" as const;
  override name = "UnsafeLocalPathError";
  override readonly code = "UNSAFE_LOCAL_PATH" as const;
}

/**
 * Two items of one download map to one local path (case folded): neither is written there.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { LocalPathConflictError, downloadItems } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const summary = await downloadItems(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "./copy");
 * for (const r of summary.results)
 *   if (r.error instanceof LocalPathConflictError) console.log(r.key, r.localPath, r.error.code, r.error.hint); // "LOCAL_PATH_CONFLICT"
 * ```
 */
export class LocalPathConflictError extends DataloopError {
  static override readonly code = "LOCAL_PATH_CONFLICT" as const;
  override name = "LocalPathConflictError";
  override readonly code = "LOCAL_PATH_CONFLICT" as const;
}

/**
 * The gateway sent other bytes than were asked for (a range that does not fit, more than the item's size).
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { DownloadMismatchError, downloadItems } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const summary = await downloadItems(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "./copy");
 * for (const r of summary.results)
 *   if (r.error instanceof DownloadMismatchError) console.log(r.key, r.localPath, r.error.code, r.error.hint); // "DOWNLOAD_MISMATCH"
 * ```
 */
export class DownloadMismatchError extends DataloopError {
  static override readonly code = "DOWNLOAD_MISMATCH" as const;
  override name = "DownloadMismatchError";
  override readonly code = "DOWNLOAD_MISMATCH" as const;
}

/**
 * A symbolic link met while walking a folder for an upload, not followed (not asked to, or it leads out of the named paths).
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { SymlinkNotFollowedError, uploadDirectory } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const summary = await uploadDirectory(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "./photos");
 * for (const r of summary.results)
 *   if (r.error instanceof SymlinkNotFollowedError) console.log(r.key, r.localPath, r.error.code, r.error.hint); // "SYMLINK_NOT_FOLLOWED"
 * ```
 */
export class SymlinkNotFollowedError extends DataloopError {
  static override readonly code = "SYMLINK_NOT_FOLLOWED" as const;
  override name = "SymlinkNotFollowedError";
  override readonly code = "SYMLINK_NOT_FOLLOWED" as const;
}

/**
 * Not a regular file: a FIFO, a socket, a device, or an entry of /proc, /sys or /dev. Never uploaded.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { SpecialFileError, uploadDirectory } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const summary = await uploadDirectory(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "./photos");
 * for (const r of summary.results)
 *   if (r.error instanceof SpecialFileError) console.log(r.key, r.localPath, r.error.code, r.error.hint); // "SPECIAL_FILE"
 * ```
 */
export class SpecialFileError extends DataloopError {
  static override readonly code = "SPECIAL_FILE" as const;
  override name = "SpecialFileError";
  override readonly code = "SPECIAL_FILE" as const;
}

/**
 * Two files of one upload batch would go to one remote path: neither is sent.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { DuplicateRemotePathError, uploadDirectory } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const summary = await uploadDirectory(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "./photos");
 * for (const r of summary.results)
 *   if (r.error instanceof DuplicateRemotePathError) console.log(r.key, r.localPath, r.error.code, r.error.hint); // "DUPLICATE_REMOTE_PATH"
 * ```
 */
export class DuplicateRemotePathError extends DataloopError {
  static override readonly code = "DUPLICATE_REMOTE_PATH" as const;
  override name = "DuplicateRemotePathError";
  override readonly code = "DUPLICATE_REMOTE_PATH" as const;
}

/**
 * An item asked for by id (`downloadItems(…, { ids })`) that the query did not return: gone, or not a file.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { downloadItems, ItemNotFoundError } from "@dataloop-ts/client/node";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const summary = await downloadItems(dl, "64f0c1a2b3c4d5e6f7a8b9c0", "./copy", { ids: ["64f0c1a2b3c4d5e6f7a8b9c1"] });
 * for (const r of summary.results)
 *   if (r.error instanceof ItemNotFoundError) console.log(r.key, r.error.code); // "ITEM_NOT_FOUND"
 * ```
 */
export class ItemNotFoundError extends DataloopError {
  static override readonly code = "ITEM_NOT_FOUND" as const;
  override name = "ItemNotFoundError";
  override readonly code = "ITEM_NOT_FOUND" as const;
}
