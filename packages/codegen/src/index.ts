export { writeFileAtomic, writeFilesAtomic } from "./atomic.js";
export { changesetFor, SPEC_PACKAGES, writeChangeset } from "./changeset.js";
export { type ApiChange, type ApiDiff, type Bump, diffSpecs, formatDiff } from "./diff.js";
export { emitClientFiles } from "./emit.js";
export { CodegenError, type CodegenErrorCode } from "./errors.js";
export { exportSpec, type SpecManifest } from "./export.js";
export { CODEGEN_VERSION, fingerprintOf, readFingerprint } from "./fingerprint.js";
export { camelCase, routeName } from "./naming.js";
export { NORMALISATIONS, type Normalisation } from "./normalize.js";
export * from "./openapi.js";
export { applyOverlay, type Overlay, type OverlayAction, parseOverlay } from "./overlay.js";
export { pinnedPath, readPin, type SpecPin } from "./pin.js";
export {
  check,
  generate,
  loadPinned,
  overlaySha,
  type PinnedSpec,
  type PullResult,
  pull,
  repairPinned,
} from "./pipeline.js";
export {
  findProject,
  LOCK_FILE,
  OVERLAY_FILE,
  type Project,
  projectAt,
  readOverlay,
  readOverlayFile,
} from "./project.js";
export { formatRepairReport, type RepairedDocument, type RepairReport, repairSpec } from "./repair.js";
export {
  DEFAULT_SPEC_URL,
  type LoadedSpec,
  type LoadOptions,
  loadSpec,
  parseDocument,
  sha256,
} from "./source.js";
export { assertOpenApi3, findUnresolvedRefs } from "./validate.js";
