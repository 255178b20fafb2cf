// `scripts/pnpm docs`: the API reference, a static HTML site made by TypeDoc from the TSDoc of every
// public export of the packages listed in typedoc.json's `entryPoints` (the one list of covered
// packages). Any warning fails the build: TypeDoc's own (a type referenced but not exported, a broken
// {@link}) and ours, below: every public export has a summary and an `@example` with a ```ts block.
// tests/docs builds it the same way and then checks the links and type-checks every example.
//
//   node scripts/docs.mjs [--out DIR]     (default docs/api; DIR/api.json is TypeDoc's JSON model)
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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
  reference: 4194304,
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

/**
 * The types openapi-typescript generates from the spec, by `package#name`: their members are every
 * route, schema and operation of the API (about 100 MB of HTML, a page no browser opens), so their
 * pages show the summary and example written at their export, and point at the spec's own viewers
 * instead (`dataloop-mock`'s Swagger UI, @dataloop-ts/spec).
 */
export const membersNotListed = [
  "@dataloop-ts/client#paths",
  "@dataloop-ts/client#components",
  "@dataloop-ts/client#operations",
];

/**
 * The command-line tools, whose reference is their own `--help`, run from the built bin as a user runs
 * it: a page each in the reference (`documents/<page>.html`, listed on its index), so it cannot drift
 * from what the command says. `options`: the module whose `OPTIONS` (node:util parseArgs' declaration)
 * the command parses with, tabled below the help.
 */
export const commands = [
  {
    bin: "dataloop",
    dir: "packages/cli",
    page: "dataloop",
    options: "dist/args.js",
    about: "log in, tokens for curl/Postman, calls, items and annotations from a terminal",
  },
  {
    bin: "dataloop-mock",
    dir: "packages/mock",
    page: "dataloop-mock",
    about: "the local Dataloop gateway for tests, from any folder: `npx -p @dataloop-ts/mock dataloop-mock`",
  },
];

/**
 * What `<bin> --help` prints, run from the package's built bin with this Node.
 * @param {string} root the repository
 * @param {{ bin: string; dir: string }} command
 */
export function helpOf(root, command) {
  const pkg = JSON.parse(readFileSync(join(root, command.dir, "package.json"), "utf8"));
  const run = spawnSync(process.execPath, [join(root, command.dir, pkg.bin[command.bin]), "--help"], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  if (run.status !== 0) throw new Error(`${command.bin} --help exited ${run.status}: ${run.stderr}`);
  return run.stdout.trimEnd();
}

/**
 * A command's reference page (markdown, for TypeDoc's projectDocuments): its help verbatim, and the
 * options its parser declares.
 * @param {string} root
 * @param {(typeof commands)[number]} command
 */
async function commandPage(root, command) {
  const pkg = JSON.parse(readFileSync(join(root, command.dir, "package.json"), "utf8"));
  const lines = [
    "---",
    `title: ${command.bin}`,
    "---",
    "",
    `# \`${command.bin}\``,
    "",
    `From \`${pkg.name}\` ${pkg.version}: ${command.about}. This page is \`${command.bin} --help\` of the`,
    "built command, made when the reference is built (a test holds it to the command's output).",
    "",
    "```text",
    helpOf(root, command),
    "```",
  ];
  if (command.options) {
    const { OPTIONS } = await import(join(root, command.dir, command.options));
    lines.push(
      "",
      "## Every option the command line takes",
      "",
      "| option | takes | default |",
      "| --- | --- | --- |",
    );
    for (const [name, o] of Object.entries(OPTIONS)) {
      const takes =
        o.type === "boolean" ? "nothing (a flag)" : o.multiple ? "a value, repeatable" : "a value";
      const flag = `${o.short ? `\`-${o.short}\`, ` : ""}\`--${name}\``;
      lines.push(`| ${flag} | ${takes} | ${o.default === undefined ? "" : `\`${o.default}\``} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}

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
  const byId = new Map();
  const references = [];
  const visit = (node, entry) => {
    for (const child of node.children ?? []) {
      if (child.kind === KIND.module) {
        // A package with several entry points has one module each, named as imported (main, below).
        visit(child, child.name);
        continue;
      }
      if (child.kind === KIND.reference) references.push({ entry, name: child.name, target: child.target });
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
      // Listed where it is defined (not a dist/*.d.ts), and under the narrowest entry point that
      // exports it: what `@dataloop-ts/mock` re-exports from `@dataloop-ts/mock/light` is light's.
      byId.set(child.id, found);
      const known = byDeclaration.get(key);
      const rank = (e) => [e.file.includes("/dist/") ? 0 : 1, e.id.indexOf("#")];
      const [knownSrc, knownDepth] = known ? rank(known) : [-1, -1];
      const [src, depth] = rank(found);
      if (src > knownSrc || (src === knownSrc && depth > knownDepth)) byDeclaration.set(key, found);
    }
  };
  for (const pkg of project.children ?? []) visit(pkg, pkg.name);
  // TypeDoc converts a declaration that two entry points of a package export once, under the first, and
  // makes the other's a reference: it is listed under the narrowest (`@dataloop-ts/mock/light#TokenRoute`).
  for (const { entry, name, target } of references) {
    const found = byId.get(target);
    const at = found?.id.indexOf("#") ?? -1;
    if (found && entry.length > at && entry.startsWith(`${found.id.slice(0, at)}/`))
      found.id = `${entry}#${name}`;
  }
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
  const pages = mkdtempSync(join(tmpdir(), "dataloop-docs-"));
  const projectDocuments = [];
  for (const command of commands) {
    const file = join(pages, `${command.page}.md`);
    writeFileSync(file, await commandPage(root, command));
    projectDocuments.push(file);
  }
  const app = await td.Application.bootstrapWithPlugins(
    { options: join(root, "typedoc.json"), out, projectDocuments },
    [new td.TypeDocReader(), new td.PackageJsonReader(), new td.TSConfigReader()],
  );
  // As TypeDoc's own CLI does, with treatWarningsAsErrors (typedoc.json): stop at the first warning.
  const failed = () => app.logger.hasErrors() || app.logger.hasWarnings();
  const project = failed() ? undefined : await app.convert();
  // A package with several entry points gets a module each, named by its subpath: "" for ".", which
  // shows as an empty title. Each is named as it is imported instead (@dataloop-ts/auth/node).
  for (const pkg of project?.children ?? [])
    for (const entry of pkg.children ?? [])
      if (entry.kindOf(td.ReflectionKind.Module))
        entry.name = entry.name === "" || entry.name === "index" ? pkg.name : `${pkg.name}/${entry.name}`;
  for (const entry of project?.getReflectionsByKind(td.ReflectionKind.Module) ?? [])
    for (const child of entry.children ?? [])
      if (membersNotListed.includes(`${entry.name}#${child.name}`)) {
        for (const member of [...(child.children ?? [])]) project?.removeReflection(member);
        // The page lists members by group ("Properties"), made before this: they go too.
        child.groups = undefined;
        child.categories = undefined;
      }
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
  rmSync(pages, { recursive: true, force: true });
  if (failed() || !project) {
    console.error(
      `docs: ${app.logger.errorCount} errors, ${app.logger.warningCount} warnings (each one fails the build)`,
    );
    process.exit(1);
  }
}

if (import.meta.main) await main();
