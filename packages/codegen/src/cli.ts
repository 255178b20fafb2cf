#!/usr/bin/env node
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DataloopError, UsageError } from "@dataloop-ts/core";
import { writeFileAtomic } from "@dataloop-ts/core/node";
import { changesetFor, writeChangeset } from "./changeset.js";
import { diffSpecs, formatDiff } from "./diff.js";
import { exportSpec } from "./export.js";
import { check, generate, pull } from "./pipeline.js";
import { findProject, projectAt, readOverlay } from "./project.js";
import { formatRepairReport, repairSpec } from "./repair.js";
import { DEFAULT_SPEC_URL, loadSpec } from "./source.js";
import { formatUpdate, update } from "./update.js";
import { assertOpenApi3 } from "./validate.js";

const USAGE = `dataloop-codegen — pull, pin, repair and type the Dataloop gateway's OpenAPI document

Usage:
  dataloop-codegen pull [--from URL|PATH]     fetch a spec, check and repair it, pin it (specs/dataloop.lock.json)
  dataloop-codegen generate [--out DIR]       pinned spec → repaired → TypeScript (schema.ts, operations.ts, routes.ts)
  dataloop-codegen update [--from URL|PATH]   fetch; when the API changed: pin, regenerate, write the changeset,
                                              print a pull-request body (exit 0 unchanged, 3 changed, 4 flap, 1 failed)
  dataloop-codegen export --out DIR           pinned + repaired document, overlay and manifest (what @dataloop-ts/spec ships)
  dataloop-codegen check [--from URL|PATH]    exit 1 if the spec differs from the pin or generated code is stale
  dataloop-codegen diff OLD NEW [--changeset] API changelog between two specs (breaking/added/changed, semver bump)

Options:
  --root DIR        project root holding specs/ (default: nearest ancestor with specs/dataloop.lock.json)
                    specs/ holds the lock, the pinned document itself (committed) and the overlay
  --out DIR         output folder for generate/check (default: packages/client/src/generated)
  --timeout MS      per-attempt timeout for URLs, in milliseconds (default 30000)
  --attempts N      attempts in all for URLs, the first included (default 3; network errors, 408, 429, 5xx)
  --json            machine-readable output
  --details         diff: list what changed inside each changed operation/schema (breaking ones always say)
  --pr-body FILE    update: also write the pull-request body to FILE
  -h, --help        this text

Default source: ${DEFAULT_SPEC_URL}`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: "string" },
      root: { type: "string" },
      out: { type: "string" },
      timeout: { type: "string" },
      attempts: { type: "string" },
      json: { type: "boolean", default: false },
      details: { type: "boolean", default: false },
      changeset: { type: "boolean", default: false },
      "pr-body": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const project = values.root ? projectAt(values.root) : findProject();
  const outDir = resolve(values.out ?? resolve(project.root, "packages/client/src/generated"));
  const load = {
    ...(values.timeout ? { timeoutMs: positiveInt(values.timeout, "--timeout") } : {}),
    ...(values.attempts ? { attempts: positiveInt(values.attempts, "--attempts") } : {}),
  };
  const print = (human: string, machine: unknown) =>
    console.log(values.json ? JSON.stringify(machine, null, 2) : human);

  switch (command) {
    case "pull": {
      const result = await pull(project, values.from ?? DEFAULT_SPEC_URL, load);
      const p = result.pin;
      print(
        `${result.changed ? "Pinned" : "Already pinned"} ${p.title} ${p.version} (sha256 ${p.sha256.slice(0, 12)}…): ` +
          `${p.counts.paths} paths, ${p.counts.operations} operations, ${p.counts.schemas} schemas\n` +
          `${formatRepairReport(result.report)}` +
          (result.changed && result.previous
            ? "\nThe spec changed: run `pnpm generate`, and `dataloop-codegen diff` for the changelog."
            : ""),
        result,
      );
      return 0;
    }
    case "generate": {
      const result = await generate(project, outDir);
      print(`${formatRepairReport(result.report)}\nWrote ${result.files.join(", ")}`, {
        files: result.files,
        fingerprint: result.fingerprint,
        report: result.report,
      });
      return 0;
    }
    case "update": {
      const result = await update(project, values.from ?? DEFAULT_SPEC_URL, { ...load, outDir });
      const body = formatUpdate(result);
      if (values["pr-body"] && result.status === "changed")
        await writeFileAtomic(resolve(values["pr-body"]), `${body}\n`);
      print(body, { ...result, prBody: body });
      return { unchanged: 0, changed: 3, flap: 4 }[result.status];
    }
    case "export": {
      if (!values.out) throw usage("export needs --out DIR");
      const manifest = await exportSpec(project, outDir);
      print(
        `Exported ${manifest.title} ${manifest.version} (sha256 ${manifest.sha256.slice(0, 12)}…) to ${outDir}`,
        manifest,
      );
      return 0;
    }
    case "check": {
      const result = await check(project, outDir, values.from, load);
      print(
        result.ok ? "Spec matches the pin; generated code is current." : result.problems.join("\n"),
        result,
      );
      return result.ok ? 0 : 1;
    }
    case "diff": {
      const [oldSpec, newSpec] = rest;
      if (!oldSpec || !newSpec) throw usage("diff needs two specs: dataloop-codegen diff OLD NEW");
      const overlay = await readOverlay(project);
      const [a, b] = await Promise.all(
        [oldSpec, newSpec].map(async (source) => {
          const loaded = await loadSpec(source, load);
          assertOpenApi3(loaded.document, source);
          return { loaded, raw: loaded.document, doc: repairSpec(loaded.document, overlay, source).document };
        }),
      );
      if (!a || !b) return 2;
      const diff = diffSpecs(a.doc, b.doc, { upstream: { from: a.raw, to: b.raw } });
      let written: string | undefined;
      if (values.changeset) {
        const body = changesetFor(diff);
        if (body) written = await writeChangeset(project.root, b.loaded.sha256.slice(0, 12), body);
      }
      print(`${formatDiff(diff, { details: values.details })}${written ? `\n\nWrote ${written}` : ""}`, {
        ...diff,
        ...(written ? { changeset: written } : {}),
      });
      return 0;
    }
    default:
      throw usage(`unknown command "${command}"`);
  }
}

const usage = (message: string) =>
  new UsageError({ message, hint: "Run dataloop-codegen --help for usage." });

function positiveInt(text: string, flag: string, allowZero = false): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1))
    throw usage(`${flag} takes a whole number, got "${text}"`);
  return n;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = renderError(error);
  },
);

/** Every failure as one paragraph (what went wrong, then what to do); the stack only with DEBUG set. */
function renderError(error: unknown): number {
  if (process.env.DEBUG) console.error(error);
  const parseArgsError = (error as { code?: string })?.code?.startsWith("ERR_PARSE_ARGS");
  if (error instanceof UsageError || parseArgsError) {
    if (!process.env.DEBUG)
      console.error(`dataloop-codegen: ${(error as Error).message}\nRun dataloop-codegen --help for usage.`);
    return 2;
  }
  if (!process.env.DEBUG) {
    console.error(
      error instanceof DataloopError
        ? `dataloop-codegen: ${error.message}\n  → ${error.hint}`
        : // Not one of ours: a bug, and the stack is for its report.
          `dataloop-codegen: ${(error as Error)?.message ?? String(error)}\n  → This is a bug: run again with DEBUG=1 for the stack and report it.`,
    );
  }
  return 1;
}
