import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { findProject, type OpenApiDocument, repairPinned } from "@dataloop-ts/codegen";
import { mockableDocument } from "@dataloop-ts/mock";

let cached: Promise<OpenApiDocument> | undefined;
/** The document the mock serves (repaired, with examples): what responses are checked against. */
export function repairedDocument(): Promise<OpenApiDocument> {
  cached ??= repairPinned(findProject(dirname(fileURLToPath(import.meta.url)))).then(
    (r) => mockableDocument(r.repaired).document,
  );
  return cached;
}
