import { printable } from "@dataloop-ts/core";

/** How many keys a group names before "and N more". */
const EXAMPLES = 3;

export interface FailureGroup {
  /** The error's code and its message with what differs per file (paths, ids) left out. */
  cause: string;
  code: string;
  count: number;
  /** The first files, in order, that failed this way: local path (remote path or item id), or the key alone. */
  examples: string[];
  /** The first failure's own message, as it was. */
  message: string;
}

interface Failure {
  key: string;
  /** The file on this machine (an upload's source, a download's target), when there is one. */
  localPath?: string | undefined;
  error?: (Error & { code?: string }) | undefined;
}

/**
 * How a failure is named to people: its key with its local file beside it (`/cats/a.jpg (./pics/a.jpg)`
 * for an upload), or, with `localFirst`, the local file first (`out/cats/a.jpg (<item id>)` for a
 * download, whose key is an id no one recognises).
 */
const labelOf = (f: Failure, localFirst: boolean) =>
  !f.localPath || f.localPath === f.key
    ? f.key
    : localFirst
      ? `${f.localPath} (${f.key})`
      : `${f.key} (${f.localPath})`;

/**
 * A message without what differs from one file to the next: the key itself, absolute paths, URLs'
 * paths and Dataloop ids (24 hex digits). When the gateway goes away mid-upload, 50 files fail with
 * the same few causes; grouped by these, they are one line each, not 50.
 */
function causeOf(failure: Failure): { cause: string; code: string; message: string } {
  const message = failure.error?.message ?? "failed";
  const code = failure.error?.code ?? "ERROR";
  const shape = message
    .split(failure.key)
    .join("…")
    .split(failure.localPath || failure.key)
    .join("…")
    .replace(/\b[0-9a-f]{24}\b/g, "…")
    .replace(/(?:\/[^\s/()'"]+)+\/?/g, "…");
  return { cause: `${code}: ${shape}`, code, message };
}

/** Failures that share a cause, most frequent first. */
export function groupFailures(failures: Failure[], localFirst = false): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  // In key order: files finish in any order, and the examples should not change from run to run.
  const sorted = [...failures].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const failure of sorted) {
    const { cause, code, message } = causeOf(failure);
    const group = groups.get(cause) ?? { cause, code, count: 0, examples: [], message };
    group.count++;
    if (group.examples.length < EXAMPLES) group.examples.push(labelOf(failure, localFirst));
    groups.set(cause, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/**
 * The failures of a batch as lines for people: a cause that one file met as `  key: message`; one
 * that several met once, with their count and the first few keys.
 */
export function failureLines(failures: Failure[], localFirst = false): string[] {
  return groupFailures(failures, localFirst).map((g) => {
    if (g.count === 1) return `  ${printable(g.examples[0] ?? "")}: ${printable(g.message)}`;
    const more = g.count > g.examples.length ? ` and ${g.count - g.examples.length} more` : "";
    return `  ${g.count} × ${printable(g.message)}\n      (${g.examples.map(printable).join(", ")}${more})`;
  });
}
