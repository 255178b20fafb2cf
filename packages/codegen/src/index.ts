// The public surface of @dataloop-ts/codegen: what its README documents. Everything else is internal
// (tests import it by path); api-report.md records this surface, and a test keeps it current.

export type { SpecManifest } from "@dataloop-ts/core";
export { canonicalSha256 } from "./canonical.js";
export { changesetFor, writeChangeset } from "./changeset.js";
export { type ApiChange, type ApiDiff, type Bump, type DiffOptions, diffSpecs, formatDiff } from "./diff.js";
export {
  CodegenError,
  EmitFailedError,
  NotOpenApiError,
  OverlayInvalidError,
  PinInvalidError,
  PinMismatchError,
  PinMissingError,
  PinnedSpecMissingError,
  SpecHttpError,
  SpecNotFoundError,
  SpecNotParsableError,
  SpecUnreachableError,
  Swagger2Error,
  UnresolvedRefError,
  UnsupportedOpenApiVersionError,
} from "./errors.js";
export { exportSpec } from "./export.js";
export {
  HTTP_METHODS,
  type HttpMethod,
  listOperations,
  type OpenApiDocument,
  type Operation,
  type OperationRef,
  type Parameter,
  type PathItem,
  publicOperations,
  type SpecCounts,
} from "./openapi.js";
export type { Overlay, OverlayAction, OverlayActionResult } from "./overlay.js";
export type { PinnedBefore, SpecPin } from "./pin.js";
export {
  type CheckResult,
  check,
  type GenerateResult,
  generate,
  loadPinned,
  type PinnedSpec,
  type PullResult,
  pull,
  type RepairedPinned,
  repairPinned,
} from "./pipeline.js";
export { findProject, type Project, projectAt, readOverlay, readOverlayFile } from "./project.js";
export { formatRepairReport, type RepairedDocument, type RepairReport, repairSpec } from "./repair.js";
export { DEFAULT_SPEC_URL, type LoadedSpec, type LoadOptions, loadSpec, parseDocument } from "./source.js";
export { formatUpdate, type UpdateResult, type UpdateStatus, update } from "./update.js";
export { assertOpenApi3 } from "./validate.js";
