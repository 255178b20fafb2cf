import { AuthError } from "./errors.js";
import { type GrantOptions, passwordGrant } from "./grant.js";
import type { TokenSet } from "./token.js";

/**
 * One way in. `login` gets a token set from nothing (and again when a refresh token is refused);
 * `initial` is what the strategy starts with. The session does the rest: refresh, single flight, storage.
 */
export interface AuthStrategy {
  readonly kind: "password" | "refresh-token" | "token" | "custom" | "browser";
  /** Who this is, for logs and store keys (never a secret). */
  readonly identity: string;
  readonly initial?: Partial<TokenSet>;
  login?(gateUrl: string, options: GrantOptions): Promise<TokenSet>;
  /** Values to scrub from logs and errors. */
  readonly secrets: readonly string[];
}

/** A password or bot (M2M) account: `{ email, password }`. */
export function passwordAuth(credentials: { email: string; password: string }): AuthStrategy {
  const { email, password } = credentials;
  if (!email || !password) throw new TypeError("passwordAuth needs a non-empty email and password.");
  return {
    kind: "password",
    identity: email,
    secrets: [password],
    login: (gateUrl, options) => passwordGrant(gateUrl, email, password, options),
  };
}

/** A refresh token from an earlier login (e.g. the browser flow); when it is refused the user must log in. */
export function refreshTokenAuth(refreshToken: string, identity = "refresh-token"): AuthStrategy {
  if (!refreshToken) throw new TypeError("refreshTokenAuth needs a refresh token.");
  return { kind: "refresh-token", identity, secrets: [refreshToken], initial: { refreshToken } };
}

/** An API key (`POST /apikeys`) or any fixed JWT: used as is, never refreshed. */
export function tokenAuth(token: string, identity = "api-key"): AuthStrategy {
  if (!token) throw new TypeError("tokenAuth needs a token.");
  return { kind: "token", identity, secrets: [token], initial: { idToken: token } };
}

/** Alias of tokenAuth: an API key is a JWT used as the Bearer token. */
export const apiKeyAuth = (apiKey: string) => tokenAuth(apiKey, "api-key");

/** Any async source of JWTs; called again whenever the token is due or was refused. */
export function customAuth(getToken: () => Promise<string | TokenSet>, identity = "custom"): AuthStrategy {
  return {
    kind: "custom",
    identity,
    secrets: [],
    async login() {
      let value: string | TokenSet;
      try {
        value = await getToken();
      } catch (error) {
        throw new AuthError("PROVIDER_FAILED", "The custom token provider failed.", "See `cause`.", {
          cause: error,
        });
      }
      const tokens = typeof value === "string" ? { idToken: value } : value;
      if (!tokens?.idToken) {
        throw new AuthError(
          "PROVIDER_FAILED",
          "The custom token provider returned no token.",
          "Return a JWT string.",
        );
      }
      return tokens;
    },
  };
}

/**
 * Inside the platform (FaaS, apps, agents) a local proxy hands out fresh JWTs at
 * `GET http://localhost:{port}/get_jwt`.
 */
export function agentProxyAuth(
  options: { port?: number; url?: string; fetch?: typeof fetch; timeoutMs?: number } = {},
) {
  const url =
    options.url ??
    `http://localhost:${options.port ?? globalThis.process?.env?.AGENT_PROXY_MAIN_PORT ?? 1001}/get_jwt`;
  const doFetch = options.fetch ?? globalThis.fetch;
  return customAuth(async () => {
    const response = await doFetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    if (!response.ok) throw new Error(`agent proxy ${url} answered HTTP ${response.status}`);
    const text = (await response.text()).trim();
    try {
      const json = JSON.parse(text) as { jwt?: string; token?: string };
      return json.jwt ?? json.token ?? text;
    } catch {
      return text;
    }
  }, "agent-proxy");
}
