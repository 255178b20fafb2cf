import { DataloopError, type DataloopErrorInit } from "@dataloop-ts/core";

export interface AuthErrorInit extends DataloopErrorInit {
  /** HTTP status of the token route or the API, when there was one. */
  status?: number;
}

/**
 * Every auth failure: a `DataloopError` with one fixed `code` per subclass. Message, hint and `toJSON`
 * never carry a password, refresh token or JWT: they hold only text we wrote, and `cause` is kept off
 * `toJSON`.
 */
export class AuthError extends DataloopError {
  static override readonly code: string = "AUTH_ERROR";
  override name = "AuthError";
  override readonly code: string = "AUTH_ERROR";
  /** HTTP status of the token route or the API, when there was one. */
  readonly status: number | undefined;

  constructor(init: AuthErrorInit) {
    super(init);
    this.status = init.status;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status };
  }
}

/** The token route refused the username and password (or the bot's credentials). */
export class BadCredentialsError extends AuthError {
  static override readonly code = "BAD_CREDENTIALS" as const;
  override name = "BadCredentialsError";
  override readonly code = "BAD_CREDENTIALS" as const;
}
/**
 * The token route refused the refresh token (expired, revoked, or already used). A session whose
 * strategy can log in does so instead; one that cannot fails with `LoginRequiredError`.
 */
export class RefreshRejectedError extends AuthError {
  static override readonly code = "REFRESH_REJECTED" as const;
  override name = "RefreshRejectedError";
  override readonly code = "REFRESH_REJECTED" as const;
}
/** No usable token and no way to get one: the user must log in. */
export class LoginRequiredError extends AuthError {
  static override readonly code = "LOGIN_REQUIRED" as const;
  override name = "LoginRequiredError";
  override readonly code = "LOGIN_REQUIRED" as const;
}
/** The token route answered an unexpected status. */
export class TokenEndpointError extends AuthError {
  static override readonly code: string = "TOKEN_ENDPOINT_ERROR";
  override name = "TokenEndpointError";
  override readonly code: string = "TOKEN_ENDPOINT_ERROR";
}
/** The token route did not answer within the timeout. */
export class TokenEndpointTimeoutError extends TokenEndpointError {
  static override readonly code = "TOKEN_ENDPOINT_TIMEOUT" as const;
  override name = "TokenEndpointTimeoutError";
  override readonly code = "TOKEN_ENDPOINT_TIMEOUT" as const;
}
/** The token route could not be reached (DNS, refused connection, reset). */
export class TokenEndpointUnreachableError extends TokenEndpointError {
  static override readonly code = "TOKEN_ENDPOINT_UNREACHABLE" as const;
  override name = "TokenEndpointUnreachableError";
  override readonly code = "TOKEN_ENDPOINT_UNREACHABLE" as const;
}
/** The token route answered 2xx with something that is not a token response. */
export class MalformedTokenResponseError extends AuthError {
  static override readonly code = "MALFORMED_TOKEN_RESPONSE" as const;
  override name = "MalformedTokenResponseError";
  override readonly code = "MALFORMED_TOKEN_RESPONSE" as const;
}
/** The API refused a token we just obtained, or one that cannot be renewed (an API key). */
export class TokenRejectedError extends AuthError {
  static override readonly code = "TOKEN_REJECTED" as const;
  override name = "TokenRejectedError";
  override readonly code = "TOKEN_REJECTED" as const;
}
/** A token that cannot be renewed (an API key, a fixed JWT) has expired. */
export class TokenExpiredError extends AuthError {
  static override readonly code = "TOKEN_EXPIRED" as const;
  override name = "TokenExpiredError";
  override readonly code = "TOKEN_EXPIRED" as const;
}
/** A custom token provider failed or returned no token. */
export class TokenProviderError extends AuthError {
  static override readonly code = "PROVIDER_FAILED" as const;
  override name = "TokenProviderError";
  override readonly code = "PROVIDER_FAILED" as const;
}
/** The website login failed: the gateway sent an error, or the callback server could not listen. */
export class BrowserLoginError extends AuthError {
  static override readonly code: string = "BROWSER_LOGIN_FAILED";
  override name = "BrowserLoginError";
  override readonly code: string = "BROWSER_LOGIN_FAILED";
}
/** No login arrived from the browser in time. */
export class BrowserLoginTimeoutError extends BrowserLoginError {
  static override readonly code = "BROWSER_LOGIN_TIMEOUT" as const;
  override name = "BrowserLoginTimeoutError";
  override readonly code = "BROWSER_LOGIN_TIMEOUT" as const;
}
/** A stored session that cannot be read as a token set: named, so that it can be replaced or removed. */
export class StoredSessionCorruptError extends AuthError {
  static override readonly code = "STORED_SESSION_CORRUPT" as const;
  override name = "StoredSessionCorruptError";
  override readonly code = "STORED_SESSION_CORRUPT" as const;
}
