import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFilesAtomic } from "@dataloop-ts/core/node";
import { canonicalSha256 } from "./canonical.js";
import { PinMismatchError, PinnedSpecMissingError } from "./errors.js";
import { fingerprintOf, readFingerprint } from "./fingerprint.js";
import { countSpec, type OpenApiDocument } from "./openapi.js";
import { HISTORY_LENGTH, pinnedFileName, pinnedPath, readPin, type SpecPin } from "./pin.js";
import { type Project, readOverlay, resolveSource, storeSource } from "./project.js";
import { type RepairedDocument, type RepairReport, repairSpec } from "./repair.js";
import { DEFAULT_SPEC_URL, type LoadedSpec, type LoadOptions, loadSpec, sha256 } from "./source.js";
import { assertOpenApi3 } from "./validate.js";

/**
 * What {@link pull} did: the pin now in force, whether it changed, the one before, and the repair report.
 * @example
 * ```ts
 * import { findProject, pull } from "@dataloop-ts/codegen";
 *
 * const result = await pull(findProject());
 * console.log(result.changed ? `pinned ${result.pin.version} (was ${result.previous?.version})` : "already pinned");
 * ```
 */
export interface PullResult {
  pin: SpecPin;
  /** False when the pulled spec is the one already pinned (nothing was written). */
  changed: boolean;
  previous?: SpecPin;
  report: RepairReport;
}

/**
 * Fetches a spec, proves it can be repaired and typed, then pins it: the document's exact bytes into
 * `specs/`, then the lock. On any failure nothing is written and the old pin stays in force.
 * @example
 * ```ts
 * import { findProject, formatRepairReport, pull } from "@dataloop-ts/codegen";
 *
 * // From the gateway (the default URL), a file, or another URL; nothing is written when a check fails.
 * const { pin, report } = await pull(findProject(), "https://gate.dataloop.ai/api/v1/swagger-file", { timeoutMs: 60_000 });
 * console.log(pin.sha256, formatRepairReport(report));
 * ```
 */
export async function pull(
  project: Project,
  from: string = DEFAULT_SPEC_URL,
  options: LoadOptions & { now?: Date } = {},
): Promise<PullResult> {
  return pinLoaded(project, await loadSpec(from, options), options);
}

/** `pull` for a document already in hand (`update` fetched it to compare): the same checks, the same writes. */
export async function pinLoaded(
  project: Project,
  loaded: LoadedSpec,
  options: { now?: Date } = {},
): Promise<PullResult> {
  const from = loaded.source;
  assertOpenApi3(loaded.document, from);
  const { report } = repairSpec(loaded.document, await readOverlay(project), from);
  const previous = await readPin(project).catch(() => undefined);
  if (previous?.sha256 === loaded.sha256 && existsSync(pinnedPath(project, previous))) {
    return { pin: previous, changed: false, previous, report };
  }
  const doc = loaded.document;
  const now = (options.now ?? new Date()).toISOString();
  const history = previous
    ? [
        {
          canonical:
            previous.canonical ??
            (await loadPinned(project).then(
              (p) => canonicalSha256(p.document),
              () => "",
            )),
          sha256: previous.sha256,
          version: previous.version,
          retrievedAt: previous.retrievedAt,
          replacedAt: now,
        },
        ...(previous.history ?? []),
      ]
        .filter((h) => h.canonical)
        .slice(0, HISTORY_LENGTH)
    : [];
  const pin: SpecPin = {
    source: storeSource(project, from),
    file: pinnedFileName(loaded.format),
    sha256: loaded.sha256,
    title: String(doc.info?.title ?? ""),
    version: String(doc.info?.version ?? ""),
    openapi: doc.openapi,
    counts: countSpec(doc),
    retrievedAt: now,
    canonical: canonicalSha256(doc),
    ...(history.length ? { history } : {}),
  };
  // Both staged, then renamed document first, lock last: a crash in between leaves a lock whose
  // sha256 no longer matches, which loadPinned reports (PIN_MISMATCH) rather than building from it.
  await writeFilesAtomic([
    [pinnedPath(project, pin), loaded.bytes],
    [project.lockPath, `${JSON.stringify(pin, null, 2)}\n`],
  ]);
  if (previous && previous.file !== pin.file) await rm(pinnedPath(project, previous), { force: true });
  return { pin, changed: true, ...(previous ? { previous } : {}), report };
}

