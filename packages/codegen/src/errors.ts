import { DataloopError } from "@dataloop-ts/core";

/**
 * Every error the codegen throws: a fixed `code` per subclass, a `hint` with the command that helps.
 * @example
 * ```ts
 * import { CodegenError, findProject, generate } from "@dataloop-ts/codegen";
 *
 * try {
 *   await generate(findProject(), "src/generated");
 * } catch (e) {
 *   if (!(e instanceof CodegenError)) throw e;
 *   // any codegen failure: its `code` says which (SOURCE_UNREACHABLE, PIN_MISMATCH, …)
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   process.exitCode = 1;
 * }
 * ```
 */
export class CodegenError extends DataloopError {
  static override readonly code: string = "CODEGEN_ERROR";
  override name = "CodegenError";
  override readonly code: string = "CODEGEN_ERROR";
}

/**
 * A spec path that cannot be read.
 * @example
 * ```ts
 * import { SpecNotFoundError, findProject, pull } from "@dataloop-ts/codegen";
 *
 * try {
 *   await pull(findProject(), "specs/new.json");
 * } catch (e) {
 *   if (!(e instanceof SpecNotFoundError)) throw e;
 *   // code SOURCE_NOT_FOUND: no file at that path
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   process.exitCode = 1;
 * }
 * ```
 */
export class SpecNotFoundError extends CodegenError {
  static override readonly code = "SOURCE_NOT_FOUND" as const;
  override name = "SpecNotFoundError";
  override readonly code = "SOURCE_NOT_FOUND" as const;
}
/**
 * A spec URL that did not answer (network failure or timeout, after the retries).
 * @example
 * ```ts
 * import { SpecUnreachableError, findProject, pull } from "@dataloop-ts/codegen";
 *
 * try {
 *   await pull(findProject());
 * } catch (e) {
 *   if (!(e instanceof SpecUnreachableError)) throw e;
 *   // code SOURCE_UNREACHABLE: no answer from the URL after the retries
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   process.exitCode = 1;
 * }
 * ```
 */
export class SpecUnreachableError extends CodegenError {
  static override readonly code = "SOURCE_UNREACHABLE" as const;
  override name = "SpecUnreachableError";
  override readonly code = "SOURCE_UNREACHABLE" as const;
}
/**
 * A spec URL that answered an error status.
 * @example
 * ```ts
 * import { SpecHttpError, findProject, pull } from "@dataloop-ts/codegen";
 *
 * try {
 *   await pull(findProject());
 * } catch (e) {
 *   if (!(e instanceof SpecHttpError)) throw e;
 *   // code SOURCE_HTTP_ERROR: the URL answered 4xx/5xx
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   process.exitCode = 1;
 * }
 * ```
 */
export class SpecHttpError extends CodegenError {
  static override readonly code = "SOURCE_HTTP_ERROR" as const;
  override name = "SpecHttpError";
  override readonly code = "SOURCE_HTTP_ERROR" as const;
}
/**
 * Bytes that are neither JSON nor YAML (a login page, a truncated download).
 * @example
 * ```ts
 * import { SpecNotParsableError, findProject, pull } from "@dataloop-ts/codegen";
 *
 * try {
 *   await pull(findProject());
 * } catch (e) {
 *   if (!(e instanceof SpecNotParsableError)) throw e;
 *   // code NOT_JSON_OR_YAML: often a login page instead of the document
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   process.exitCode = 1;
 * }
 * ```
 */
export class SpecNotParsableError extends CodegenError {
  static override readonly code = "NOT_JSON_OR_YAML" as const;
  override name = "SpecNotParsableError";
  override readonly code = "NOT_JSON_OR_YAML" as const;
}
/**
 * JSON or YAML that is not an OpenAPI document.
 * @example
 * ```ts
 * import { NotOpenApiError, findProject, pull } from "@dataloop-ts/codegen";
 *
 * try {
 *   await pull(findProject(), "package.json");
 * } catch (e) {
 *   if (!(e instanceof NotOpenApiError)) throw e;
 *   // code NOT_OPENAPI: JSON, but no OpenAPI document
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   process.exitCode = 1;
 * }
 * ```
 */
export class NotOpenApiError extends CodegenError {
  static override readonly code = "NOT_OPENAPI" as const;
  override name = "NotOpenApiError";
  override readonly code = "NOT_OPENAPI" as const;
}
/**
 * A Swagger 2.0 document: refused, not converted silently.
 * @example
 * ```ts
 * import { Swagger2Error, findProject, pull } from "@dataloop-ts/codegen";
 *
 * try {
 *   await pull(findProject(), "swagger2.json");
 * } catch (e) {
 *   if (!(e instanceof Swagger2Error)) throw e;
 *   // code SWAGGER_2: convert the document to OpenAPI 3 first
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   process.exitCode = 1;
 * }
 * ```
 */
export class Swagger2Error extends CodegenError {
  static override readonly code = "SWAGGER_2" as const;
  override name = "Swagger2Error";
  override readonly code = "SWAGGER_2" as const;
}
/**
 * An OpenAPI version other than 3.0 or 3.1.
 * @example
 * ```ts
 * import { UnsupportedOpenApiVersionError, findProject, pull } from "@dataloop-ts/codegen";
 *
 * try {
 *   await pull(findProject(), "openapi-4.json");
 * } catch (e) {
 *   if (!(e instanceof UnsupportedOpenApiVersionError)) throw e;
 *   // code UNSUPPORTED_OPENAPI_VERSION: 3.0 and 3.1 only
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   process.exitCode = 1;
 * }
 * ```
 */
