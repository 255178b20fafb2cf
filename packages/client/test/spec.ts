import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { findProject, type OpenApiDocument } from "@dataloop-ts/codegen";
import { prepareMockSpec } from "@dataloop-ts/mock";

let cached: Promise<OpenApiDocument> | undefined;
/** The document the mock serves (repaired, with examples), from the mock's own cache: what responses are checked against. */
export function repairedDocument(): Promise<OpenApiDocument> {
  cached ??= prepareMockSpec(findProject(dirname(fileURLToPath(import.meta.url)))).then((s) => s.document);
  return cached;
}
