// The API report of a package: every entry of its `exports` map that has types, and for each export
// its kind and its declared shape as TypeScript prints it from the built `.d.ts`. Committed per package
// (packages/NAME/api-report.md), so any change of a public surface shows in review as a diff.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

export const REPO = join(import.meta.dirname, "../../..");
export const PACKAGES = ["core", "codegen", "spec", "auth", "client", "mock", "cli"] as const;

interface Entry {
  subpath: string;
  types: string;
}

function entries(dir: string): Entry[] {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    exports?: Record<string, string | { types?: string }>;
    bin?: Record<string, string>;
  };
  return Object.entries(pkg.exports ?? {})
    .filter(([, target]) => typeof target === "object" && target.types)
    .map(([subpath, target]) => ({ subpath, types: join(dir, (target as { types: string }).types) }));
}

const KINDS: Array<[ts.SymbolFlags, string]> = [
  [ts.SymbolFlags.Class, "class"],
  [ts.SymbolFlags.Function, "function"],
  [ts.SymbolFlags.Interface, "interface"],
  [ts.SymbolFlags.TypeAlias, "type"],
  [ts.SymbolFlags.Enum, "enum"],
  [ts.SymbolFlags.Variable, "const"],
];

const FORMAT = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;

/** Declared by the package (or a dependency), not inherited from the platform (Error's stack, captureStackTrace…). */
const ours = (symbol: ts.Symbol) =>
  (symbol.declarations ?? []).some((d) => {
    const file = d.getSourceFile().fileName;
    return !/node_modules\/(typescript\/lib|@types\/node)\//.test(file);
  });

function describe(checker: ts.TypeChecker, exported: ts.Symbol, at: ts.Node): string {
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const kind = KINDS.find(([flag]) => symbol.flags & flag)?.[1] ?? "value";
  const name = exported.name;
  if (kind === "interface" || kind === "type") {
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    // Object shapes by member; unions and primitives (a string union's String methods) as written.
    const objectLike = (type.flags & ts.TypeFlags.Object) !== 0;
    const members = (objectLike ? checker.getPropertiesOfType(type) : [])
      .filter((p) => !p.name.startsWith("__@"))
      .map(
        (p) =>
          `  ${p.name}${p.flags & ts.SymbolFlags.Optional ? "?" : ""}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(p, at), at, FORMAT)}`,
      );
    const shape = members.length ? `{\n${members.join("\n")}\n}` : checker.typeToString(type, at, FORMAT);
    // A generated type (paths, components, operations) is thousands of lines: its name says enough.
    return `${kind} ${name}${shape.length > 4000 ? " (generated; see the spec)" : ` = ${shape}`}`;
  }
  const type = checker.getTypeOfSymbolAtLocation(symbol, at);
  if (kind === "class") {
    const ctor = type.getConstructSignatures().map((s) => `  new${checker.signatureToString(s, at, FORMAT)}`);
    const instance = checker.getDeclaredTypeOfSymbol(symbol);
    const members = checker
      .getPropertiesOfType(instance)
      .filter((p) => ours(p) && !p.name.startsWith("#") && !p.name.startsWith("__"))
      .map(
        (p) => `  ${p.name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(p, at), at, FORMAT)}`,
      );
    const statics = checker
      .getPropertiesOfType(type)
      .filter((p) => ours(p) && p.name !== "prototype")
      .map(
        (p) =>
          `  static ${p.name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(p, at), at, FORMAT)}`,
      );
    return `class ${name} {\n${[...ctor, ...statics, ...members].join("\n")}\n}`;
  }
  const text = checker.typeToString(type, at, FORMAT);
  return `${kind} ${name}: ${text.length > 4000 ? "(generated)" : text}`;
}

/** The report of one package, as markdown. */
export function apiReport(name: (typeof PACKAGES)[number]): string {
  const dir = join(REPO, "packages", name);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    name: string;
    bin?: Record<string, string>;
  };
  const list = entries(dir);
  const program = ts.createProgram(
    list.map((e) => e.types),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    },
  );
  const checker = program.getTypeChecker();
  const lines = [
    `# API report: ${pkg.name}`,
    "",
    "Made by `scripts/pnpm api:update` from the built `.d.ts`; do not edit.",
    "",
  ];
  if (pkg.bin) lines.push(`bin: ${Object.keys(pkg.bin).join(", ")}`, "");
  for (const entry of list) {
    const file = program.getSourceFile(entry.types);
    const moduleSymbol = file && checker.getSymbolAtLocation(file);
    lines.push(
      `## \`${entry.subpath === "." ? pkg.name : `${pkg.name}/${entry.subpath.slice(2)}`}\``,
      "",
      "```ts",
    );
    const exports = moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];
    for (const exported of [...exports].sort((a, b) => a.name.localeCompare(b.name)))
      lines.push(describe(checker, exported, file as ts.Node));
    lines.push("```", "");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

export const reportPath = (name: string) => join(REPO, "packages", name, "api-report.md");
