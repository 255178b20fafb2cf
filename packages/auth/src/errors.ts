import { DataloopError, type DataloopErrorInit } from "@dataloop-ts/core";

export interface AuthErrorInit extends DataloopErrorInit {
  /** HTTP status of the token route or the API, when there was one. */
  status?: number;
}

/**
 * Every auth failure: a `DataloopError` with one fixed `code` per subclass. Message, hint and `toJSON`
 * never carry a password, refresh token or JWT: they hold only text we wrote, and `cause` is kept off
 * `toJSON`.
 * @example
 * ```ts
 * import { AuthError, createAuth, passwordAuth } from "@dataloop-ts/auth";
 *
 * const auth = createAuth(passwordAuth({ email: "bot@example.com", password: process.env.DATALOOP_PASSWORD ?? "" }));
 * try {
 *   await auth.token();
 * } catch (e) {
 *   if (!(e instanceof AuthError)) throw e;
 *   // any auth failure; `status` is the token route's or the API's HTTP status, when there was one
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   console.error(`HTTP status: ${e.status ?? "none"}`);
 * }
 * ```
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

/**
 * The token route refused the username and password (or the bot's credentials).
 * @example
 * ```ts
 * import { BadCredentialsError, createAuth, passwordAuth } from "@dataloop-ts/auth";
 *
 * const auth = createAuth(passwordAuth({ email: "bot@example.com", password: process.env.DATALOOP_PASSWORD ?? "" }));
 * try {
 *   await auth.token();
 * } catch (e) {
 *   if (!(e instanceof BadCredentialsError)) throw e;
 *   // code BAD_CREDENTIALS: the email or password is wrong
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 * }
 * ```
 */
export class BadCredentialsError extends AuthError {
  static override readonly code = "BAD_CREDENTIALS" as const;
  override name = "BadCredentialsError";
  override readonly code = "BAD_CREDENTIALS" as const;
}
/**
 * The token route refused the refresh token (expired, revoked, or already used). A session whose
 * strategy can log in does so instead; one that cannot fails with `LoginRequiredError`.
 * @example
 * ```ts
 * import { RefreshRejectedError, createAuth, passwordAuth } from "@dataloop-ts/auth";
 *
 * const auth = createAuth(passwordAuth({ email: "bot@example.com", password: process.env.DATALOOP_PASSWORD ?? "" }));
 * try {
 *   await auth.token();
 * } catch (e) {
 *   if (!(e instanceof RefreshRejectedError)) throw e;
 *   // code REFRESH_REJECTED: only from a strategy that cannot log in again
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 * }
 * ```
 */
export class RefreshRejectedError extends AuthError {
  static override readonly code = "REFRESH_REJECTED" as const;
  override name = "RefreshRejectedError";
  override readonly code = "REFRESH_REJECTED" as const;
}
/**
 * No usable token and no way to get one: the user must log in.
 * @example
 * ```ts
 * import { LoginRequiredError, createAuth, passwordAuth } from "@dataloop-ts/auth";
 *
 * const auth = createAuth(passwordAuth({ email: "bot@example.com", password: process.env.DATALOOP_PASSWORD ?? "" }));
 * try {
 *   await auth.token();
 * } catch (e) {
 *   if (!(e instanceof LoginRequiredError)) throw e;
 *   // code LOGIN_REQUIRED: log in again (`dataloop login`)
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 * }
 * ```
 */
export class LoginRequiredError extends AuthError {
  static override readonly code = "LOGIN_REQUIRED" as const;
  override name = "LoginRequiredError";
  override readonly code = "LOGIN_REQUIRED" as const;
}
/**
 * The token route answered an unexpected status.
 * @example
 * ```ts
 * import { TokenEndpointError, createAuth, passwordAuth } from "@dataloop-ts/auth";
 *
 * const auth = createAuth(passwordAuth({ email: "bot@example.com", password: process.env.DATALOOP_PASSWORD ?? "" }));
 * try {
 *   await auth.token();
 * } catch (e) {
 *   if (!(e instanceof TokenEndpointError)) throw e;
 *   // code TOKEN_ENDPOINT_ERROR, or one of its subclasses' codes (timeout, unreachable)
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   console.error(`HTTP status: ${e.status ?? "none"}`);
 * }
 * ```
 */
