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

/**
 * The semver bump a spec change asks of the packages that publish it: `major` for a breaking change.
 * @example
 * ```ts
 * import type { Bump } from "@dataloop-ts/codegen";
 *
 * const label = (bump: Bump) => (bump === "none" ? "no release" : `a ${bump} release`);
 * ```
 */
export type Bump = "major" | "minor" | "patch" | "none";

/**
 * One entry of an API changelog: an operation or schema added, removed or changed, and whether that breaks callers.
 * @example
 * ```ts
 * import { type ApiChange, diffSpecs, findProject, repairPinned } from "@dataloop-ts/codegen";
 *
 * const { repaired } = await repairPinned(findProject());
 * const breaking: ApiChange[] = diffSpecs(repaired, repaired).changes.filter((c) => c.breaking);
 * for (const c of breaking) console.log(`${c.change} ${c.kind} ${c.name}: ${c.details.join("; ")}`);
 * ```
 */
export interface ApiChange {
  kind: "operation" | "schema";
  change: "added" | "removed" | "changed";
  /** `POST /orgs/{orgId}/bots` or a schema name. */
  name: string;
  breaking: boolean;
  /** Why it is (or is not) breaking, one line each. */
  details: string[];
  /** The operation's first tag (Datasets, Items, …): how long changelogs are grouped. */
  tag?: string;
}

/**
 * What {@link diffSpecs} finds between two documents: every change, counts, and the bump they ask for.
 * @example
 * ```ts
 * import { type ApiDiff, diffSpecs, findProject, repairPinned } from "@dataloop-ts/codegen";
 *
 * const { repaired } = await repairPinned(findProject());
 * const diff: ApiDiff = diffSpecs(repaired, repaired);
 * console.log(diff.bump, diff.summary.breaking, diff.summary.operations.added); // "none" 0 0
 * ```
 */
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

/** A schema as a reader names its type: a ref's name, `string`, `A | B`, `A & B`, "no type". */
function describeType(schema: Schema): string {
  if (typeof schema.$ref === "string") return String(schema.$ref).split("/").pop() ?? "?";
  if (Array.isArray(schema.allOf)) return (schema.allOf as Schema[]).map(describeType).join(" & ");
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(alternatives)) return alternatives.map(describeType).join(" | ");
  if (schema.type === undefined) return Object.keys(schema).length ? "an untyped schema" : "any";
  if (schema.type === "array") return `${describeType(asSchema(schema.items))}[]`;
  return Array.isArray(schema.type) ? schema.type.join(" | ") : String(schema.type);
}

/**
 * allOf/anyOf/oneOf by member: which were added and which went (an alternative that went breaks
 * readers and writers of it; a new allOf member is a new constraint). Members that stayed are compared
 * in place.
 */
function compareAlternatives(a: Schema, b: Schema, key: string, at: string, into: Array<[boolean, string]>) {
  if (isDeepStrictEqual(a[key], b[key])) return;
  const am = (Array.isArray(a[key]) ? a[key] : []) as Schema[];
  const bm = (Array.isArray(b[key]) ? b[key] : []) as Schema[];
  if (!am.length || !bm.length) {
    into.push([true, `${at}: type changed from ${describeType(a)} to ${describeType(b)}`]);
    return;
  }
  const same = (x: Schema, y: Schema) => describeType(x) === describeType(y);
  const gone = am.filter((x) => !bm.some((y) => same(x, y)));
  const added = bm.filter((y) => !am.some((x) => same(x, y)));
  for (const x of gone) into.push([true, `${at}: ${key} member ${describeType(x)} removed`]);
  for (const y of added) into.push([key === "allOf", `${at}: ${key} member ${describeType(y)} added`]);
  for (const x of am) {
    const y = bm.find((m) => same(x, m));
    if (y && !isDeepStrictEqual(x, y)) compareSchema(x, y, `${at} (${key} ${describeType(x)})`, into);
  }
}

