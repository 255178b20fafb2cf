import { camelCase, isIdentifier, routeName } from "./naming.js";
import { listOperations, type OpenApiDocument, type Parameter, resolveParameter, walk } from "./openapi.js";

/** One generic repair: what it fixes and a function that fixes it in place, returning how many places. */
export interface Normalisation {
  name: string;
  description: string;
  apply(doc: OpenApiDocument): number;
}

const SAFE_SCHEMA_NAME = /^[A-Za-z0-9._-]+$/;
const SCHEMA_PREFIX = "#/components/schemas/";

/** Schema names with characters a `$ref` cannot carry verbatim (the gateway's `%3A`) become safe names. */
const safeSchemaNames: Normalisation = {
  name: "schema-names",
  description: "schemas renamed so that $refs to them resolve (percent-encoded or unsafe characters)",
  apply(doc) {
    const schemas = doc.components?.schemas;
    if (!schemas) return 0;
    const renames = new Map<string, string>();
    const taken = new Set(Object.keys(schemas));
    for (const name of Object.keys(schemas)) {
      if (SAFE_SCHEMA_NAME.test(name)) continue;
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {}
      const base = decoded.replace(/[^A-Za-z0-9._-]+/g, "_");
      let next = base;
      for (let i = 2; taken.has(next); i++) next = `${base}_${i}`;
      taken.add(next);
      renames.set(name, next);
    }
    if (renames.size === 0) return 0;
    // A ref may name the schema as written or percent-decoded; both mean the same schema.
    const byRef = new Map<string, string>();
    for (const [from, to] of renames) {
      byRef.set(SCHEMA_PREFIX + from, SCHEMA_PREFIX + to);
      byRef.set(SCHEMA_PREFIX + encodeURIComponent(from), SCHEMA_PREFIX + to);
      try {
        byRef.set(SCHEMA_PREFIX + decodeURIComponent(from), SCHEMA_PREFIX + to);
      } catch {}
    }
    const rebuilt: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(schemas)) rebuilt[renames.get(name) ?? name] = schema;
    (doc.components as { schemas: Record<string, unknown> }).schemas = rebuilt;
    walk(doc, (node) => {
      if (typeof node.$ref === "string") {
        const to = byRef.get(node.$ref);
        if (to) node.$ref = to;
      }
    });
    return renames.size;
  },
};

/** Every operation gets a unique camelCase operationId; the upstream one is kept as an extension. */
const uniqueOperationIds: Normalisation = {
  name: "operation-ids",
  description: "operationIds made unique camelCase identifiers (spaces, missing or shared upstream)",
  apply(doc) {
    const ops = listOperations(doc);
    const wanted = ops.map(({ operation }) =>
      typeof operation.operationId === "string" ? camelCase(operation.operationId) : "",
    );
    const uses = new Map<string, number>();
    for (const name of wanted) uses.set(name, (uses.get(name) ?? 0) + 1);
    const keep = wanted.map((name) => name !== "" && isIdentifier(name) && uses.get(name) === 1);
    const taken = new Set(wanted.filter((_, i) => keep[i]));
    let changed = 0;
    ops.forEach(({ method, path, operation }, i) => {
      let name = wanted[i] ?? "";
      if (!keep[i]) {
        const base = routeName(method, path);
        name = base;
        for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
        taken.add(name);
      }
      if (operation.operationId !== name) {
        if (operation.operationId !== undefined) operation["x-upstream-operation-id"] = operation.operationId;
        operation.operationId = name;
        changed++;
      }
    });
    return changed;
  },
};

const dedupeRequired: Normalisation = {
  name: "required-duplicates",
  description: "`required` lists that named a property more than once",
  apply(doc) {
    let n = 0;
    walk(doc, (node) => {
      if (Array.isArray(node.required) && new Set(node.required).size !== node.required.length) {
        node.required = [...new Set(node.required)];
        n++;
      }
    });
    return n;
  },
};