/**
 * The pinned document: its lock entry, the parsed document, and its exact bytes.
 * @example
 * ```ts
 * import { findProject, loadPinned, type PinnedSpec } from "@dataloop-ts/codegen";
 *
 * const pinned: PinnedSpec = await loadPinned(findProject());
 * console.log(pinned.pin.sha256, pinned.bytes.length, pinned.document.openapi);
 * ```
 */
export interface PinnedSpec {
  pin: SpecPin;
  document: OpenApiDocument;
  /** The pinned document's exact bytes. */
  bytes: Buffer;
}

/**
 * The pinned document from `specs/`, its sha256 checked against the lock.
 * @example
 * ```ts
 * import { findProject, loadPinned } from "@dataloop-ts/codegen";
 *
 * const { pin, document } = await loadPinned(findProject()); // PinMismatchError when the bytes were edited
 * console.log(pin.version, Object.keys(document.paths).length);
 * ```
 */
export async function loadPinned(project: Project): Promise<PinnedSpec> {
  const pin = await readPin(project);
  const path = pinnedPath(project, pin);
  if (!existsSync(path)) {
    throw new PinnedSpecMissingError({
      message: `The pinned spec ${path} is missing (the lock ${project.lockPath} names it).`,
      hint: "It is committed with the repository: restore it with `git checkout -- specs/`, or pin one with `dataloop-codegen pull --from URL|PATH`.",
    });
  }
  const loaded = await loadSpec(path);
  if (loaded.sha256 !== pin.sha256) {
    throw new PinMismatchError({
      message: `The pinned spec ${path} has sha256 ${loaded.sha256.slice(0, 12)}…, the lock says ${pin.sha256.slice(0, 12)}…: it was edited, or a pull was interrupted.`,
      hint:
        "Restore both with `git checkout -- specs/`, or pin the file as it is now with `dataloop-codegen pull --from specs/" +
        `${pin.file}\`.`,
    });
  }
  assertOpenApi3(loaded.document, path);
  return { pin, document: loaded.document, bytes: loaded.bytes };
}

/** sha256 of the project's overlay ("none" without one): with the pin's sha256, what decides a repair. */
export async function overlaySha(project: Project): Promise<string> {
  return existsSync(project.overlayPath) ? sha256(await readFile(project.overlayPath)) : "none";
}

/**
 * The pinned document with its repaired form, the repair report and the sha256 of the overlay used.
 * @example
 * ```ts
 * import { findProject, repairPinned, type RepairedPinned } from "@dataloop-ts/codegen";
 *
 * const pinned: RepairedPinned = await repairPinned(findProject());
 * console.log(pinned.overlaySha256, pinned.report.normalisations.length);
 * ```
 */
export interface RepairedPinned extends PinnedSpec {
  repaired: RepairedDocument;
  report: RepairReport;
  overlaySha256: string;
}

/**
 * The pinned document repaired by the project's overlay: what the types and the mock are made from.
 * @example
 * ```ts
 * import { findProject, formatRepairReport, repairPinned } from "@dataloop-ts/codegen";
 *
 * const { repaired, report } = await repairPinned(findProject());
 * console.log(formatRepairReport(report), repaired.openapi);
 * ```
 */
export async function repairPinned(project: Project): Promise<RepairedPinned> {
  const pinned = await loadPinned(project);
  const { document, report } = repairSpec(pinned.document, await readOverlay(project), pinned.pin.source);
  return { ...pinned, repaired: document, report, overlaySha256: await overlaySha(project) };
}

/**
 * What {@link generate} wrote: the files, the fingerprint written into them, and the pin and repairs they come from.
 * @example
 * ```ts
 * import { findProject, generate } from "@dataloop-ts/codegen";
 *
 * const { files, fingerprint } = await generate(findProject(), "src/generated");
 * console.log(files, fingerprint);
 * ```
 */
