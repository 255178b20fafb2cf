// A TypeScript program over one file made in memory, `test/<name>`, next to the package's sources (so
// that `../src/index.js` resolves), compiled as a strict NodeNext consumer would compile it. The type
// tests that read the compiler's own messages or counts (type-errors, type-cost) share it.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const options: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
  types: ["node"],
};

/** The program and the in-memory file's path; `oldProgram` lets a second program reuse the first's files. */
export function virtualProgram(
  name: string,
  source: string,
  oldProgram?: ts.Program,
): { program: ts.Program; path: string } {
  const path = join(packageDir, "test", name);
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (file, ...rest) =>
    file === path
      ? ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true)
      : getSourceFile(file, ...rest);
  host.fileExists = (file) => file === path || fileExists(file);
  host.readFile = (file) => (file === path ? source : readFile(file));
  return { program: ts.createProgram({ rootNames: [path], options, host, oldProgram }), path };
}
