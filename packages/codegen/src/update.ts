import { performance } from "node:perf_hooks";
import { canonicalSha256 } from "./canonical.js";
import { changesetFor, writeChangeset } from "./changeset.js";
import { type ApiDiff, diffSpecs, formatDiff } from "./diff.js";
import type { PinnedBefore, SpecPin } from "./pin.js";
import { generate, loadPinned, pinLoaded } from "./pipeline.js";
import { type Project, readOverlay } from "./project.js";
import { repairSpec } from "./repair.js";
import { DEFAULT_SPEC_URL, type LoadOptions, loadSpec } from "./source.js";
import { assertOpenApi3 } from "./validate.js";

/**
 * `unchanged`: the same document (canonically), or no API difference: nothing was written.
 * `changed`: pinned, regenerated, changeset written. `flap`: the document is one pinned before; it is
 * reported and nothing is written (the gateway alternates between two builds; a person decides).
 * @example
 * ```ts
 * import { findProject, update } from "@dataloop-ts/codegen";
 *
 * const { status } = await update(findProject());
 * if (status === "flap") console.warn("The gateway went back to a document pinned before: a person decides.");
 * ```
 */
export type UpdateStatus = "unchanged" | "changed" | "flap";

/**
 * What {@link update} did and why: the status, the pins before and after, the diff, the changeset and the files written.
 * @example
 * ```ts
 * import { findProject, formatUpdate, update, type UpdateResult } from "@dataloop-ts/codegen";
 *
 * const result: UpdateResult = await update(findProject());
 * if (result.status === "changed") console.log(formatUpdate(result), result.changeset);
 * ```
 */
export interface UpdateResult {
  status: UpdateStatus;
  /** Why, in a line. */
  reason: string;
  /** Where the document was fetched from. */
  source: string;
  /** The pin in force after the update. */
  pin: SpecPin;
  /** The pin before the update. */
  previous: SpecPin;
  /** The API changelog, when the document differs from the pin. */
  diff?: ApiDiff;
  /** For a flap: the earlier pin the document returns to. */
  returnsTo?: PinnedBefore;
  /** Overlay actions that no longer match anything in the new document: repairs to retire. */
  staleRepairs: string[];
  /** The changeset written (its path), for a `changed` update that asks for a release. */
  changeset?: string;
  /** The generated files rewritten, when `outDir` was given. */
  generated?: string[];
  /** How long the update took, ms. */
  ms: number;
}

/**
 * Follows the gateway: fetch, compare with the pin, and only when the API changed pin the new document,
 * regenerate the client and write the changeset. The one command a scheduled job runs.
 * @example
 * ```ts
 * import { findProject, formatUpdate, update } from "@dataloop-ts/codegen";
 *
 * const result = await update(findProject(), undefined, { outDir: "packages/client/src/generated" });
 * console.log(result.status, result.reason);
 * if (result.status === "changed") console.log(formatUpdate(result)); // the pull request's body
 * ```
 */
export async function update(
  project: Project,
  from: string = DEFAULT_SPEC_URL,
  options: LoadOptions & { outDir?: string; now?: Date } = {},
): Promise<UpdateResult> {
  const started = performance.now();
  const loaded = await loadSpec(from, options);
  assertOpenApi3(loaded.document, from);
  const pinned = await loadPinned(project);
  const previous = pinned.pin;
  const incoming = canonicalSha256(loaded.document);
  const current = previous.canonical ?? canonicalSha256(pinned.document);
  const done = (
    result: Omit<UpdateResult, "ms" | "source" | "previous" | "staleRepairs"> & { staleRepairs?: string[] },
  ) => ({
    staleRepairs: [],
    ...result,
    source: from,
    previous,
    ms: Math.round(performance.now() - started),
  });
  if (incoming === current) {
    const how =
      loaded.sha256 === previous.sha256
        ? "byte for byte"
        : "serialised differently (key order, whitespace or format)";
    return done({ status: "unchanged", reason: `the pinned document, ${how}`, pin: previous });
  }
  const returnsTo = previous.history?.find((h) => h.canonical === incoming);
  if (returnsTo) {
    return done({
      status: "flap",
      reason: `a document pinned before (version ${returnsTo.version}, retrieved ${returnsTo.retrievedAt}, replaced ${returnsTo.replacedAt}): the gateway is alternating between builds`,
      pin: previous,
      returnsTo,
    });
  }
  const overlay = await readOverlay(project);
  const before = repairSpec(pinned.document, overlay, previous.source).document;
  const after = repairSpec(loaded.document, overlay, from);
  const diff = diffSpecs(before, after.document, {
    upstream: { from: pinned.document, to: loaded.document },
  });
  const staleRepairs = after.report.overlay
    .filter((a) => a.matched === 0)
    .map((a) => `${a.kind} ${a.description ?? a.target}`);
  if (diff.bump === "none") {
    return done({
      status: "unchanged",
      reason: "no API difference (volatile fields only)",
      pin: previous,
      diff,
      staleRepairs,
    });
  }
  const { pin } = await pinLoaded(project, loaded, options.now ? { now: options.now } : {});
  const generated = options.outDir ? (await generate(project, options.outDir)).files : undefined;
  const body = changesetFor(diff);
  const changeset = body ? await writeChangeset(project.root, pin.sha256.slice(0, 12), body) : undefined;
  return done({
    status: "changed",
    reason: `the API changed (bump: ${diff.bump})`,
    pin,
    diff,
    staleRepairs,
    ...(changeset ? { changeset } : {}),
    ...(generated ? { generated } : {}),
  });
}

/**
 * The pull-request body of an update: what changed and why it breaks, the bump, what a reviewer checks.
 * @example
 * ```ts
 * import { findProject, formatUpdate, update } from "@dataloop-ts/codegen";
 *
 * console.log(formatUpdate(await update(findProject())));
 * ```
 */
export function formatUpdate(result: UpdateResult): string {
  const { previous, pin, diff } = result;
  if (result.status !== "changed" || !diff) {
    return `Dataloop API spec: ${result.status} — ${result.reason} (${result.source}, ${result.ms} ms).`;
  }
  const lines = [
    `## Dataloop API spec update: ${previous.version} → ${pin.version} (${diff.bump})`,
    "",
    `The gateway's document at ${pin.source} changed (sha256 ${previous.sha256.slice(0, 12)}… → ${pin.sha256.slice(0, 12)}…).`,
    "This pins it in `specs/dataloop.openapi.json`, regenerates the client's types, and adds a changeset that",
    `releases \`@dataloop-ts/spec\` and \`@dataloop-ts/client\` as a **${diff.bump}**.`,
    "",
    formatDiff(diff).replace(/^### /gm, "#### "),
  ];
  if (result.staleRepairs.length) {
    lines.push("", "#### Repairs that no longer match anything", "");
    for (const r of result.staleRepairs)
      lines.push(`- ${r}: upstream may have fixed it; remove it from \`specs/dataloop.overlay.yaml\``);
  }
  lines.push(
    "",
    "#### For the reviewer",
    "",
    "- Breaking entries: is each a real change of the gateway, not a regression to report upstream?",
    "- The changeset's text becomes the packages' CHANGELOG: edit it here if it needs words.",
    `- Made by \`dataloop-codegen update\` in ${result.ms} ms.`,
  );
  return lines.join("\n");
}