export interface GenerateResult {
  /** The folder written to. */
  outDir: string;
  /** The files written (schema.ts, operations.ts, routes.ts), all at once. */
  files: string[];
  /** Written into the files: the pin's sha256 and the overlay's, which `check` compares. */
  fingerprint: string;
  report: RepairReport;
  pin: SpecPin;
  repaired: RepairedDocument;
}

/**
 * Pinned spec → repair → openapi-typescript → `outDir` (schema.ts, operations.ts, routes.ts), written all at once.
 * @example
 * ```ts
 * import { findProject, generate } from "@dataloop-ts/codegen";
 *
 * const result = await generate(findProject(), "packages/client/src/generated");
 * console.log(`${result.files.length} files for ${result.pin.title} ${result.pin.version}`);
 * ```
 */
export async function generate(project: Project, outDir: string): Promise<GenerateResult> {
  const { pin, repaired, report, overlaySha256 } = await repairPinned(project);
  // Loaded on demand: openapi-typescript and the TypeScript compiler are most of the start-up time.
  const { emitClientFiles } = await import("./emit.js");
  const emitted = await emitClientFiles({
    document: repaired,
    specSha256: pin.sha256,
    overlaySha256,
    title: pin.title,
    version: pin.version,
  });
  const entries = Object.entries(emitted.files).map(([name, text]) => [join(outDir, name), text] as const);
  await writeFilesAtomic(entries);
  return { outDir, files: entries.map(([p]) => p), fingerprint: emitted.fingerprint, report, pin, repaired };
}

/**
 * What {@link check} found: whether the spec moved from the pin, whether the generated code is stale, and why.
 * @example
 * ```ts
 * import { check, findProject } from "@dataloop-ts/codegen";
 *
 * const result = await check(findProject(), "src/generated");
 * if (!result.ok) {
 *   console.error(result.problems.join("\n")); // specChanged: the gateway moved; stale: regenerate
 *   process.exitCode = 1;
 * }
 * ```
 */
export interface CheckResult {
  /** Neither `specChanged` nor `stale`. */
  ok: boolean;
  /** The document in hand has other bytes than the pin (see `dataloop-codegen diff`, accept with `pull`). */
  specChanged: boolean;
  /** The generated code is missing, or was made from another pin, overlay or codegen (run `generate`). */
  stale: boolean;
  /** One line per problem, with the command that fixes it. */
  problems: string[];
}

/**
 * What a CI job runs: does the spec in hand still match the pin, and is the generated code current?
 * @example
 * ```ts
 * import { check, findProject } from "@dataloop-ts/codegen";
 *
 * // In CI: fails when the gateway's document moved from the pin, or the generated code is not current.
 * const { ok, problems } = await check(findProject(), "src/generated", "https://gate.dataloop.ai/api/v1/swagger-file");
 * if (!ok) throw new Error(problems.join("\n"));
 * ```
 */
export async function check(
  project: Project,
  outDir: string,
  from?: string,
  options: LoadOptions = {},
): Promise<CheckResult> {
  const pin = await readPin(project);
  const source = from ?? resolveSource(project, pin.source);
  const inHand = await loadSpec(source, options);
  const problems: string[] = [];
  const specChanged = inHand.sha256 !== pin.sha256;
  if (specChanged) {
    problems.push(
      `spec changed: ${source} has sha256 ${inHand.sha256.slice(0, 12)}…, the pin ${pin.sha256.slice(0, 12)}…` +
        " (see `dataloop-codegen diff`, accept with `dataloop-codegen pull`)",
    );
  }
  const expected = fingerprintOf(pin.sha256, await overlaySha(project));
  const schemaFile = join(outDir, "schema.ts");
  const actual = existsSync(schemaFile) ? readFingerprint(await readFile(schemaFile, "utf8")) : undefined;
  const stale = actual !== expected;
  if (stale) {
    problems.push(
      actual === undefined
        ? `generated code missing in ${outDir} (run \`pnpm generate\`)`
        : `generated code in ${outDir} is stale (made from another spec, overlay or codegen; run \`pnpm generate\`)`,
    );
  }
  return { ok: !specChanged && !stale, specChanged, stale, problems };
}
