/** Why a codegen step failed; `code` is stable, `hint` tells the user what to do next. */
export type CodegenErrorCode =
  | "SOURCE_NOT_FOUND"
  | "SOURCE_UNREACHABLE"
  | "SOURCE_HTTP_ERROR"
  | "NOT_JSON_OR_YAML"
  | "NOT_OPENAPI"
  | "SWAGGER_2"
  | "UNSUPPORTED_OPENAPI_VERSION"
  | "UNRESOLVED_REF"
  | "OVERLAY_INVALID"
  | "PIN_MISSING"
  | "PIN_INVALID"
  | "SPEC_MISSING"
  | "PIN_MISMATCH"
  | "EMIT_FAILED";

/** The one error type the codegen throws; the CLI prints `message` and `hint` and exits non-zero. */
export class CodegenError extends Error {
  override readonly name = "CodegenError";
  readonly code: CodegenErrorCode;
  readonly hint: string;
  constructor(code: CodegenErrorCode, message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.hint = hint;
  }
}