export class TokenEndpointError extends AuthError {
  static override readonly code: string = "TOKEN_ENDPOINT_ERROR";
  override name = "TokenEndpointError";
  override readonly code: string = "TOKEN_ENDPOINT_ERROR";
}
/**
 * The token route did not answer within the timeout.
 * @example
 * ```ts
 * import { TokenEndpointTimeoutError, createAuth, passwordAuth } from "@dataloop-ts/auth";
 *
 * const auth = createAuth(passwordAuth({ email: "bot@example.com", password: process.env.DATALOOP_PASSWORD ?? "" }));
 * try {
 *   await auth.token();
 * } catch (e) {
 *   if (!(e instanceof TokenEndpointTimeoutError)) throw e;
 *   // code TOKEN_ENDPOINT_TIMEOUT: raise `timeoutMs`, or try again later
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 * }
 * ```
 */
export class TokenEndpointTimeoutError extends TokenEndpointError {
  static override readonly code = "TOKEN_ENDPOINT_TIMEOUT" as const;
  override name = "TokenEndpointTimeoutError";
  override readonly code = "TOKEN_ENDPOINT_TIMEOUT" as const;
}
/**
 * The token route could not be reached (DNS, refused connection, reset).
 * @example
 * ```ts
 * import { TokenEndpointUnreachableError, createAuth, passwordAuth } from "@dataloop-ts/auth";
 *
 * const auth = createAuth(passwordAuth({ email: "bot@example.com", password: process.env.DATALOOP_PASSWORD ?? "" }));
 * try {
 *   await auth.token();
 * } catch (e) {
 *   if (!(e instanceof TokenEndpointUnreachableError)) throw e;
 *   // code TOKEN_ENDPOINT_UNREACHABLE: check the network, a proxy, the gate's URL
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 * }
 * ```
 */
export class TokenEndpointUnreachableError extends TokenEndpointError {
  static override readonly code = "TOKEN_ENDPOINT_UNREACHABLE" as const;
  override name = "TokenEndpointUnreachableError";
  override readonly code = "TOKEN_ENDPOINT_UNREACHABLE" as const;
}
/**
 * The token route answered 2xx with something that is not a token response.
 * @example
 * ```ts
 * import { MalformedTokenResponseError, createAuth, passwordAuth } from "@dataloop-ts/auth";
 *
 * const auth = createAuth(passwordAuth({ email: "bot@example.com", password: process.env.DATALOOP_PASSWORD ?? "" }));
 * try {
 *   await auth.token();
 * } catch (e) {
 *   if (!(e instanceof MalformedTokenResponseError)) throw e;
 *   // code MALFORMED_TOKEN_RESPONSE: often a proxy's HTML page instead of the gateway's JSON
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 * }
 * ```
 */
export class MalformedTokenResponseError extends AuthError {
  static override readonly code = "MALFORMED_TOKEN_RESPONSE" as const;
  override name = "MalformedTokenResponseError";
  override readonly code = "MALFORMED_TOKEN_RESPONSE" as const;
}
/**
 * The API refused a token we just obtained, or one that cannot be renewed (an API key).
 * @example
 * ```ts
 * import { TokenRejectedError, createAuth, passwordAuth } from "@dataloop-ts/auth";
 *
 * const auth = createAuth(passwordAuth({ email: "bot@example.com", password: process.env.DATALOOP_PASSWORD ?? "" }));
 * try {
 *   await auth.token();
 * } catch (e) {
 *   if (!(e instanceof TokenRejectedError)) throw e;
 *   // code TOKEN_REJECTED: the API answered 401 to a token just issued
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 *   console.error(`HTTP status: ${e.status ?? "none"}`);
 * }
 * ```
 */
