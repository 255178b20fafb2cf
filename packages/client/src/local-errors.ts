// The typed errors of the items helpers that touch the local file system (downloads into a folder,
// folder walking for uploads): each a fixed `code`, and a hint that says what to do.
import { DataloopError } from "@dataloop-ts/core";

/** An item name that cannot be a local path: `.`, `..`, empty, a NUL, or one that would climb out of the target. */
export class UnsafeItemNameError extends DataloopError {
  static override readonly code = "UNSAFE_ITEM_NAME" as const;
  override name = "UnsafeItemNameError";
  override readonly code = "UNSAFE_ITEM_NAME" as const;
}

/** The local path of a download leads through a symbolic link or a file, or out of the target folder. */
export class UnsafeLocalPathError extends DataloopError {
  static override readonly code = "UNSAFE_LOCAL_PATH" as const;
  override name = "UnsafeLocalPathError";
  override readonly code = "UNSAFE_LOCAL_PATH" as const;
}

/** Two items of one download map to one local path (case folded): neither is written there. */
export class LocalPathConflictError extends DataloopError {
  static override readonly code = "LOCAL_PATH_CONFLICT" as const;
  override name = "LocalPathConflictError";
  override readonly code = "LOCAL_PATH_CONFLICT" as const;
}

/** The gateway sent other bytes than were asked for (a range that does not fit, more than the item's size). */
export class DownloadMismatchError extends DataloopError {
  static override readonly code = "DOWNLOAD_MISMATCH" as const;
  override name = "DownloadMismatchError";
  override readonly code = "DOWNLOAD_MISMATCH" as const;
}

/** A symbolic link met while walking a folder for an upload, not followed (not asked to, or it leads out of the named paths). */
export class SymlinkNotFollowedError extends DataloopError {
  static override readonly code = "SYMLINK_NOT_FOLLOWED" as const;
  override name = "SymlinkNotFollowedError";
  override readonly code = "SYMLINK_NOT_FOLLOWED" as const;
}

/** Not a regular file: a FIFO, a socket, a device, or an entry of /proc, /sys or /dev. Never uploaded. */
export class SpecialFileError extends DataloopError {
  static override readonly code = "SPECIAL_FILE" as const;
  override name = "SpecialFileError";
  override readonly code = "SPECIAL_FILE" as const;
}

/** Two files of one upload batch would go to one remote path: neither is sent. */
export class DuplicateRemotePathError extends DataloopError {
  static override readonly code = "DUPLICATE_REMOTE_PATH" as const;
  override name = "DuplicateRemotePathError";
  override readonly code = "DUPLICATE_REMOTE_PATH" as const;
}

/** An item asked for by id (`downloadItems(…, { ids })`) that the query did not return: gone, or not a file. */
export class ItemNotFoundError extends DataloopError {
  static override readonly code = "ITEM_NOT_FOUND" as const;
  override name = "ItemNotFoundError";
  override readonly code = "ITEM_NOT_FOUND" as const;
}
