export type AuthErrorCode =
  | "BAD_CREDENTIALS"
  | "REFRESH_REJECTED"
  | "LOGIN_REQUIRED"
  | "TOKEN_ENDPOINT_UNREACHABLE"
  | "TOKEN_ENDPOINT_TIMEOUT"
  | "TOKEN_ENDPOINT_ERROR"
  | "MALFORMED_TOKEN_RESPONSE"
  | "TOKEN_REJECTED"
  | "TOKEN_EXPIRED"
  | "PROVIDER_FAILED"
  | "BROWSER_LOGIN_TIMEOUT"
  | "BROWSER_LOGIN_FAILED";

/**
 * Every auth failure. Message, hint and `toJSON` never carry a password, refresh token or JWT: the
 * constructor takes only text we wrote, and the `cause` is kept off `toJSON`.
 */
export class AuthError extends Error {
  override name = "AuthError";
  readonly code: AuthErrorCode;
  /** What the user should do about it. */
  readonly hint: string;
  /** HTTP status of the token endpoint or API, when there was one. */
  readonly status: number | undefined;

  constructor(
    code: AuthErrorCode,
    message: string,
    hint: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = hint;
    this.status = options.status;
  }

  toJSON() {
    return { name: this.name, code: this.code, message: this.message, hint: this.hint, status: this.status };
  }
}

/** The token route refused the username/password (or bot credentials). */
export class BadCredentialsError extends AuthError {
  override name = "BadCredentialsError";
}
/** The refresh token was refused and there are no credentials to log in again with. */
export class RefreshRejectedError extends AuthError {
  override name = "RefreshRejectedError";
}
/** No usable token and no way to get one: the user must log in. */
export class LoginRequiredError extends AuthError {
  override name = "LoginRequiredError";
}
/** Network failure, timeout or unexpected status at the token route. */
export class TokenEndpointError extends AuthError {
  override name = "TokenEndpointError";
}
/** The token route answered 2xx with something that is not a token response. */
export class MalformedTokenResponseError extends AuthError {
  override name = "MalformedTokenResponseError";
}
/** The API refused a token we just obtained (or one we cannot renew: an API key). */
export class TokenRejectedError extends AuthError {
  override name = "TokenRejectedError";
}
