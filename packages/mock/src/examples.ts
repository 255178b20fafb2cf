import { operationKey } from "@dataloop-ts/core";
import { sample } from "openapi-sampler";
import type { SpecValidator } from "./validate.js";

type Doc = {
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown> };
};
type Media = { schema?: unknown; example?: unknown; examples?: unknown };

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

export interface ExampleReport {
  added: number;
  /** Upstream examples dropped because they do not match their own schema. */
  replaced: number;
  /** Responses whose schema admits no finite instance we could find (required cycles). */
  invalid: string[];
}

const isPlain = (s: unknown) =>
  !!s && typeof s === "object" && !("$ref" in s) && (s as { type?: string }).type !== "object";

/**
 * A copy that breaks `required` cycles: component arrays empty, and in anyOf/oneOf the plain
 * alternatives first (the sampler takes the first one; the gateway often offers "an id or the object").
 */
function withCyclesBroken(doc: Doc): Doc {
  const copy = structuredClone(doc);
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    const n = node as Record<string, unknown>;
    if (n.type === "array") n.maxItems = 0;
    for (const key of ["anyOf", "oneOf"]) {
      const list = n[key];
      if (Array.isArray(list)) n[key] = [...list.filter(isPlain), ...list.filter((x) => !isPlain(x))];
    }
    for (const v of Object.values(n)) visit(v);
  };
  visit(copy.components);
  return copy;
}

/**
 * Gives every JSON success response an `example` that validates against its schema, which Prism
 * then serves as is: its own static sampler gives up on many of the gateway's schemas
 * (SCHEMA_TOO_COMPLEX) and its dynamic one crashes on some. Samples hold required properties only
 * (optional ones are where recursion usually hides); when a required cycle remains, a second draw
 * runs on a copy with the cycles broken (see withCyclesBroken).
 */
export function addResponseExamples(doc: Doc, validator: SpecValidator): ExampleReport {
  const report: ExampleReport = { added: 0, replaced: 0, invalid: [] };
  let emptied: Doc | undefined;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method] as
        | { responses?: Record<string, { content?: Record<string, Media> }> }
        | undefined;
      for (const [status, response] of Object.entries(op?.responses ?? {})) {
        if (!/^2\d\d$/.test(status)) continue;
        const media = response?.content?.["application/json"];
        if (!media?.schema) continue;
        const valid = (value: unknown) => validator.response(method, path, status, value).length === 0;
        // Upstream examples are kept only when they match their schema (some of the gateway's do not).
        if (media.example !== undefined && !valid(media.example)) {
          delete media.example;
          report.replaced++;
        }
        if (media.examples && typeof media.examples === "object") {
          const named = media.examples as Record<string, { value?: unknown }>;
          for (const [name, ex] of Object.entries(named)) {
            if (!valid(ex?.value)) {
              delete named[name];
              report.replaced++;
            }
          }
          if (Object.keys(named).length === 0) delete media.examples;
        }
        if (media.example !== undefined || media.examples !== undefined) continue;
        const options = { skipReadOnly: false, skipNonRequired: true, quiet: true, maxSampleDepth: 12 };
        const draw = (from: Doc) => {
          try {
            return sample(media.schema as object, options, from);
          } catch {
            return undefined;
          }
        };
        let example = draw(doc);
        if (example === undefined || !valid(example)) {
          emptied ??= withCyclesBroken(doc);
          example = draw(emptied);
        }
        if (example === undefined || !valid(example)) {
          report.invalid.push(`${operationKey(method, path)} ${status}`);
          continue;
        }
        media.example = example;
        report.added++;
      }
    }
  }
  return report;
}
