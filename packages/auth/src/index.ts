// The public surface of @dataloop-ts/auth: what its README documents (api-report.md records it).
// `@dataloop-ts/auth/node` adds what needs Node: the file store and the browser login.
export { DataloopError, type Logger } from "@dataloop-ts/core";
export { ENVIRONMENTS, type EnvironmentName, resolveGate } from "./env.js";
export {
  AuthError,
  BadCredentialsError,
  BrowserLoginError,
  BrowserLoginTimeoutError,
  LoginRequiredError,
  MalformedTokenResponseError,
  RefreshRejectedError,
  StoredSessionCorruptError,
  TokenEndpointError,
  TokenEndpointTimeoutError,
  TokenEndpointUnreachableError,
  TokenExpiredError,
  TokenProviderError,
  TokenRejectedError,
} from "./errors.js";
export { type GrantOptions, passwordGrant, refreshGrant } from "./grant.js";
export { redactTokens } from "./redact.js";
export { type Auth, type AuthOptions, createAuth } from "./session.js";
export { memoryStore, type TokenStore } from "./store.js";
export {
  type AuthStrategy,
  agentProxyAuth,
  customAuth,
  defineStrategy,
  isAuthStrategy,
  passwordAuth,
  refreshTokenAuth,
  tokenAuth,
} from "./strategies.js";
export { readClaims, readExpiry, type TokenSet } from "./token.js";
