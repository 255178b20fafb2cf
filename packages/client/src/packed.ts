// What a long batch keeps of each item for the whole run (ids, names, sizes), held outside V8's heap.
// Why: V8 grows its young generation (up to 2 × 64 MB of RSS) each time the bytes that survive its
// scavenges since the last growth exceed its size, so a small object or string kept per item — copied
// once, then promoted — costs twice its size in survival. Over 100,000 items, the summary's objects,
// the plans of a page and the conflict map's keys survived ~55 MB (`--trace-gc-nvp`, the items-query
// bench) and took the young generation from 32 to 128 MB. Bytes in a Buffer never pass through it.

/** A growing list of strings, as bytes in one buffer: `push` gives the index `at` reads it back by. */
export class PackedStrings {
  private bytes = Buffer.allocUnsafe(64 * 1024);
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
      const bigger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + need));
      this.bytes.copy(bigger, 0, 0, this.used);
      this.bytes = bigger;
    }
    if (this.length === this.ends.length) {
      this.ends = grown(this.ends);
      this.wide = grown(this.wide);
    }
    this.used += this.bytes.write(s, this.used, need, wide ? "utf16le" : "latin1");
    this.ends[this.length] = this.used;
    this.wide[this.length] = wide ? 1 : 0;
    return this.length++;
  }

  at(index: number): string {
    const start = index === 0 ? 0 : (this.ends[index - 1] as number);
    return this.bytes.toString(this.wide[index] ? "utf16le" : "latin1", start, this.ends[index]);
  }
}

/** A growing list of numbers (NaN for none) in a typed array: `set` past the end grows it. */
export class PackedNumbers {
  private values = new Float64Array(1024).fill(Number.NaN);

  set(index: number, value: number): void {
    while (index >= this.values.length) {
      const filled = this.values.length;
      this.values = grown(this.values);
      this.values.fill(Number.NaN, filled);
    }
    this.values[index] = value;
  }

  at(index: number): number {
    return index < this.values.length ? (this.values[index] as number) : Number.NaN;
  }
}

function grown<A extends Uint32Array | Uint8Array | Float64Array>(a: A): A {
  const bigger = new (a.constructor as new (length: number) => A)(a.length * 2);
  bigger.set(a);
  return bigger;
}
