import ts from "typescript";

const isNever = (type: ts.TypeNode | undefined) => type?.kind === ts.SyntaxKind.NeverKeyword;
const isNeverSlot = (m: ts.TypeElement) =>
  ts.isPropertySignature(m) && Boolean(m.questionToken) && isNever(m.type);
const nameOf = (m: ts.TypeElement) =>
  m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) ? m.name.text : undefined;

/** `headers: { [name: string]: unknown }`: a response's headers, when the document names none. */
const isAnyHeaders = (m: ts.TypeElement) =>
  ts.isPropertySignature(m) &&
  nameOf(m) === "headers" &&
  m.type !== undefined &&
  ts.isTypeLiteralNode(m.type) &&
  m.type.members.length === 1 &&
  m.type.members.every(
    (s) => ts.isIndexSignatureDeclaration(s) && s.type.kind === ts.SyntaxKind.UnknownKeyword,
  );

/**
 * openapi-typescript's output without what says nothing to a type: in `paths`, the `put?: never` slot of
 * every method a route lacks and a route's `parameters` when all four locations are `?: never` (its
 * operations carry their own); in every response, `headers: { [name: string]: unknown }`. Every consumer's
 * type-check parses and binds the shipped schema (about 4 in 25 of its symbols were these; the
 * type-check bench in tests/runtimes measures it). An operation's own `query?: never` slots stay: they
 * are how a call that passes a location the route lacks is refused.
 */
export function slimSchema(statements: readonly ts.Node[]): ts.Node[] {
  const slimPaths = (node: ts.InterfaceDeclaration) =>
    ts.factory.updateInterfaceDeclaration(
      node,
      node.modifiers,
      node.name,
      node.typeParameters,
      node.heritageClauses,
      node.members.map((route) => {
        if (!ts.isPropertySignature(route) || !route.type || !ts.isTypeLiteralNode(route.type)) return route;
        const members = route.type.members.filter((m) => {
          if (isNeverSlot(m)) return false;
          if (nameOf(m) !== "parameters" || !ts.isPropertySignature(m) || !m.type) return true;
          return !(ts.isTypeLiteralNode(m.type) && m.type.members.every(isNeverSlot));
        });
        return ts.factory.updatePropertySignature(
          route,
          route.modifiers,
          route.name,
          route.questionToken,
          ts.factory.updateTypeLiteralNode(route.type, ts.factory.createNodeArray(members)),
        );
      }),
    );
  // operations → each operation → `responses` → each status: the headers member, where openapi-typescript
  // writes it (a walk of the whole tree instead cost the codegen bench a tenth of its time).
  const withoutHeaders = (type: ts.TypeNode) =>
    ts.isTypeLiteralNode(type) && type.members.some(isAnyHeaders)
      ? ts.factory.updateTypeLiteralNode(
          type,
          ts.factory.createNodeArray(type.members.filter((m) => !isAnyHeaders(m))),
        )
      : type;
  const mapMembers = (type: ts.TypeNode | undefined, f: (m: ts.PropertySignature) => ts.TypeElement) =>
    type && ts.isTypeLiteralNode(type)
      ? ts.factory.updateTypeLiteralNode(
          type,
          ts.factory.createNodeArray(type.members.map((m) => (ts.isPropertySignature(m) ? f(m) : m))),
        )
      : type;
  const withType = (m: ts.PropertySignature, type: ts.TypeNode | undefined) =>
    type === m.type ? m : ts.factory.updatePropertySignature(m, m.modifiers, m.name, m.questionToken, type);
  const slimOperations = (node: ts.InterfaceDeclaration) =>
    ts.factory.updateInterfaceDeclaration(
      node,
      node.modifiers,
      node.name,
      node.typeParameters,
      node.heritageClauses,
      node.members.map((op) =>
        ts.isPropertySignature(op)
          ? withType(
              op,
              mapMembers(op.type, (m) =>
                nameOf(m) === "responses"
                  ? withType(
                      m,
                      mapMembers(m.type, (status) =>
                        withType(status, status.type && withoutHeaders(status.type)),
                      ),
                    )
                  : m,
              ),
            )
          : op,
      ),
    );
  return statements.map((s) => {
    if (!ts.isInterfaceDeclaration(s)) return s;
    if (s.name.text === "paths") return slimPaths(s);
    if (s.name.text === "operations") return slimOperations(s);
    return s;
  });
}
