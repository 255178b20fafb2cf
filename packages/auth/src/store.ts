import type { TokenSet } from "./token.js";

/**
 * Where a session keeps its tokens between runs.
 * @example
 * ```ts
 * import { createAuth, passwordAuth, type TokenSet, type TokenStore } from "@dataloop-ts/auth";
 *
 * // A store over any key-value service: here a Map standing in for Redis.
 * const kv = new Map<string, string>();
 * const kvStore: TokenStore = {
 *   load: async (key) => {
 *     const text = kv.get(key);
 *     return text === undefined ? undefined : (JSON.parse(text) as TokenSet);
 *   },
 *   save: async (key, tokens) => void kv.set(key, JSON.stringify(tokens)),
 *   delete: async (key) => void kv.delete(key),
 * };
 * const auth = createAuth(passwordAuth({ email: "bot@example.com", password: "…" }), { store: kvStore });
 * ```
 */
export interface TokenStore {
  /** The tokens stored under `key` (one per gateway by default), or undefined when there are none. */
  load(key: string): Promise<TokenSet | undefined>;
  /** Replaces what is stored under `key`; called after each login and refresh. */
  save(key: string, tokens: TokenSet): Promise<void>;
  /** Forgets `key` (a logout, a refused refresh token). */
  delete(key: string): Promise<void>;
  /**
   * Runs `work` (a renewal) while holding every other process off `key`. Optional: a store several
   * processes share (the file store) implements it, and the session then re-reads the store inside it,
   * so that one refresh serves them all and a rotated refresh token is never used twice.
   */
  exclusive?<T>(key: string, work: () => Promise<T>): Promise<T>;
}

/**
 * The default: tokens live as long as the process.
 * @example
 * ```ts
 * import { createAuth, memoryStore, passwordAuth } from "@dataloop-ts/auth";
 *
 * const auth = createAuth(passwordAuth({ email: "bot@example.com", password: "…" }), { store: memoryStore() });
 * ```
 */
export function memoryStore(): TokenStore {
  const map = new Map<string, TokenSet>();
  return {
    load: async (key) => map.get(key),
    save: async (key, tokens) => void map.set(key, { ...tokens }),
    delete: async (key) => void map.delete(key),
  };
}
