import { resolve } from "node:path";
import { printable } from "@dataloop-ts/core";
import { writeFileAtomic } from "@dataloop-ts/core/node";
import type { Output } from "./output.js";

const isJson = (contentType: string) => /^application\/([\w.+-]+\+)?json\b/i.test(contentType);
/** Text a terminal can show as it is: UTF-8 without control characters other than tab and line breaks. */
function asPlainText(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0080-\u009f]/.test(text) ? undefined : text;
}

const size = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} kB` : `${(n / 1024 ** 2).toFixed(1)} MB`;

/**
 * What `dataloop request` prints of an answer. JSON is pretty-printed (one line with --json); any
 * other answer (an item's bytes from `/items/{id}/stream`, text, HTML) is written as it is:
 * to `--output FILE` atomically (temp file, fsync, rename: never a half-written file), as raw bytes
 * to a stdout that is not a terminal (`> file`, `| sha256sum`), and on a terminal as text when it is
 * printable text, else as a short notice: binary on a terminal garbles it.
 */
export async function writeAnswer(
  out: Output,
  answer: { contentType: string; bytes: Uint8Array },
  outputPath: string | undefined,
): Promise<void> {
  const { contentType, bytes } = answer;
  const described = `${contentType || "no content type"}, ${size(bytes.byteLength)}`;
  if (outputPath !== undefined) {
    const path = resolve(outputPath);
    await writeFileAtomic(path, bytes);
    out.done({ path, bytes: bytes.byteLength, contentType }, `Wrote the answer (${described}) to ${path}.`);
    return;
  }
  if (isJson(contentType) || (contentType === "" && bytes.byteLength === 0)) {
    const text = new TextDecoder().decode(bytes);
    try {
      out.result(text ? JSON.parse(text) : null);
      return;
    } catch {
      // Labelled JSON but not: written as the bytes it is, below.
    }
  }
  if (!out.stdoutIsTerminal) {
    await out.bytes(bytes);
    return;
  }
  const text = asPlainText(bytes);
  if (text !== undefined && bytes.byteLength <= 1024 ** 2) {
    out.line(text.replace(/\n$/, ""));
    return;
  }
  out.say(
    `The answer is not JSON (${printable(described)}): not printed on a terminal. Save it with --output FILE, or pipe it on (> FILE, | less).`,
  );
}
