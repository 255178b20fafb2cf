import type { OpenApiDocument } from "@dataloop-ts/codegen";
import { prepareMockSpec } from "@dataloop-ts/mock";

let cached: Promise<OpenApiDocument> | undefined;
/** The document the mock serves (repaired, with examples), from the mock's own cache: what responses are checked against. */
export function repairedDocument(): Promise<OpenApiDocument> {
  cached ??= prepareMockSpec().then((s) => s.document);
  return cached;
}
