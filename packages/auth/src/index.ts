export { ENVIRONMENTS, type EnvironmentName, resolveGate } from "./env.js";
export {
  AuthError,
  type AuthErrorCode,
  BadCredentialsError,
  LoginRequiredError,
  MalformedTokenResponseError,
  RefreshRejectedError,
  TokenEndpointError,
  TokenRejectedError,
} from "./errors.js";
export { type GrantOptions, passwordGrant, refreshGrant, requestToken } from "./grant.js";
export { authMiddleware } from "./middleware.js";
export { Redactor, redactTokens } from "./redact.js";
export { type Auth, type AuthLogger, type AuthOptions, createAuth, loginWithPassword } from "./session.js";
export { memoryStore, type TokenStore } from "./store.js";
export {
  type AuthStrategy,
  agentProxyAuth,
  apiKeyAuth,
  customAuth,
  passwordAuth,
  refreshTokenAuth,
  tokenAuth,
} from "./strategies.js";
export { type HeldToken, hold, readClaims, readExpiry, type TokenSet } from "./token.js";
