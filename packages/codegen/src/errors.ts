import { DataloopError } from "@dataloop-ts/core";

/** Every error the codegen throws: a fixed `code` per subclass, a `hint` with the command that helps. */
export class CodegenError extends DataloopError {
  static override readonly code: string = "CODEGEN_ERROR";
  override name = "CodegenError";
  override readonly code: string = "CODEGEN_ERROR";
}

/** A spec path that cannot be read. */
export class SpecNotFoundError extends CodegenError {
  static override readonly code = "SOURCE_NOT_FOUND" as const;
  override name = "SpecNotFoundError";
  override readonly code = "SOURCE_NOT_FOUND" as const;
}
/** A spec URL that did not answer (network failure or timeout, after the retries). */
export class SpecUnreachableError extends CodegenError {
  static override readonly code = "SOURCE_UNREACHABLE" as const;
  override name = "SpecUnreachableError";
  override readonly code = "SOURCE_UNREACHABLE" as const;
}
/** A spec URL that answered an error status. */
export class SpecHttpError extends CodegenError {
  static override readonly code = "SOURCE_HTTP_ERROR" as const;
  override name = "SpecHttpError";
  override readonly code = "SOURCE_HTTP_ERROR" as const;
}
/** Bytes that are neither JSON nor YAML (a login page, a truncated download). */
export class SpecNotParsableError extends CodegenError {
  static override readonly code = "NOT_JSON_OR_YAML" as const;
  override name = "SpecNotParsableError";
  override readonly code = "NOT_JSON_OR_YAML" as const;
}
/** JSON or YAML that is not an OpenAPI document. */
export class NotOpenApiError extends CodegenError {
  static override readonly code = "NOT_OPENAPI" as const;
  override name = "NotOpenApiError";
  override readonly code = "NOT_OPENAPI" as const;
}
/** A Swagger 2.0 document: refused, not converted silently. */
export class Swagger2Error extends CodegenError {
  static override readonly code = "SWAGGER_2" as const;
  override name = "Swagger2Error";
  override readonly code = "SWAGGER_2" as const;
}
/** An OpenAPI version other than 3.0 or 3.1. */
export class UnsupportedOpenApiVersionError extends CodegenError {
  static override readonly code = "UNSUPPORTED_OPENAPI_VERSION" as const;
  override name = "UnsupportedOpenApiVersionError";
  override readonly code = "UNSUPPORTED_OPENAPI_VERSION" as const;
}
/** `$ref`s that point nowhere, even after the repairs. */
export class UnresolvedRefError extends CodegenError {
  static override readonly code = "UNRESOLVED_REF" as const;
  override name = "UnresolvedRefError";
  override readonly code = "UNRESOLVED_REF" as const;
}
/** An overlay file that is not a valid OpenAPI Overlay. */
export class OverlayInvalidError extends CodegenError {
  static override readonly code = "OVERLAY_INVALID" as const;
  override name = "OverlayInvalidError";
  override readonly code = "OVERLAY_INVALID" as const;
}
/** No lock file where the project should have one. */
export class PinMissingError extends CodegenError {
  static override readonly code = "PIN_MISSING" as const;
  override name = "PinMissingError";
  override readonly code = "PIN_MISSING" as const;
}
/** A lock file that cannot be read (not JSON, fields missing). */
export class PinInvalidError extends CodegenError {
  static override readonly code = "PIN_INVALID" as const;
  override name = "PinInvalidError";
  override readonly code = "PIN_INVALID" as const;
}
/** The pinned document the lock names is not there. */
export class PinnedSpecMissingError extends CodegenError {
  static override readonly code = "SPEC_MISSING" as const;
  override name = "PinnedSpecMissingError";
  override readonly code = "SPEC_MISSING" as const;
}
/** The pinned document's bytes no longer match the lock's sha256. */
export class PinMismatchError extends CodegenError {
  static override readonly code = "PIN_MISMATCH" as const;
  override name = "PinMismatchError";
  override readonly code = "PIN_MISMATCH" as const;
}
/** openapi-typescript could not emit types for the repaired document. */
export class EmitFailedError extends CodegenError {
  static override readonly code = "EMIT_FAILED" as const;
  override name = "EmitFailedError";
  override readonly code = "EMIT_FAILED" as const;
}
