// The checker's work for a typed call, counted (types made: the same on a busy machine as on an idle one).
// A consumer's type-check time is the editor-speed bench's (tests/runtimes/bench/typecheck.bench.mjs);
// this holds the property that bench found the time in: a call must not cost the checker the union of
// every route's init, which it resolved while the call's path was still generic.
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { virtualProgram } from "./virtual-program.js";

/** The types the checker made for a file that declares a client and runs `calls` (one program each). */
function typesMadeFor(calls: string, oldProgram?: ts.Program): { count: number; program: ts.Program } {
  const source = `import type { DataloopClient } from "../src/index.js";
declare const dl: DataloopClient;
export async function calls() {
${calls}
}
`;
  const { program, path } = virtualProgram("counted-calls.virtual.ts", source, oldProgram);
  const diagnostics = ts
    .getPreEmitDiagnostics(program, program.getSourceFile(path))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  expect(diagnostics).toEqual([]);
  return { count: program.getTypeCount(), program };
}

describe("the checker's work for a typed call", () => {
  it("for the first init of a method does not grow with the method's routes: fewer types than GET has", () => {
    // A call without an init pays for what every call does (its path checked against every GET path, its
    // answer's type). The first call with an init paid for the union of every GET route's init, each
    // intersected with the options: 1.2k types for the 158 GET routes of the pinned spec, where a second
    // call's init costs about 50. Each route's init in that union is at least one type.
    const bare = `  const me = await dl.GET("/users/me");`;
    const project = `  const project = await dl.GET("/projects/{projectId}", { params: { path: { projectId: "p" } } });`;
    const without = typesMadeFor(`${bare}\n  return me.data.email;`);
    const first = typesMadeFor(
      `${bare}\n${project}\n  return me.data.email + project.data.name;`,
      without.program,
    );
    const getRoutes = countGetRoutes(first.program);
    expect(getRoutes).toBeGreaterThan(100);
    expect(first.count - without.count).toBeLessThan(getRoutes);
  });
});

/** The GET routes the generated map declares, read from the program the calls were checked in. */
function countGetRoutes(program: ts.Program): number {
  const file = program.getSourceFiles().find((f) => f.fileName.endsWith("/generated/routes.ts"));
  const map = file?.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "GetRoutes",
  );
  return map?.members.length ?? 0;
}
