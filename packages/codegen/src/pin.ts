import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { PinInvalidError, PinMissingError } from "./errors.js";
import type { SpecCounts } from "./openapi.js";
import type { Project } from "./project.js";

/**
 * `specs/dataloop.lock.json`: which document the repository builds from. The document itself is
 * committed beside it (`file`, exact upstream bytes), so a clone anywhere builds the same client and
 * git history shows every spec change as a diff; `source` only says where the bytes came from.
 * @example
 * ```ts
 * import { findProject, loadPinned, type SpecPin } from "@dataloop-ts/codegen";
 *
 * const { pin }: { pin: SpecPin } = await loadPinned(findProject());
 * console.log(`${pin.title} ${pin.version}, sha256 ${pin.sha256}, from ${pin.source} at ${pin.retrievedAt}`);
 * ```
 */
export interface SpecPin {
  /** Provenance: the URL it was pulled from, or a path relative to the project root. */
  source: string;
  /** The pinned document, relative to `specs/`: the bytes `sha256` pins, unchanged. */
  file: string;
  /** sha256 of the pinned bytes. */
  sha256: string;
  /** `info.title` of the document. */
  title: string;
  /** `info.version` of the document. */
  version: string;
  /** The document's OpenAPI version, as upstream wrote it. */
  openapi: string;
  counts: SpecCounts;
  /** When the bytes were fetched (ISO 8601). */
  retrievedAt: string;
  /** sha256 of the document in canonical form (canonical.ts): what "unchanged" compares. */
  canonical?: string;
  /** The documents pinned before this one, newest first: a document that comes back is a flap, not news. */
  history?: PinnedBefore[];
}

/**
 * A document the repository was pinned to before.
 * @example
 * ```ts
 * import { findProject, loadPinned } from "@dataloop-ts/codegen";
 *
 * const { pin } = await loadPinned(findProject());
 * for (const before of pin.history ?? []) console.log(before.version, before.sha256, "replaced", before.replacedAt);
 * ```
 */
export interface PinnedBefore {
  canonical: string;
  sha256: string;
  version: string;
  retrievedAt: string;
  /** When it stopped being the pin. */
  replacedAt: string;
}

/** How many earlier pins the lock remembers. */
export const HISTORY_LENGTH = 20;

/** The pinned document's file name: JSON or YAML as upstream sent it, so its bytes stay upstream's. */
export const pinnedFileName = (format: "json" | "yaml") => `dataloop.openapi.${format}`;

export const pinnedPath = (project: Project, pin: SpecPin) => join(project.specsDir, pin.file);

export async function readPin(project: Project): Promise<SpecPin> {
  let text: string;
  try {
    text = await readFile(project.lockPath, "utf8");
  } catch (error) {
    throw new PinMissingError({
      message: `No spec pin at ${project.lockPath} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
      hint: "Run `dataloop-codegen pull` (or `pull --from PATH`) in the repository root to pin a spec, or pass --root DIR.",
    });
  }
  let pin: Partial<SpecPin>;
  try {
    pin = JSON.parse(text) as Partial<SpecPin>;
  } catch (error) {
    throw invalidPin(project, `it is not JSON (${(error as Error).message})`);
  }
  for (const key of ["source", "file", "sha256"] as const) {
    if (typeof pin?.[key] !== "string" || pin[key] === "") throw invalidPin(project, `it has no "${key}"`);
  }
  if (!/^[0-9a-f]{64}$/.test(pin.sha256 ?? "")) throw invalidPin(project, `its "sha256" is not a sha256`);
  if (/[/\\]/.test(pin.file ?? "")) throw invalidPin(project, `its "file" must name a file in specs/`);
  return pin as SpecPin;
}

const invalidPin = (project: Project, why: string) =>
  new PinInvalidError({
    message: `The spec pin ${project.lockPath} cannot be read: ${why}.`,
    hint: "Restore it from git (`git checkout -- specs/`), or pin again with `dataloop-codegen pull --from URL|PATH`.",
  });
