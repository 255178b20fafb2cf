// What a long batch keeps of each item for the whole run (ids, names, sizes, results, the conflict
// map), held in typed arrays and buffers, outside V8's heap. Why: V8 grows its young generation (up
// to 2 × 64 MB of RSS) each time the bytes that survived its scavenges since the last growth exceed
// its size, so a small object or string kept per item — copied once, then promoted — costs twice its
// size in survival, and a Map or an array that grows is copied whole each time it does. Over 100,000
// items the summary's result objects, a page's plans and the conflict map's key strings took the
// young generation from 32 to 128 MB (`--trace-gc-nvp`, bench/items-query.bench.mjs); bytes in a
// typed array never pass through it.

/** Grown by half (not doubled): the old copy and the new are both held while it is copied. */
function grown<A extends Int32Array | Uint32Array | Uint8Array | Float64Array>(a: A, least: number): A {
  const bigger = new (a.constructor as new (length: number) => A)(Math.max(least, Math.ceil(a.length * 1.5)));
  bigger.set(a);
  return bigger;
}

/** A growing list of strings, as bytes in one buffer: `push` gives the index `at` reads it back by. */
export class PackedStrings {
  private bytes = Buffer.allocUnsafeSlow(16 * 1024);
  private used = 0;
  /** Where each string ends, and whether it was written in one byte a code unit (latin1) or two. */
  private ends = new Uint32Array(1024);
  private wide = new Uint8Array(1024);
  length = 0;

  push(s: string): number {
    // Latin1 when every code unit fits a byte (ids, most names): half the bytes of UTF-16LE, and both
    // give back exactly the string written (UTF-8 would not: a lone surrogate comes back as U+FFFD).
    const wide = /[\u0100-\uffff]/.test(s);
    const need = wide ? s.length * 2 : s.length;
    if (this.used + need > this.bytes.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.used + need, Math.ceil(this.bytes.length * 1.5)));
      this.bytes.copy(bigger, 0, 0, this.used);
      this.bytes = bigger;
    }
    if (this.length === this.ends.length) {
      this.ends = grown(this.ends, 0);
      this.wide = grown(this.wide, 0);
    }
    this.used += this.bytes.write(s, this.used, need, wide ? "utf16le" : "latin1");
    this.ends[this.length] = this.used;
    this.wide[this.length] = wide ? 1 : 0;
    return this.length++;
  }

  /** The string at `index`, from its code unit `from` on. */
  at(index: number, from = 0): string {
    const start = (index === 0 ? 0 : (this.ends[index - 1] as number)) + (this.wide[index] ? 2 * from : from);
    return this.bytes.toString(this.wide[index] ? "utf16le" : "latin1", start, this.ends[index]);
  }

  /** Whether the string at `index` starts with `prefix` (one-byte code units), read in place. */
  startsWith(index: number, prefix: string): boolean {
    const start = index === 0 ? 0 : (this.ends[index - 1] as number);
    const unit = this.wide[index] ? 2 : 1;
    if (start + prefix.length * unit > (this.ends[index] as number)) return false;
    for (let i = 0; i < prefix.length; i++)
      if (
        this.bytes[start + i * unit] !== prefix.charCodeAt(i) ||
        (unit === 2 && this.bytes[start + i * 2 + 1] !== 0)
      )
        return false;
    return true;
  }
}

/** A growing list of numbers (NaN where none was set): `set` past the end grows it. */
export class PackedNumbers {
  private values = new Float64Array(1024).fill(Number.NaN);

  set(index: number, value: number): void {
    if (index >= this.values.length) {
      const filled = this.values.length;
      this.values = grown(this.values, index + 1);
      this.values.fill(Number.NaN, filled);
    }
    this.values[index] = value;
  }

  at(index: number): number {
    return index < this.values.length ? (this.values[index] as number) : Number.NaN;
  }
}

/**
 * A map of small non-negative integers (under 2³¹) to small non-negative integers, by open addressing
 * in two typed arrays (the conflict map: a hash of a local path → the item that claimed it).
 */
export class PackedMap {
  private keys = new Int32Array(1024);
  /** The value + 1; 0 is a free slot. */
  private values = new Int32Array(1024);
  private size = 0;

  /** Where a key's probe starts: the high bits of a multiplicative hash (keys alike in their low bits spread). */
  private slotOf(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> (32 - Math.log2(this.keys.length));
  }

  get(key: number): number | undefined {
    const mask = this.keys.length - 1;
    for (let i = this.slotOf(key); ; i = (i + 1) & mask) {
      const v = this.values[i] as number;
      if (v === 0) return undefined;
      if (this.keys[i] === key) return v - 1;
    }
  }

  set(key: number, value: number): void {
    // At most half full: a probe ends soon on a free slot.
    if ((this.size + 1) * 2 > this.keys.length) {
      const { keys, values } = this;
      this.keys = new Int32Array(keys.length * 2);
      this.values = new Int32Array(keys.length * 2);
      this.size = 0;
      for (let i = 0; i < keys.length; i++)
        if (values[i] !== 0) this.set(keys[i] as number, (values[i] as number) - 1);
    }
    const mask = this.keys.length - 1;
    for (let i = this.slotOf(key); ; i = (i + 1) & mask) {
      if (this.values[i] === 0) {
        this.keys[i] = key;
        this.values[i] = value + 1;
        this.size++;
        return;
      }
      if (this.keys[i] === key) {
        this.values[i] = value + 1;
        return;
      }
    }
  }
}

/** FNV-1a of a string's code units, kept within 30 bits (a small integer to V8): a `PackedMap` key. */
export function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}