export class UnsupportedOpenApiVersionError extends CodegenError {
  static override readonly code = "UNSUPPORTED_OPENAPI_VERSION" as const;
  override name = "UnsupportedOpenApiVersionError";
  override readonly code = "UNSUPPORTED_OPENAPI_VERSION" as const;
}
/**
 * `$ref`s that point nowhere, even after the repairs.
 * @example
 * ```ts
 * import { UnresolvedRefError, findProject, generate } from "@dataloop-ts/codegen";
 *
 * try {
 *   await generate(findProject(), "src/generated");
 * } catch (e) {
 *   if (!(e instanceof UnresolvedRefError)) throw e;
 *   // code UNRESOLVED_REF: the message lists the $refs; repair them in the overlay
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   process.exitCode = 1;
 * }
 * ```
 */
export class UnresolvedRefError extends CodegenError {
  static override readonly code = "UNRESOLVED_REF" as const;
  override name = "UnresolvedRefError";
  override readonly code = "UNRESOLVED_REF" as const;
}
/**
 * An overlay file that is not a valid OpenAPI Overlay.
 * @example
 * ```ts
 * import { OverlayInvalidError, findProject, generate } from "@dataloop-ts/codegen";
 *
 * try {
 *   await generate(findProject(), "src/generated");
 * } catch (e) {
 *   if (!(e instanceof OverlayInvalidError)) throw e;
 *   // code OVERLAY_INVALID: the message names the offending action
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   process.exitCode = 1;
 * }
 * ```
 */
export class OverlayInvalidError extends CodegenError {
  static override readonly code = "OVERLAY_INVALID" as const;
  override name = "OverlayInvalidError";
  override readonly code = "OVERLAY_INVALID" as const;
}
/**
 * No lock file where the project should have one.
 * @example
 * ```ts
 * import { PinMissingError, findProject, loadPinned } from "@dataloop-ts/codegen";
 *
 * try {
 *   await loadPinned(findProject());
 * } catch (e) {
 *   if (!(e instanceof PinMissingError)) throw e;
 *   // code PIN_MISSING: run `dataloop-codegen pull` first
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   process.exitCode = 1;
 * }
 * ```
 */
export class PinMissingError extends CodegenError {
  static override readonly code = "PIN_MISSING" as const;
  override name = "PinMissingError";
  override readonly code = "PIN_MISSING" as const;
}
/**
 * A lock file that cannot be read (not JSON, fields missing).
 * @example
 * ```ts
 * import { PinInvalidError, findProject, loadPinned } from "@dataloop-ts/codegen";
 *
 * try {
 *   await loadPinned(findProject());
 * } catch (e) {
 *   if (!(e instanceof PinInvalidError)) throw e;
 *   // code PIN_INVALID: the lock file is not JSON, or lacks fields
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   process.exitCode = 1;
 * }
 * ```
 */
export class PinInvalidError extends CodegenError {
  static override readonly code = "PIN_INVALID" as const;
  override name = "PinInvalidError";
  override readonly code = "PIN_INVALID" as const;
}
/**
 * The pinned document the lock names is not there.
 * @example
 * ```ts
 * import { PinnedSpecMissingError, findProject, loadPinned } from "@dataloop-ts/codegen";
 *
 * try {
 *   await loadPinned(findProject());
 * } catch (e) {
 *   if (!(e instanceof PinnedSpecMissingError)) throw e;
 *   // code SPEC_MISSING: the document the lock names is not in specs/
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   process.exitCode = 1;
 * }
 * ```
 */
export class PinnedSpecMissingError extends CodegenError {
  static override readonly code = "SPEC_MISSING" as const;
  override name = "PinnedSpecMissingError";
  override readonly code = "SPEC_MISSING" as const;
}
/**
 * The pinned document's bytes no longer match the lock's sha256.
 * @example
 * ```ts
 * import { PinMismatchError, findProject, loadPinned } from "@dataloop-ts/codegen";
 *
 * try {
 *   await loadPinned(findProject());
 * } catch (e) {
 *   if (!(e instanceof PinMismatchError)) throw e;
 *   // code PIN_MISMATCH: the pinned bytes were edited; pull again instead
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   process.exitCode = 1;
 * }
 * ```
 */
export class PinMismatchError extends CodegenError {
  static override readonly code = "PIN_MISMATCH" as const;
  override name = "PinMismatchError";
  override readonly code = "PIN_MISMATCH" as const;
}
/**
 * openapi-typescript could not emit types for the repaired document.
 * @example
 * ```ts
 * import { EmitFailedError, findProject, generate } from "@dataloop-ts/codegen";
 *
 * try {
 *   await generate(findProject(), "src/generated");
 * } catch (e) {
 *   if (!(e instanceof EmitFailedError)) throw e;
 *   // code EMIT_FAILED: openapi-typescript could not type the repaired document
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   process.exitCode = 1;
 * }
 * ```
 */
export class EmitFailedError extends CodegenError {
  static override readonly code = "EMIT_FAILED" as const;
  override name = "EmitFailedError";
  override readonly code = "EMIT_FAILED" as const;
}
