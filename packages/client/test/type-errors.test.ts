// The type errors a user reads for a wrong call: the compiler run over calls written as a user would,
// against the sources' public types. `@ts-expect-error` (types.typecheck.ts) proves a call is refused;
// this proves the message says what is wrong, after the call signature was rewritten for editor speed.
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { virtualProgram } from "./virtual-program.js";

/** Each wrong call on its own line, so a message is found by the line it is on. */
const WRONG = {
  pathParameterMisspelt: `await dl.GET("/projects/{projectId}", { params: { path: { projectID: "p" } } });`,
  pathParameterMissing: `await dl.GET("/projects/{projectId}", { params: { path: {} } });`,
  initMissing: `await dl.GET("/projects/{projectId}");`,
  routeUnknown: `await dl.GET("/projects/{projectID}", { params: { path: { projectId: "p" } } });`,
  methodNotOfRoute: `await dl.POST("/users/me");`,
  queryOnARouteWithout: `await dl.GET("/projects/{projectId}", { params: { path: { projectId: "p" }, query: { x: 1 } } });`,
  parametersOnARouteWithout: `await dl.GET("/users/me", { params: { query: { x: 1 } } });`,
  queryMisspelt: `await dl.GET("/datasets/{datasetId}/items", { params: { path: { datasetId: "d" }, query: { pageOfset: 1 } } });`,
  queryWrongType: `await dl.GET("/datasets/{datasetId}/items", { params: { path: { datasetId: "d" }, query: { pageOffset: "1" } } });`,
  bodyMisspelt: `await dl.PATCH("/projects/{projectId}", { params: { path: { projectId: "p" } }, body: { nam: "x" } });`,
  bodyWrongType: `await dl.POST("/projects", { body: { name: 42 } });`,
  bodyOnARouteWithout: `await dl.GET("/users/me", { body: { name: "x" } });`,
  parseAsMisspelt: `await dl.GET("/projects/{projectId}", { params: { path: { projectId: "p" } }, parseAs: "jsn" });`,
  callOptionWrongType: `await dl.GET("/projects/{projectId}", { params: { path: { projectId: "p" } }, retry: "yes" });`,
} as const;
type Case = keyof typeof WRONG;

const source = `import type { DataloopClient } from "../src/index.js";
declare const dl: DataloopClient;
export async function wrong() {
${Object.values(WRONG).join("\n")}
}
`;
const FIRST_LINE = 3; // 0-based line of the first wrong call

/** The compiler's messages, by the wrong call they are on. */
function messagesByCase(): Map<Case, string[]> {
  const { program, path } = virtualProgram("wrong-calls.virtual.ts", source);
  const file = program.getSourceFile(path);
  const cases = Object.keys(WRONG) as Case[];
  const out = new Map<Case, string[]>(cases.map((c) => [c, []]));
  for (const d of ts.getPreEmitDiagnostics(program, file)) {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    const c = cases[line - FIRST_LINE];
    if (!c)
      throw new Error(`a message on no wrong call: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    out.get(c)?.push(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  }
  return out;
}

describe("a wrong typed call", () => {
  // One compile for every case: the program loads the whole generated schema.
  const messages = messagesByCase();
  const of = (c: Case) => messages.get(c)?.join("\n") ?? "";

  it("names a misspelt path parameter and suggests the right one", () => {
    expect(of("pathParameterMisspelt")).toContain(
      "'projectID' does not exist in type '{ projectId: string; }'. Did you mean to write 'projectId'?",
    );
  });

  it("names a missing path parameter, and a missing init", () => {
    expect(of("pathParameterMissing")).toContain(
      "Property 'projectId' is missing in type '{}' but required in type '{ projectId: string; }'.",
    );
    expect(of("initMissing")).toContain("Expected 2 arguments, but got 1.");
    expect(of("methodNotOfRoute")).toContain("Expected 2 arguments, but got 1.");
  });

  it("refuses a route the gateway does not have, naming it", () => {
    expect(of("routeUnknown")).toContain(`Argument of type '"/projects/{projectID}"' is not assignable`);
  });

  it("refuses parameters where the route takes none", () => {
    // The operation's `query?: never` slot: a call's init is inferred from the call, so a location the
    // route lacks is refused only by a slot that says it is absent.
    expect(of("queryOnARouteWithout")).toContain(
      "Type '{ x: number; }' is not assignable to type 'undefined'.",
    );
    expect(of("parametersOnARouteWithout")).toContain(
      "Type '{ x: number; }' is not assignable to type 'undefined'.",
    );
  });

  it("names a misspelt query parameter, and a query parameter of the wrong type", () => {
    expect(of("queryMisspelt")).toMatch(
      /'pageOfset' does not exist in type .*Did you mean to write 'pageOffset'\?/,
    );
    expect(of("queryWrongType")).toContain("Type 'string' is not assignable to type 'number'.");
  });

  it("names a misspelt body field, a body field of the wrong type, and a body where the route takes none", () => {
    expect(of("bodyMisspelt")).toContain(
      "'nam' does not exist in type '{ name: string; }'. Did you mean to write 'name'?",
    );
    expect(of("bodyWrongType")).toContain("Type 'number' is not assignable to type 'string'.");
    expect(of("bodyOnARouteWithout")).toContain("is not assignable to type 'undefined'.");
  });

  it("checks openapi-fetch's options and ours", () => {
    expect(of("parseAsMisspelt")).toContain(`Did you mean '"json"'?`);
    expect(of("callOptionWrongType")).toContain(
      "Type 'string' is not assignable to type 'false | RetryOptions | undefined'.",
    );
  });

  it("says nothing more than one message per wrong call", () => {
    for (const [c, list] of messages) expect(list, c).toHaveLength(1);
  });
});
