import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { removeStaleTempFiles, writeFileAtomic } from "@dataloop-ts/core/node";
import lockfile from "proper-lockfile";
import { StoredSessionCorruptError } from "./errors.js";
import type { TokenStore } from "./store.js";
import type { TokenSet } from "./token.js";

const fileName = (key: string) => `${key.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 120)}.json`;

const optionalString = (v: unknown) => v === undefined || typeof v === "string";
const isTokenSet = (v: unknown): v is TokenSet => {
  const t = v as Record<string, unknown> | null;
  return (
    typeof t === "object" &&
    t !== null &&
    (typeof t.idToken === "string" || typeof t.refreshToken === "string") &&
    optionalString(t.idToken) &&
    optionalString(t.refreshToken) &&
    optionalString(t.accessToken) &&
    (t.expiresAt === undefined || typeof t.expiresAt === "number")
  );
};

/**
 * How long a renewal may hold the lock before others take it over: a lock is kept fresh while its holder
 * lives (proper-lockfile touches it), so this only matters after a `kill -9` mid-refresh.
 */
const STALE_LOCK_MS = 15_000;

/**
 * One JSON file per key (environment) in `dir`, mode 0600, in a folder made 0700 when it is made here (one
 * that exists, maybe shared and sticky like /tmp, keeps its mode),
 * written atomically (temp file, fsync, rename): a crash mid-write leaves the old file or the new, never
 * a torn one, and the temp files such crashes leave are removed by the next save. Renewals take a lock
 * on the entry (proper-lockfile: `<file>.lock`), so that processes sharing the folder (several
 * `dataloop` commands, an SDK process) make one refresh between them.
 * @example
 * ```ts
 * import { homedir } from "node:os";
 * import { join } from "node:path";
 * import { createAuth, passwordAuth } from "@dataloop-ts/auth";
 * import { fileStore } from "@dataloop-ts/auth/node";
 *
 * // Logged in once, the session survives restarts and is shared by every process using the folder.
 * const auth = createAuth(
 *   passwordAuth({ email: "bot@example.com", password: process.env.DATALOOP_PASSWORD ?? "" }),
 *   { store: fileStore(join(homedir(), ".dataloop-ts")) },
 * );
 * ```
 */
export function fileStore(dir: string): TokenStore {
  const pathOf = (key: string) => join(dir, fileName(key));
  return {
    async load(key) {
      let text: string;
      try {
        text = await readFile(pathOf(key), "utf8");
      } catch {
        return undefined; // no stored session
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = undefined;
      }
      if (!isTokenSet(value)) {
        throw new StoredSessionCorruptError({
          message: `The stored session ${pathOf(key)} is not a token set (damaged, or written by something else).`,
          hint: "Log in again (`dataloop login`), which replaces it, or delete the file.",
        });
      }
      return value;
    },
    async save(key, tokens) {
      await writeFileAtomic(pathOf(key), `${JSON.stringify(tokens, null, 2)}\n`, {
        mode: 0o600,
        dirMode: 0o700,
      });
      await removeStaleTempFiles(dir);
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async exclusive(key, work) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      let release: (() => Promise<void>) | undefined;
      try {
        release = await lockfile.lock(pathOf(key), {
          realpath: false, // the session file may not exist yet
          stale: STALE_LOCK_MS,
          retries: { retries: 150, minTimeout: 20, maxTimeout: 200, factor: 1.3 },
        });
      } catch {
        // Not had in time (a wedged holder, a file system without mkdir atomicity): renew unlocked
        // rather than fail; the store's re-read still keeps a rotated token from being used twice.
      }
      try {
        return await work();
      } finally {
        await release?.().catch(() => {});
      }
    },
  };
}
