import type { TokenSet } from "./token.js";

/** Where a session keeps its tokens between runs. */
export interface TokenStore {
  load(key: string): Promise<TokenSet | undefined>;
  save(key: string, tokens: TokenSet): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The default: tokens live as long as the process. */
export function memoryStore(): TokenStore {
  const map = new Map<string, TokenSet>();
  return {
    load: async (key) => map.get(key),
    save: async (key, tokens) => void map.set(key, { ...tokens }),
    delete: async (key) => void map.delete(key),
  };
}
