/**
 * Ids and randomness that a seed fixes: the same seed and the same requests give the same ids, names and
 * dates on every run (mulberry32: 32 bits of state, enough for test data, and no dependency).
 */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  pick<T>(list: readonly T[]): T;
  /** `n` lowercase hex digits. */
  hex(n: number): string;
}

export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: (list) => list[int(list.length)] as (typeof list)[number],
    hex: (n) => {
      let out = "";
      while (out.length < n) out += int(0x10000).toString(16).padStart(4, "0");
      return out.slice(0, n);
    },
  };
}

/**
 * ObjectId-like ids (24 hex), as the gateway's MongoDB makes them: 4 bytes of seconds, then a counter,
 * then random bytes. The counter sits before the random part (MongoDB puts it last) so that ids sort in
 * the order they were made even within one second: the client's keyset walk (`id > last`, sorted by
 * id) sees new items after old ones, as it does on the gateway, where seconds rarely collide.
 */
export class IdMaker {
  private counter = 0;
  constructor(private readonly rng: Rng) {}

  make(atMs: number): string {
    const seconds = Math.max(0, Math.floor(atMs / 1000)) % 0x100000000;
    this.counter = (this.counter + 1) % 0x1000000;
    return (
      seconds.toString(16).padStart(8, "0") + this.counter.toString(16).padStart(6, "0") + this.rng.hex(10)
    );
  }
}

export const isObjectId = (value: string): boolean => /^[0-9a-f]{24}$/.test(value);
