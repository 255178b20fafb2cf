import { isDeepStrictEqual } from "node:util";
import { operationKey } from "@dataloop-ts/core";
import {
  listOperations,
  type OpenApiDocument,
  type Operation,
  type OperationRef,
  type Parameter,
  resolveParameter,
} from "./openapi.js";

const DOCS_ONLY = "documentation only";
const docsOnly = (c: ApiChange) => c.details.length === 1 && c.details[0] === DOCS_ONLY;

export type Bump = "major" | "minor" | "patch" | "none";

export interface ApiChange {
  kind: "operation" | "schema";
  change: "added" | "removed" | "changed";
  /** `POST /orgs/{orgId}/bots` or a schema name. */
  name: string;
  breaking: boolean;
  /** Why it is (or is not) breaking, one line each. */
  details: string[];
}

export interface ApiDiff {
  from: { title?: string; version?: string };
  to: { title?: string; version?: string };
  changes: ApiChange[];
  bump: Bump;
  summary: {
    operations: { added: number; removed: number; changed: number };
    schemas: { added: number; removed: number; changed: number };
    breaking: number;
  };
}

// Keys that document but do not change what goes over the wire or which types are emitted.
const DOC_KEYS = new Set(["description", "summary", "example", "examples", "title", "tags", "externalDocs"]);
const isDocKey = (k: string) => DOC_KEYS.has(k) || k.startsWith("x-");

function stripDocs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDocs);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!isDocKey(k)) out[k] = stripDocs(v);
  return out;
}

type Schema = Record<string, unknown>;
const asSchema = (v: unknown): Schema => (v && typeof v === "object" ? (v as Schema) : {});

/** Compares two schemas structurally; `into` collects [breaking, detail] pairs. */
function compareSchema(a: Schema, b: Schema, at: string, into: Array<[boolean, string]>): void {
  if (a.$ref !== b.$ref) {
    into.push([true, `${at}: type changed from ${a.$ref ?? "inline"} to ${b.$ref ?? "inline"}`]);
    return;
  }
  if (a.$ref) return; // same named schema: its own entry reports its changes
  if (!isDeepStrictEqual(a.type, b.type)) {
    into.push([true, `${at}: type ${JSON.stringify(a.type)} → ${JSON.stringify(b.type)}`]);
    return;
  }
  if (Array.isArray(a.enum) || Array.isArray(b.enum)) {
    const av = (a.enum as unknown[] | undefined) ?? [];
    const bv = (b.enum as unknown[] | undefined) ?? [];
    const removed = av.filter((x) => !bv.some((y) => isDeepStrictEqual(x, y)));
    const added = bv.filter((x) => !av.some((y) => isDeepStrictEqual(x, y)));
    if (removed.length) into.push([true, `${at}: enum values removed ${JSON.stringify(removed)}`]);
    if (added.length) into.push([false, `${at}: enum values added ${JSON.stringify(added)}`]);
  }
  const ap = asSchema(a.properties);
  const bp = asSchema(b.properties);
  const aReq = new Set((a.required as string[] | undefined) ?? []);
  const bReq = new Set((b.required as string[] | undefined) ?? []);
  for (const name of Object.keys(ap)) {
    if (!(name in bp)) into.push([true, `${at}.${name}: property removed`]);
    else compareSchema(asSchema(ap[name]), asSchema(bp[name]), `${at}.${name}`, into);
  }
  for (const name of Object.keys(bp)) {
    if (!(name in ap))
      into.push([
        bReq.has(name),
        `${at}.${name}: ${bReq.has(name) ? "required" : "optional"} property added`,
      ]);
  }
  for (const name of bReq) {
    if (!aReq.has(name) && name in ap) into.push([true, `${at}.${name}: became required`]);
  }
  for (const name of aReq)
    if (!bReq.has(name) && name in bp) into.push([false, `${at}.${name}: became optional`]);
  if (a.items || b.items) compareSchema(asSchema(a.items), asSchema(b.items), `${at}[]`, into);
  for (const key of ["allOf", "anyOf", "oneOf"]) {
    if (!isDeepStrictEqual(a[key], b[key])) into.push([true, `${at}: ${key} changed`]);
  }
  const handled = new Set([
    "$ref",
    "type",
    "enum",
    "properties",
    "required",
    "items",
    "allOf",
    "anyOf",
    "oneOf",
  ]);
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!handled.has(key) && !isDeepStrictEqual(a[key], b[key])) into.push([false, `${at}: ${key} changed`]);
  }
}

function paramsOf(doc: OpenApiDocument, path: string, op: Operation): Map<string, Parameter> {
  const all = [...((doc.paths[path]?.parameters ?? []) as Parameter[]), ...(op.parameters ?? [])];
  const out = new Map<string, Parameter>();
  for (const raw of all) {
    const p = resolveParameter(doc, raw);
    if (p) out.set(`${p.in} ${p.in === "path" ? "" : p.name}`, p); // path params match by position, not name
  }
  return out;
}

