// `scripts/pnpm docs`: the API reference, a static HTML site made by TypeDoc from the TSDoc of every
// public export of the packages listed in typedoc.json's `entryPoints` (the one list of covered
// packages). Any warning fails the build: TypeDoc's own (a type referenced but not exported, a broken
// {@link}) and ours, below: every public export has a summary and an `@example` with a ```ts block.
// tests/docs builds it the same way and then checks the links and type-checks every example.
//
//   node scripts/docs.mjs [--out DIR]     (default docs/api; DIR/api.json is TypeDoc's JSON model)
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** Where .github/workflows/docs.yml publishes the reference (GitHub Pages of the repository). */
export const PAGES_URL = "https://dataloop-ts.github.io/dataloop-ts/";

/**
 * Public exports whose documentation is not yet held to the standard, by `package[/entry]#name`:
 * they may lack a summary or an `@example`, and their examples may not type-check. The build warns
 * about any other undocumented export and about an entry here that is gone; tests/docs fails when an
 * entry here has a summary and examples that type-check (remove it), so this list can only shrink.
 * tests/docs prints it on every run.
 * Empty: every public export is documented. An entry is for an export whose file other work is
 * rewriting: document it there, then remove it here.
 * @type {readonly string[]}
 */
export const notYetDocumented = [];

const KIND = {
  module: 2,
  namespace: 4,
  enum: 8,
  variable: 32,
  function: 64,
  class: 128,
  interface: 256,
  type: 2097152,
};
const DECLARATIONS = new Set([
  KIND.namespace,
  KIND.enum,
  KIND.variable,
  KIND.function,
  KIND.class,
  KIND.interface,
  KIND.type,
]);

const text = (parts = []) => parts.map((p) => p.text).join("");

/**
 * Every public export in TypeDoc's JSON model, once per declaration: a type that one package
 * re-exports from another (`DataloopError` from auth, `SpecManifest` from spec) is documented where
 * it is defined, so it is listed once, under the package that defines it.
 * @param {{ children?: any[] }} project TypeDoc's JSON model (`api.json`)
 * @returns {{ id: string; file: string; summary: string; examples: string[] }[]}
 */
export function publicExports(project) {
  const byDeclaration = new Map();
  const visit = (node, entry) => {
    for (const child of node.children ?? []) {
      if (child.kind === KIND.module) {
        // A package with several entry points has one module each, named as imported (main, below).
        visit(child, child.name);
        continue;
      }
      if (!DECLARATIONS.has(child.kind)) continue;
      const file = child.sources?.[0]?.fileName ?? "";
      // A re-export from another package is read from that package's dist/*.d.ts: one key for both.
      const key = `${file.replace(/^.*?([\w-]+)\/(?:src|dist)\/(.+?)(?:\.d)?\.ts$/, "$1/$2")}#${child.name}`;
      const comment = child.comment ?? child.signatures?.find((s) => s.comment)?.comment;
      const examples = (comment?.blockTags ?? [])
        .filter((t) => t.tag === "@example")
        .flatMap((t) =>
          [...text(t.content).matchAll(/```(?:ts|typescript)\n([\s\S]*?)```/g)].map((m) => m[1]),
        );
      const found = { id: `${entry}#${child.name}`, file, summary: text(comment?.summary).trim(), examples };
      const known = byDeclaration.get(key);
      if (!known || (known.file.includes("/dist/") && !file.includes("/dist/")))
        byDeclaration.set(key, found);
    }
  };
  for (const pkg of project.children ?? []) visit(pkg, pkg.name);
  return [...byDeclaration.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * What is wrong with the documentation of `exports`, one line each: an export with no summary or no
 * example that is not on the allow-list, and an allow-list entry that is no public export any more.
 * (An entry whose summary and examples all pass is found by tests/docs, which type-checks them.)
 * @param {{ id: string; file: string; summary: string; examples: string[] }[]} exports
 * @param {readonly string[]} pending
 * @returns {string[]}
 */
export function coverageProblems(exports, pending = notYetDocumented) {
  const problems = [];
  const ids = new Set(exports.map((e) => e.id));
  for (const e of exports) {
    const missing = [
      !e.summary && "a summary",
      e.examples.length === 0 && "an @example with a ```ts block",
    ].filter(Boolean);
    if (missing.length > 0 && !pending.includes(e.id))
      problems.push(`${e.id} (${e.file}) lacks ${missing.join(" and ")}`);
  }
  for (const id of pending)
    if (!ids.has(id))
      problems.push(`${id} is no public export: remove it from notYetDocumented in scripts/docs.mjs`);
  return problems;
}

async function main() {
  const { values } = parseArgs({ options: { out: { type: "string", default: "docs/api" } } });
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const out = resolve(values.out);
  process.chdir(root);
  const td = await import("typedoc");
  const app = await td.Application.bootstrapWithPlugins({ options: join(root, "typedoc.json"), out }, [
    new td.TypeDocReader(),
    new td.PackageJsonReader(),
    new td.TSConfigReader(),
  ]);
  // As TypeDoc's own CLI does, with treatWarningsAsErrors (typedoc.json): stop at the first warning.
  const failed = () => app.logger.hasErrors() || app.logger.hasWarnings();
  const project = failed() ? undefined : await app.convert();
  // A package with several entry points gets a module each, named by its subpath: "" for ".", which
  // shows as an empty title. Each is named as it is imported instead (@dataloop-ts/auth/node).
  for (const pkg of project?.children ?? [])
    for (const entry of pkg.children ?? [])
      if (entry.kindOf(td.ReflectionKind.Module))
        entry.name = entry.name === "" || entry.name === "index" ? pkg.name : `${pkg.name}/${entry.name}`;
  if (project && !failed()) app.validate(project);
  if (project && !failed()) {
    const model = app.serializer.projectToObject(project, root);
    for (const problem of coverageProblems(publicExports(model))) app.logger.warn(problem);
    if (!failed()) {
      await app.generateOutputs(project);
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, "api.json"), JSON.stringify(model));
    }
  }
  if (failed() || !project) {
    console.error(
      `docs: ${app.logger.errorCount} errors, ${app.logger.warningCount} warnings (each one fails the build)`,
    );
    process.exit(1);
  }
}

if (import.meta.main) await main();
