/**
 * The first characters of `name` that take at most `maxBytes` in UTF-8 (whole characters): for a name
 * made from another (a temp or part file beside it), since a file name's limit is in bytes (255 on
 * Linux and macOS) and 100 characters of a CJK name are 300. Counted from code points, without
 * `Buffer`: the annotations converters use it in any runtime, and without `@dataloop-ts/core/node`,
 * whose loading costs a conversion's memory.
 * @example
 * ```ts
 * import { leadingBytes } from "@dataloop-ts/core";
 *
 * console.log(leadingBytes("猫猫猫.jpg", 7)); // 猫猫 (6 bytes; a third 猫 would make 9)
 * ```
 */
export function leadingBytes(name: string, maxBytes: number): string {
  if (name.length * 3 <= maxBytes) return name;
  let bytes = 0;
  let end = 0;
  for (const ch of name) {
    const code = ch.codePointAt(0) as number;
    // A lone surrogate is written as U+FFFD: 3 bytes, as the 0x800–0xFFFF range it falls in.
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes > maxBytes) break;
    end += ch.length;
  }
  return name.slice(0, end);
}