const successSchema = (op: Operation) => {
  const responses = (op.responses ?? {}) as Record<
    string,
    { content?: Record<string, { schema?: unknown }> }
  >;
  const code = Object.keys(responses).find((c) => /^2\d\d$/.test(c));
  return code ? responses[code]?.content?.["application/json"]?.schema : undefined;
};

function compareOperation(
  a: OpenApiDocument,
  b: OpenApiDocument,
  pa: string,
  oa: Operation,
  pb: string,
  ob: Operation,
): Array<[boolean, string]> {
  const out: Array<[boolean, string]> = [];
  if (oa.operationId !== ob.operationId)
    out.push([true, `operationId ${oa.operationId} → ${ob.operationId}`]);
  const ap = paramsOf(a, pa, oa);
  const bp = paramsOf(b, pb, ob);
  for (const [key, p] of ap) {
    const q = bp.get(key);
    if (!q) out.push([true, `parameter ${p.in}:${p.name} removed`]);
    else {
      if (!p.required && q.required) out.push([true, `parameter ${q.in}:${q.name} became required`]);
      compareSchema(asSchema(stripDocs(p.schema)), asSchema(stripDocs(q.schema)), `parameter ${q.name}`, out);
    }
  }
  for (const [key, q] of bp) {
    if (!ap.has(key))
      out.push([
        Boolean(q.required),
        `${q.required ? "required" : "optional"} parameter ${q.in}:${q.name} added`,
      ]);
  }
  const ab = oa.requestBody?.content?.["application/json"]?.schema;
  const bb = ob.requestBody?.content?.["application/json"]?.schema;
  if (ab && !bb) out.push([true, "request body removed"]);
  else if (!ab && bb) out.push([Boolean(ob.requestBody?.required), "request body added"]);
  else if (ab && bb) compareSchema(asSchema(stripDocs(ab)), asSchema(stripDocs(bb)), "body", out);
  const ar = successSchema(oa);
  const br = successSchema(ob);
  if (ar && !br) out.push([true, "success response body removed"]);
  else if (!ar && br) out.push([false, "success response body added"]);
  else if (ar && br) compareSchema(asSchema(stripDocs(ar)), asSchema(stripDocs(br)), "response", out);
  return out;
}

const templateKey = (method: string, path: string) => operationKey(method, path.replace(/\{[^}]+\}/g, "{}"));

/** Pairs operations by exact route, then leftovers whose routes differ only in path parameter names. */
function pairOperations(a: OpenApiDocument, b: OpenApiDocument) {
  const opsA = new Map(listOperations(a).map((o) => [operationKey(o.method, o.path), o]));
  const opsB = new Map(listOperations(b).map((o) => [operationKey(o.method, o.path), o]));
  const pairs: Array<[OperationRef, OperationRef]> = [];
  for (const [key, o] of opsA) {
    const n = opsB.get(key);
    if (n) {
      pairs.push([o, n]);
      opsA.delete(key);
      opsB.delete(key);
    }
  }
  const byTemplate = (m: Map<string, OperationRef>) => {
    const t = new Map<string, OperationRef[]>();
    for (const o of m.values())
      t.set(templateKey(o.method, o.path), [...(t.get(templateKey(o.method, o.path)) ?? []), o]);
    return t;
  };
  const ta = byTemplate(opsA);
  const tb = byTemplate(opsB);
  for (const [key, [o, ...moreA]] of ta) {
    const candidates = tb.get(key);
    if (!o || moreA.length || candidates?.length !== 1 || !candidates[0]) continue;
    pairs.push([o, candidates[0]]);
    opsA.delete(operationKey(o.method, o.path));
    opsB.delete(operationKey(candidates[0].method, candidates[0].path));
  }
  return { pairs, removed: [...opsA.values()], added: [...opsB.values()] };
}

export interface DiffOptions {
  /** The upstream documents before repair: operations they add that the repair dropped are reported too. */
  upstream?: { from: OpenApiDocument; to: OpenApiDocument };
}

