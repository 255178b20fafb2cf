import ts from "typescript";
import { HTTP_METHODS, type HttpMethod } from "./openapi.js";

/** `get` → `Get`: the prefix of a method's route maps (`GetRoutes`, `GetInits`). */
export const routeMapPrefix = (method: HttpMethod) => method[0]?.toUpperCase() + method.slice(1);

const nameOf = (member: ts.TypeElement): string | undefined => {
  const name = member.name;
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
};

const membersOf = (node: ts.Node | undefined): Map<string, ts.TypeElement> => {
  const out = new Map<string, ts.TypeElement>();
  if (node && (ts.isInterfaceDeclaration(node) || ts.isTypeLiteralNode(node))) {
    for (const member of node.members) {
      const name = nameOf(member);
      if (name !== undefined) out.set(name, member);
    }
  }
  return out;
};

const typeOf = (member: ts.TypeElement | undefined) =>
  member && ts.isPropertySignature(member) ? member.type : undefined;
const isNever = (type: ts.TypeNode | undefined) => type?.kind === ts.SyntaxKind.NeverKeyword;

/**
 * The init of one operation as openapi-fetch's `FetchOptions` types it, written out: `params` required when
 * a parameter is (openapi-fetch's `ParamsOption`), `body` required, optional or `never` as the request
 * body is (`RequestBodyOption`), with every media type's content.
 */
function initOf(op: string, operation: ts.TypeNode | undefined, paramsOf = op): string {
  const members = membersOf(operation);
  const parameters = typeOf(members.get("parameters"));
  let params: string;
  if (!members.has("parameters")) params = "params?: { query?: Record<string, unknown> }";
  else if (parameters && ts.isTypeLiteralNode(parameters)) {
    const required = parameters.members.some((m) => !m.questionToken && !isNever(typeOf(m)));
    params = `params${required ? "" : "?"}: ${paramsOf}["parameters"]`;
  } else params = `params: ${paramsOf}["parameters"]`;
  const requestBody = members.get("requestBody");
  const bodyType = typeOf(requestBody);
  let body: string;
  if (!requestBody || isNever(bodyType)) body = "body?: never";
  else {
    const optional = Boolean(requestBody.questionToken);
    const ref = optional ? `NonNullable<${op}["requestBody"]>` : `${op}["requestBody"]`;
    body = `body${optional ? "?" : ""}: ${ref}["content"][keyof ${ref}["content"]]`;
  }
  return `{ ${params}; ${body} }`;
}

/**
 * Per HTTP method, two maps a call is checked against: `GetRoutes` (path → its operation) and `GetInits`
 * (path → the init the call takes). openapi-fetch derives both inside its call signature, with
 * conditional types over every path of `paths`; written out here, a call checks against declared types
 * (the editor-speed bench in tests/runtimes measures the difference).
 * @param statements openapi-typescript's output (`paths` and `operations` interfaces).
 */
export function emitRoutes(statements: readonly ts.Node[]): string {
  const find = (name: string) =>
    statements.find(
      (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
    );
  const operations = membersOf(find("operations"));
  // Operations whose parameters read the same, documentation included, share one type in the maps: a
  // call's \`params\` is checked against the union of every route's before its path is known, and the
  // checker's work there grows with the union's members (158 GET routes, 92 distinct parameter types).
  const printer = ts.createPrinter();
  const blank = ts.createSourceFile("params.ts", "", ts.ScriptTarget.Latest);
  const firstWith = new Map<string, string>();
  const sharedParams = new Map<string, string>();
  for (const [name, member] of operations) {
    const parameters = typeOf(membersOf(typeOf(member)).get("parameters"));
    if (!parameters) continue;
    const text = printer.printNode(ts.EmitHint.Unspecified, parameters, blank);
    if (!firstWith.has(text)) firstWith.set(text, `operations[${JSON.stringify(name)}]`);
    sharedParams.set(name, firstWith.get(text) as string);
  }
  const byMethod = new Map<HttpMethod, Array<{ path: string; op: string; init: string }>>(
    HTTP_METHODS.map((m) => [m, []]),
  );
  for (const [path, item] of membersOf(find("paths"))) {
    const methods = membersOf(typeOf(item));
    for (const method of HTTP_METHODS) {
      const type = typeOf(methods.get(method));
      if (!type || isNever(type)) continue;
      // `operations["id"]` when the operation has an id (every one after repair), the inline type otherwise.
      const named =
        ts.isIndexedAccessTypeNode(type) &&
        ts.isLiteralTypeNode(type.indexType) &&
        ts.isStringLiteral(type.indexType.literal)
          ? type.indexType.literal.text
          : undefined;
      const op =
        named !== undefined && operations.has(named)
          ? `operations[${JSON.stringify(named)}]`
          : `paths[${JSON.stringify(path)}][${JSON.stringify(method)}]`;
      const operation = named !== undefined ? typeOf(operations.get(named)) : type;
      const paramsOf = named !== undefined ? sharedParams.get(named) : undefined;
      byMethod.get(method)?.push({ path, op, init: initOf(op, operation, paramsOf) });
    }
  }
  const inline = [...byMethod.values()].some((routes) => routes.some((r) => r.op.startsWith("paths[")));
  const blocks = [...byMethod].map(([method, routes]) => {
    const prefix = routeMapPrefix(method);
    const upper = method.toUpperCase();
    const lines = (f: (r: { path: string; op: string; init: string }) => string) =>
      routes.map((r) => `  ${JSON.stringify(r.path)}: ${f(r)};\n`).join("");
    return (
      `/** The operation of each \`${upper}\` route. */\nexport interface ${prefix}Routes {\n${lines((r) => r.op)}}\n` +
      `/** The init each \`${upper}\` route takes: \`params\` and \`body\`, required as the operation says. */\n` +
      `export interface ${prefix}Inits {\n${lines((r) => r.init)}}\n`
    );
  });
  const imports = inline ? "operations, paths" : "operations";
  return `import type { ${imports} } from "./schema.js";\n\n${blocks.join("\n")}`;
}
