// What every `dataloop annotations` command shares, apart so that `convert` (offline) loads no client:
// the formats, usage errors, and the end of a run (summary or --json, exit code).
import type { AnnotationInputError, ConversionIssue } from "@dataloop-ts/client/annotations";
import { UsageError as CoreUsageError, type DataloopError, printable } from "@dataloop-ts/core";
import type { Output } from "./output.js";

export class UsageError extends CoreUsageError {
  constructor(message: string) {
    super({ message, hint: "Run dataloop --help for usage." });
  }
}

export const FORMATS = ["dataloop", "coco", "yolo"] as const;
export type Format = (typeof FORMATS)[number];

/** The format an option names (dataloop when not given, unless `required`); any other word is a usage error. */
export function formatOf(text: string | undefined, option: string, required = false): Format {
  if (text === undefined && required)
    throw new UsageError(`annotations convert needs ${option} dataloop|coco|yolo`);
  const format = text ?? "dataloop";
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`${option} takes dataloop, coco or yolo, got "${format}"`);
  return format as Format;
}

/** An item (or file) that failed as a whole: its name and its error. */
export interface Failure {
  key: string;
  error: Error | AnnotationInputError;
}

const issueJson = (e: DataloopError) => e.toJSON();

/** The end of a run: a summary for people (every failure and issue listed) or JSON; the exit code. */
export function report(
  ctx: { out: Output },
  verb: string,
  counts: { items: number; annotations: number; failed: Failure[] },
  issues: ConversionIssue[],
  ms: number,
  extra: Record<string, unknown> = {},
): number {
  const bad = issues.filter((i) => i.code === "ANNOTATION_INPUT");
  const lossy = issues.filter((i) => i.code !== "ANNOTATION_INPUT");
  if (ctx.out.json) {
    ctx.out.result({
      items: counts.items,
      annotations: counts.annotations,
      failed: counts.failed.length,
      ...extra,
      failures: counts.failed.map((f) => ({
        key: f.key,
        error: { code: (f.error as { code?: string }).code ?? "ERROR", message: f.error.message },
      })),
      issues: issues.map(issueJson),
    });
  } else {
    ctx.out.say(
      `${verb} ${counts.annotations} annotation${counts.annotations === 1 ? "" : "s"} of ${counts.items} item${counts.items === 1 ? "" : "s"} in ${(ms / 1000).toFixed(1)} s${counts.failed.length ? `; ${counts.failed.length} item${counts.failed.length === 1 ? "" : "s"} failed:` : "."}`,
    );
    for (const f of counts.failed) ctx.out.say(`  ${printable(f.key)}: ${printable(f.error.message)}`);
    if (bad.length) ctx.out.say(`${bad.length} bad annotation${bad.length === 1 ? "" : "s"} (left out):`);
    for (const i of bad) ctx.out.say(`  ${printable(i.message)}`);
    if (lossy.length)
      ctx.out.say(
        `${lossy.length} annotation${lossy.length === 1 ? "" : "s"} the format cannot hold (not written):`,
      );
    for (const i of lossy) ctx.out.say(`  ${printable(i.message)}`);
  }
  return counts.failed.length || bad.length ? 1 : 0;
}