/** The API changelog between two (repaired) documents, each change classed, and the semver bump that follows. */
export function diffSpecs(a: OpenApiDocument, b: OpenApiDocument, options: DiffOptions = {}): ApiDiff {
  const changes: ApiChange[] = [];
  const { pairs, removed, added } = pairOperations(a, b);
  for (const o of removed) {
    changes.push({
      kind: "operation",
      change: "removed",
      name: operationKey(o.method, o.path),
      breaking: true,
      details: ["operation removed"],
    });
  }
  for (const [o, n] of pairs) {
    const found = compareOperation(a, b, o.path, o.operation, n.path, n.operation);
    if (o.path !== n.path) found.unshift([true, `path parameters renamed: ${o.path} → ${n.path}`]);
    const docsOnly = found.length === 0 && !isDeepStrictEqual(o.operation, n.operation);
    if (found.length || docsOnly) {
      changes.push({
        kind: "operation",
        change: "changed",
        name: operationKey(n.method, n.path),
        breaking: found.some(([br]) => br),
        details: found.length ? found.map(([, d]) => d) : [DOCS_ONLY],
      });
    }
  }
  for (const n of added) {
    changes.push({
      kind: "operation",
      change: "added",
      name: operationKey(n.method, n.path),
      breaking: false,
      details: [`new operation ${n.operation.operationId ?? ""}`.trim()],
    });
  }
  if (options.upstream) {
    const up = pairOperations(options.upstream.from, options.upstream.to);
    const reported = new Set(changes.map((c) => c.name));
    for (const n of up.added) {
      const name = operationKey(n.method, n.path);
      if (reported.has(name)) continue;
      changes.push({
        kind: "operation",
        change: "added",
        name,
        breaking: false,
        details: ["added upstream; dropped by the overlay, so not in the SDK"],
      });
    }
  }
  const sa = a.components?.schemas ?? {};
  const sb = b.components?.schemas ?? {};
  for (const [name, schema] of Object.entries(sa)) {
    if (!(name in sb)) {
      changes.push({ kind: "schema", change: "removed", name, breaking: true, details: ["schema removed"] });
      continue;
    }
    if (isDeepStrictEqual(schema, sb[name])) continue;
    const found: Array<[boolean, string]> = [];
    compareSchema(asSchema(stripDocs(schema)), asSchema(stripDocs(sb[name])), name, found);
    changes.push({
      kind: "schema",
      change: "changed",
      name,
      breaking: found.some(([br]) => br),
      details: found.length ? found.map(([, d]) => d) : [DOCS_ONLY],
    });
  }
  for (const name of Object.keys(sb)) {
    if (!(name in sa))
      changes.push({ kind: "schema", change: "added", name, breaking: false, details: ["new schema"] });
  }
  const count = (kind: ApiChange["kind"], change: ApiChange["change"]) =>
    changes.filter((c) => c.kind === kind && c.change === change).length;
  const breaking = changes.filter((c) => c.breaking).length;
  const bump: Bump = breaking
    ? "major"
    : changes.some((c) => !docsOnly(c))
      ? "minor"
      : changes.length
        ? "patch"
        : "none";
  return {
    from: { title: a.info?.title, version: a.info?.version },
    to: { title: b.info?.title, version: b.info?.version },
    changes,
    bump,
    summary: {
      operations: {
        added: count("operation", "added"),
        removed: count("operation", "removed"),
        changed: count("operation", "changed"),
      },
      schemas: {
        added: count("schema", "added"),
        removed: count("schema", "removed"),
        changed: count("schema", "changed"),
      },
      breaking,
    },
  };
}

/** The changelog as Markdown: breaking first, then additions, then other changes. */
export function formatDiff(diff: ApiDiff, options: { details?: boolean } = {}): string {
  const s = diff.summary;
  const lines = [
    `Operations: +${s.operations.added} -${s.operations.removed} ~${s.operations.changed}; ` +
      `schemas: +${s.schemas.added} -${s.schemas.removed} ~${s.schemas.changed}; ` +
      `breaking: ${s.breaking}; bump: ${diff.bump}`,
  ];
  const section = (title: string, list: ApiChange[]) => {
    if (!list.length) return;
    lines.push("", `### ${title}`);
    for (const c of list) {
      const what = c.kind === "operation" ? `\`${c.name}\`` : `schema \`${c.name}\``;
      const note =
        c.change === "added" && c.details[0]?.startsWith("added upstream") ? ` (${c.details[0]})` : "";
      lines.push(`- ${what} ${c.change}${c.breaking && c.change === "changed" ? " (breaking)" : ""}${note}`);
      if (options.details && c.change === "changed")
        for (const d of c.details.slice(0, 8)) lines.push(`  - ${d}`);
    }
  };
  const byName = (x: ApiChange, y: ApiChange) => x.name.localeCompare(y.name);
  section("Breaking", diff.changes.filter((c) => c.breaking).sort(byName));
  section("Added", diff.changes.filter((c) => c.change === "added").sort(byName));
  const changed = diff.changes.filter((c) => c.change === "changed" && !c.breaking);
  section("Changed", changed.filter((c) => !docsOnly(c)).sort(byName));
  const docs = changed.filter(docsOnly);
  if (docs.length) {
    const ops = docs.filter((c) => c.kind === "operation").length;
    lines.push("", `${ops} operations and ${docs.length - ops} schemas changed their documentation only.`);
  }
  return lines.join("\n");
}