const dedupeEnums: Normalisation = {
  name: "enum-duplicates",
  description: "enums that repeated a value",
  apply(doc) {
    let n = 0;
    walk(doc, (node) => {
      if (!Array.isArray(node.enum)) return;
      const seen = new Set<string>();
      const unique = node.enum.filter((v) => {
        const key = JSON.stringify(v);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      if (unique.length !== node.enum.length) {
        node.enum = unique;
        n++;
      }
    });
    return n;
  },
};

/** `default: "false"` on a boolean becomes `false`; a default that cannot be read as the type is dropped. */
const typedDefaults: Normalisation = {
  name: "wrong-typed-defaults",
  description:
    "defaults whose JSON type did not match the schema type (coerced when unambiguous, else dropped)",
  apply(doc) {
    let n = 0;
    walk(doc, (node) => {
      if (!("default" in node) || typeof node.type !== "string" || typeof node.default !== "string") return;
      const raw = node.default.trim();
      switch (node.type) {
        case "string":
          return;
        case "boolean":
          if (raw === "true" || raw === "false") node.default = raw === "true";
          else delete node.default;
          break;
        case "number":
        case "integer": {
          const num = Number(raw);
          if (raw !== "" && Number.isFinite(num) && (node.type === "number" || Number.isInteger(num)))
            node.default = num;
          else delete node.default;
          break;
        }
        default:
          delete node.default;
      }
      n++;
    });
    return n;
  },
};

// Keys that only annotate; next to a $ref they change no type, so they can stay where they are.
const ANNOTATIONS = new Set(["$ref", "description", "summary", "title", "example", "examples", "deprecated"]);

/** `{ $ref, nullable: true }` → `{ allOf: [{ $ref }], nullable: true }`: OpenAPI 3.0 ignores $ref siblings. */
const refSiblings: Normalisation = {
  name: "ref-siblings",
  description:
    "$refs with type-changing siblings (nullable, anyOf, type…) wrapped in allOf so the siblings count",
  apply(doc) {
    let n = 0;
    walk(doc, (node) => {
      if (typeof node.$ref !== "string" || Object.keys(node).every((k) => ANNOTATIONS.has(k))) return;
      const { $ref, ...rest } = node;
      n++;
      const allOf = Array.isArray(rest.allOf) ? rest.allOf : [];
      return { ...rest, allOf: [{ $ref }, ...allOf] };
    });
    return n;
  },
};

/** An `{}` member makes a whole anyOf/oneOf accept anything; the gateway uses it where it means "or more". */
const emptyAlternatives: Normalisation = {
  name: "empty-alternatives",
  description: "empty schemas {} dropped from anyOf/oneOf that have other members",
  apply(doc) {
    let n = 0;
    walk(doc, (node) => {
      for (const key of ["anyOf", "oneOf"] as const) {
        const list = node[key];
        if (!Array.isArray(list)) continue;
        const kept = list.filter((s) => !(s && typeof s === "object" && Object.keys(s).length === 0));
        if (kept.length > 0 && kept.length < list.length) {
          n += list.length - kept.length;
          node[key] = kept;
        }
      }
    });
    return n;
  },
};

/** Every `{name}` in a path template must be a declared, required path parameter. */
const pathParameters: Normalisation = {
  name: "path-parameters",
  description: "path parameters declared (missing) or made required (OpenAPI requires it)",
  apply(doc) {
    let n = 0;
    const resolve = (p: Parameter | { $ref: string }) => resolveParameter(doc, p);
    for (const { path, operation } of listOperations(doc)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? "");
      const shared = (doc.paths[path]?.parameters ?? []) as Array<Parameter | { $ref: string }>;
      const own = operation.parameters ?? [];
      const declared = [...own, ...shared].map(resolve).filter((p): p is Parameter => p?.in === "path");
      for (const name of names) {
        const found = declared.find((p) => p.name === name);
        if (!found) {
          // Appended to what the operation has now, not to the list read before the loop: with two
          // undeclared names, rebuilding from the original list kept only the last one.
          operation.parameters = [
            ...(operation.parameters ?? []),
            { name, in: "path", required: true, schema: { type: "string" } },
          ];
          n++;
        } else if (found.required !== true) {
          found.required = true;
          n++;
        }
      }
    }
    return n;
  },
};

const missingResponses: Normalisation = {
  name: "missing-responses",
  description: "operations without any response given an undocumented `default` one",
  apply(doc) {
    let n = 0;
    for (const { operation } of listOperations(doc)) {
      if (!operation.responses || Object.keys(operation.responses).length === 0) {
        operation.responses = { default: { description: "Undocumented upstream" } };
        n++;
      }
    }
    return n;
  },
};

/** The generic repairs, in the order they run (after the overlay). */
export const NORMALISATIONS: readonly Normalisation[] = [
  safeSchemaNames,
  uniqueOperationIds,
  pathParameters,
  missingResponses,
  dedupeRequired,
  dedupeEnums,
  typedDefaults,
  refSiblings,
  emptyAlternatives,
];