export class TokenRejectedError extends AuthError {
  static override readonly code = "TOKEN_REJECTED" as const;
  override name = "TokenRejectedError";
  override readonly code = "TOKEN_REJECTED" as const;
}
/**
 * A token that cannot be renewed (an API key, a fixed JWT) has expired.
 * @example
 * ```ts
 * import { TokenExpiredError, createAuth, tokenAuth } from "@dataloop-ts/auth";
 *
 * const auth = createAuth(tokenAuth(process.env.DATALOOP_API_KEY ?? ""));
 * try {
 *   await auth.token();
 * } catch (e) {
 *   if (!(e instanceof TokenExpiredError)) throw e;
 *   // code TOKEN_EXPIRED: make a new API key (`POST /apikeys`)
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 * }
 * ```
 */
export class TokenExpiredError extends AuthError {
  static override readonly code = "TOKEN_EXPIRED" as const;
  override name = "TokenExpiredError";
  override readonly code = "TOKEN_EXPIRED" as const;
}
/**
 * A custom token provider failed or returned no token.
 * @example
 * ```ts
 * import { TokenProviderError, createAuth, customAuth } from "@dataloop-ts/auth";
 *
 * const auth = createAuth(customAuth(async () => "", "vault"));
 * try {
 *   await auth.token();
 * } catch (e) {
 *   if (!(e instanceof TokenProviderError)) throw e;
 *   // code PROVIDER_FAILED: the function passed to customAuth threw, or returned no token
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 * }
 * ```
 */
export class TokenProviderError extends AuthError {
  static override readonly code = "PROVIDER_FAILED" as const;
  override name = "TokenProviderError";
  override readonly code = "PROVIDER_FAILED" as const;
}
/**
 * The website login failed: the gateway sent an error, or the callback server could not listen.
 * @example
 * ```ts
 * import { BrowserLoginError } from "@dataloop-ts/auth";
 * import { browserLogin } from "@dataloop-ts/auth/node";
 *
 * try {
 *   await browserLogin("prod", { open: (url) => console.error(`Sign in at ${url}`), timeoutMs: 120_000 });
 * } catch (e) {
 *   if (!(e instanceof BrowserLoginError)) throw e;
 *   // code BROWSER_LOGIN_FAILED (or BROWSER_LOGIN_TIMEOUT, its subclass)
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 * }
 * ```
 */
export class BrowserLoginError extends AuthError {
  static override readonly code: string = "BROWSER_LOGIN_FAILED";
  override name = "BrowserLoginError";
  override readonly code: string = "BROWSER_LOGIN_FAILED";
}
/**
 * No login arrived from the browser in time.
 * @example
 * ```ts
 * import { BrowserLoginTimeoutError } from "@dataloop-ts/auth";
 * import { browserLogin } from "@dataloop-ts/auth/node";
 *
 * try {
 *   await browserLogin("prod", { open: (url) => console.error(`Sign in at ${url}`), timeoutMs: 120_000 });
 * } catch (e) {
 *   if (!(e instanceof BrowserLoginTimeoutError)) throw e;
 *   // code BROWSER_LOGIN_TIMEOUT: nobody signed in within `timeoutMs`
 *   console.error(`${e.code}: ${e.message}\n${e.hint}`);
 * }
 * ```
 */
export class BrowserLoginTimeoutError extends BrowserLoginError {
  static override readonly code = "BROWSER_LOGIN_TIMEOUT" as const;
  override name = "BrowserLoginTimeoutError";
  override readonly code = "BROWSER_LOGIN_TIMEOUT" as const;
}
/**
 * A stored session that cannot be read as a token set: named, so that it can be replaced or removed.
 * @example
 * ```ts
 * import { StoredSessionCorruptError } from "@dataloop-ts/auth";
 * import { fileStore } from "@dataloop-ts/auth/node";
 *
 * const store = fileStore(`${process.env.HOME}/.dataloop`);
 * try {
 *   await store.load("gate.dataloop.ai");
 * } catch (e) {
 *   if (!(e instanceof StoredSessionCorruptError)) throw e;
 *   // code STORED_SESSION_CORRUPT: remove the stored session and log in again
 *   await store.delete("gate.dataloop.ai");
 * }
 * ```
 */
export class StoredSessionCorruptError extends AuthError {
  static override readonly code = "STORED_SESSION_CORRUPT" as const;
  override name = "StoredSessionCorruptError";
  override readonly code = "STORED_SESSION_CORRUPT" as const;
}
