import { DataloopError } from "@dataloop-ts/core";

/** Every error the codegen throws: a fixed `code` per subclass, a `hint` with the command that helps. */
export class CodegenError extends DataloopError {
  static override readonly code: string = "CODEGEN_ERROR";
  override name = "CodegenError";
  override readonly code: string = "CODEGEN_ERROR";
}

/** A spec path that cannot be read. */
export class SpecNotFoundError extends CodegenError {
  static override readonly code = "SOURCE_NOT_FOUND";
  override name = "SpecNotFoundError";
  override readonly code = "SOURCE_NOT_FOUND";
}
/** A spec URL that did not answer (network failure or timeout, after the retries). */
export class SpecUnreachableError extends CodegenError {
  static override readonly code = "SOURCE_UNREACHABLE";
  override name = "SpecUnreachableError";
  override readonly code = "SOURCE_UNREACHABLE";
}
/** A spec URL that answered an error status. */
export class SpecHttpError extends CodegenError {
  static override readonly code = "SOURCE_HTTP_ERROR";
  override name = "SpecHttpError";
  override readonly code = "SOURCE_HTTP_ERROR";
}
/** Bytes that are neither JSON nor YAML (a login page, a truncated download). */
export class SpecNotParsableError extends CodegenError {
  static override readonly code = "NOT_JSON_OR_YAML";
  override name = "SpecNotParsableError";
  override readonly code = "NOT_JSON_OR_YAML";
}
/** JSON or YAML that is not an OpenAPI document. */
export class NotOpenApiError extends CodegenError {
  static override readonly code = "NOT_OPENAPI";
  override name = "NotOpenApiError";
  override readonly code = "NOT_OPENAPI";
}
/** A Swagger 2.0 document: refused, not converted silently. */
export class Swagger2Error extends CodegenError {
  static override readonly code = "SWAGGER_2";
  override name = "Swagger2Error";
  override readonly code = "SWAGGER_2";
}
/** An OpenAPI version other than 3.0 or 3.1. */
export class UnsupportedOpenApiVersionError extends CodegenError {
  static override readonly code = "UNSUPPORTED_OPENAPI_VERSION";
  override name = "UnsupportedOpenApiVersionError";
  override readonly code = "UNSUPPORTED_OPENAPI_VERSION";
}
/** `$ref`s that point nowhere, even after the repairs. */
export class UnresolvedRefError extends CodegenError {
  static override readonly code = "UNRESOLVED_REF";
  override name = "UnresolvedRefError";
  override readonly code = "UNRESOLVED_REF";
}
/** An overlay file that is not a valid OpenAPI Overlay. */
export class OverlayInvalidError extends CodegenError {
  static override readonly code = "OVERLAY_INVALID";
  override name = "OverlayInvalidError";
  override readonly code = "OVERLAY_INVALID";
}
/** No lock file where the project should have one. */
export class PinMissingError extends CodegenError {
  static override readonly code = "PIN_MISSING";
  override name = "PinMissingError";
  override readonly code = "PIN_MISSING";
}
/** A lock file that cannot be read (not JSON, fields missing). */
export class PinInvalidError extends CodegenError {
  static override readonly code = "PIN_INVALID";
  override name = "PinInvalidError";
  override readonly code = "PIN_INVALID";
}
/** The pinned document the lock names is not there. */
export class PinnedSpecMissingError extends CodegenError {
  static override readonly code = "SPEC_MISSING";
  override name = "PinnedSpecMissingError";
  override readonly code = "SPEC_MISSING";
}
/** The pinned document's bytes no longer match the lock's sha256. */
export class PinMismatchError extends CodegenError {
  static override readonly code = "PIN_MISMATCH";
  override name = "PinMismatchError";
  override readonly code = "PIN_MISMATCH";
}
/** openapi-typescript could not emit types for the repaired document. */
export class EmitFailedError extends CodegenError {
  static override readonly code = "EMIT_FAILED";
  override name = "EmitFailedError";
  override readonly code = "EMIT_FAILED";
}