/** Compares two schemas structurally; `into` collects [breaking, detail] pairs. */
function compareSchema(a: Schema, b: Schema, at: string, into: Array<[boolean, string]>): void {
  if (a.$ref !== b.$ref) {
    into.push([true, `${at}: type changed from ${describeType(a)} to ${describeType(b)}`]);
    return;
  }
  if (a.$ref) return; // same named schema: its own entry reports its changes
  if (!isDeepStrictEqual(a.type, b.type)) {
    into.push([true, `${at}: type changed from ${describeType(a)} to ${describeType(b)}`]);
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
  for (const key of ["allOf", "anyOf", "oneOf"]) compareAlternatives(a, b, key, at, into);
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

const tagOf = (operation: Operation): { tag?: string } => {
  const tag = Array.isArray(operation.tags) ? operation.tags[0] : undefined;
  return typeof tag === "string" && tag ? { tag } : {};
};

/**
 * Options of {@link diffSpecs}: `upstream` gives the documents before their repairs, to tell a repair's change from the gateway's.
 * @example
 * ```ts
 * import { type DiffOptions, diffSpecs, findProject, repairPinned } from "@dataloop-ts/codegen";
 *
 * const { repaired, document } = await repairPinned(findProject());
 * const options: DiffOptions = { upstream: { from: document, to: document } };
 * const diff = diffSpecs(repaired, repaired, options);
 * ```
 */
export interface DiffOptions {
  /** The upstream documents before repair: operations they add that the repair dropped are reported too. */
  upstream?: { from: OpenApiDocument; to: OpenApiDocument };
}

/**
 * The API changelog between two (repaired) documents, each change classed, and the semver bump that follows.
 * @example
 * ```ts
 * import { diffSpecs, findProject, formatDiff, loadSpec, assertOpenApi3, repairSpec, readOverlay } from "@dataloop-ts/codegen";
 *
 * const project = findProject();
 * const load = async (source: string) => {
 *   const { document } = await loadSpec(source);
 *   assertOpenApi3(document, source);
 *   return repairSpec(document, await readOverlay(project), source).document;
 * };
 * const diff = diffSpecs(await load("old.openapi.json"), await load("new.openapi.json"));
 * console.log(diff.bump, formatDiff(diff));
 * ```
 */
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
      ...tagOf(o.operation),
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
        ...tagOf(n.operation),
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
      ...tagOf(n.operation),
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
        ...tagOf(n.operation),
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

/** How many entries a section lists plainly; longer ones are grouped by tag and folded. */
const LONG_SECTION = 15;

/**
 * The changelog as Markdown: counts first, then breaking changes, each with what broke (which
 * parameter or property became required, which type changed from what to what, which enum value
 * went), then additions, then other changes (their reasons with `details`). A section longer than
 * 15 entries is grouped by tag (Datasets, Items, … ; schemas apart) inside a folded `<details>`.
 * @example
 * ```ts
 * import { diffSpecs, findProject, formatDiff, repairPinned } from "@dataloop-ts/codegen";
 *
 * const { repaired } = await repairPinned(findProject());
 * console.log(formatDiff(diffSpecs(repaired, repaired), { details: true })); // markdown
 * ```
 */
export function formatDiff(diff: ApiDiff, options: { details?: boolean } = {}): string {
  const s = diff.summary;
  const lines = [
    `Operations: +${s.operations.added} -${s.operations.removed} ~${s.operations.changed}; ` +
      `schemas: +${s.schemas.added} -${s.schemas.removed} ~${s.schemas.changed}; ` +
      `breaking: ${s.breaking}; bump: ${diff.bump}`,
  ];
  const entry = (c: ApiChange, withReasons: boolean) => {
    const what = c.kind === "operation" ? `\`${c.name}\`` : `schema \`${c.name}\``;
    const note =
      c.change === "added" && c.details[0]?.startsWith("added upstream") ? ` (${c.details[0]})` : "";
    const out = [`- ${what} ${c.change}${c.breaking && c.change === "changed" ? " (breaking)" : ""}${note}`];
    if (withReasons && c.change === "changed") {
      const reasons = c.breaking ? c.details : c.details.slice(0, 8);
      for (const d of reasons) out.push(`  - ${d}`);
      if (reasons.length < c.details.length) out.push(`  - … ${c.details.length - reasons.length} more`);
    }
    return out;
  };
  const section = (title: string, list: ApiChange[], withReasons: boolean) => {
    if (!list.length) return;
    lines.push("", `### ${title} (${list.length})`);
    if (list.length <= LONG_SECTION) {
      for (const c of list) lines.push(...entry(c, withReasons));
      return;
    }
    const groups = new Map<string, ApiChange[]>();
    for (const c of list) {
      const group = c.kind === "schema" ? "Schemas" : (c.tag ?? "Other operations");
      groups.set(group, [...(groups.get(group) ?? []), c]);
    }
    const names = [...groups.keys()].sort((x, y) =>
      x === "Schemas" ? 1 : y === "Schemas" ? -1 : x.localeCompare(y),
    );
    lines.push("", names.map((n) => `${n}: ${groups.get(n)?.length}`).join(", "));
    lines.push("", `<details><summary>All ${list.length}, by tag</summary>`);
    for (const name of names) {
      lines.push("", `**${name}**`, "");
      for (const c of groups.get(name) ?? []) lines.push(...entry(c, withReasons));
    }
    lines.push("", "</details>");
  };
  const byName = (x: ApiChange, y: ApiChange) => x.name.localeCompare(y.name);
  // Breaking entries always say what broke: a consumer reading a major release must know what to change.
  section("Breaking", diff.changes.filter((c) => c.breaking).sort(byName), true);
  section("Added", diff.changes.filter((c) => c.change === "added").sort(byName), false);
  const changed = diff.changes.filter((c) => c.change === "changed" && !c.breaking);
  section("Changed", changed.filter((c) => !docsOnly(c)).sort(byName), options.details ?? false);
  const docs = changed.filter(docsOnly);
  if (docs.length) {
    const ops = docs.filter((c) => c.kind === "operation").length;
    lines.push("", `${ops} operations and ${docs.length - ops} schemas changed their documentation only.`);
  }
  return lines.join("\n");
}
