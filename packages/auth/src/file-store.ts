import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { TokenStore } from "./store.js";
import type { TokenSet } from "./token.js";

const fileName = (key: string) => `${key.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 120)}.json`;

/**
 * One JSON file per key (environment) in `dir`, mode 0600 in a 0700 folder, written atomically
 * (temp file, fsync, rename): a crash mid-write leaves the old file or the new, never a torn one.
 */
export function fileStore(dir: string): TokenStore {
  const pathOf = (key: string) => join(dir, fileName(key));
  return {
    async load(key) {
      let text: string;
      try {
        text = await readFile(pathOf(key), "utf8");
      } catch {
        return undefined;
      }
      try {
        const value = JSON.parse(text) as TokenSet;
        return typeof value?.idToken === "string" || typeof value?.refreshToken === "string"
          ? value
          : undefined;
      } catch {
        return undefined; // unreadable: behave as logged out rather than fail every call
      }
    },
    async save(key, tokens) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const target = pathOf(key);
      const tmp = join(dir, `.${fileName(key)}.${randomBytes(6).toString("hex")}.tmp`);
      const handle = await open(tmp, "wx", 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(tokens, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await chmod(tmp, 0o600); // the umask may have narrowed it further, never widened: make it exact
        await rename(tmp, target);
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
