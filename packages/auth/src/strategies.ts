import { InvalidArgumentError } from "@dataloop-ts/core";
import { TokenProviderError } from "./errors.js";
import { type GrantOptions, passwordGrant } from "./grant.js";
import type { TokenSet } from "./token.js";

const STRATEGY = Symbol.for("@dataloop-ts/auth.strategy");

/**
 * One way in, as Octokit's auth strategies are: what it starts with and how it logs in, over state of
 * its own. The session does the rest (refresh, one renewal at a time, storage) and never asks which
 * kind of strategy it holds: a strategy that can `login` is asked again when a refresh is refused; one
 * that cannot makes the user log in.
 * @example
 * ```ts
 * import { type AuthStrategy, createAuth, defineStrategy, passwordGrant } from "@dataloop-ts/auth";
 *
 * const email = "bot@example.com";
 * const password = process.env.DATALOOP_PASSWORD ?? "";
 * const bot: AuthStrategy = defineStrategy({
 *   identity: email,
 *   secrets: [password],
 *   login: (gateUrl, options) => passwordGrant(gateUrl, email, password, options),
 * });
 * const auth = createAuth(bot, { env: "prod" });
 * ```
 */
export interface AuthStrategy {
  /** Who this is, for logs (never a secret). */
  readonly identity: string;
  /** What the session starts with, before any login (a refresh token, a fixed JWT). */
  readonly initial?: Partial<TokenSet>;
  /** A token set from nothing; asked on first use, and again when a refresh is refused. */
  login?(gateUrl: string, options: GrantOptions): Promise<TokenSet>;
  /** Values to scrub from logs and errors. */
  readonly secrets: readonly string[];
}

/**
 * Marks an object as a strategy, so that `createDataloopClient({ auth })` can tell one from credentials.
 * @example
 * ```ts
 * import { defineStrategy, isAuthStrategy } from "@dataloop-ts/auth";
 *
 * const fixed = defineStrategy({ identity: "ci", secrets: [], initial: { idToken: process.env.CI_JWT ?? "" } });
 * isAuthStrategy(fixed); // true
 * ```
 */
export function defineStrategy(strategy: AuthStrategy): AuthStrategy {
  return Object.defineProperty({ ...strategy }, STRATEGY, { value: true });
}

/**
 * Whether `value` was made by one of the strategy functions (or `defineStrategy`).
 * @example
 * ```ts
 * import { isAuthStrategy, passwordAuth } from "@dataloop-ts/auth";
 *
 * isAuthStrategy(passwordAuth({ email: "bot@example.com", password: "…" })); // true
 * isAuthStrategy({ email: "bot@example.com", password: "…" }); // false: credentials, not a strategy
 * ```
 */
export const isAuthStrategy = (value: unknown): value is AuthStrategy =>
  typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[STRATEGY] === true;

const required = (value: string | undefined, what: string, fn: string) => {
  if (!value)
    throw new InvalidArgumentError({ message: `${fn} needs ${what}.`, hint: `Pass a non-empty ${what}.` });
};

/**
 * A password or bot (M2M) account: `{ email, password }`.
 * @example
 * ```ts
 * import { createAuth, passwordAuth } from "@dataloop-ts/auth";
 *
 * const auth = createAuth(passwordAuth({ email: "bot@example.com", password: process.env.DATALOOP_PASSWORD ?? "" }));
 * const jwt = await auth.token(); // logs in once, then refreshes ahead of expiry
 * ```
 */
export function passwordAuth(credentials: { email: string; password: string }): AuthStrategy {
  const { email, password } = credentials;
  required(email, "an email", "passwordAuth");
  required(password, "a password", "passwordAuth");
  return defineStrategy({
    identity: email,
    secrets: [password],
    login: (gateUrl, options) => passwordGrant(gateUrl, email, password, options),
  });
}

/**
 * A refresh token from an earlier login (e.g. the browser flow); when it is refused the user must log in.
 * @example
 * ```ts
 * import { createAuth, refreshTokenAuth } from "@dataloop-ts/auth";
 *
 * const auth = createAuth(refreshTokenAuth(process.env.DATALOOP_REFRESH_TOKEN ?? ""), { env: "rc" });
 * ```
 */
export function refreshTokenAuth(refreshToken: string, identity = "refresh-token"): AuthStrategy {
  required(refreshToken, "a refresh token", "refreshTokenAuth");
  return defineStrategy({ identity, secrets: [refreshToken], initial: { refreshToken } });
}

/**
 * An API key (`POST /apikeys`) or any fixed JWT: used as is, never refreshed.
 * @example
 * ```ts
 * import { createAuth, tokenAuth } from "@dataloop-ts/auth";
 *
 * const auth = createAuth(tokenAuth(process.env.DATALOOP_API_KEY ?? ""));
 * ```
 */
export function tokenAuth(token: string, identity = "api-key"): AuthStrategy {
  required(token, "a token", "tokenAuth");
  return defineStrategy({ identity, secrets: [token], initial: { idToken: token } });
}

/**
 * Any async source of JWTs; called again whenever the token is due or was refused.
 * @example
 * ```ts
 * import { createAuth, customAuth } from "@dataloop-ts/auth";
 *
 * const auth = createAuth(
 *   customAuth(async () => {
 *     const response = await fetch("https://vault.example.com/dataloop-jwt");
 *     return ((await response.json()) as { jwt: string }).jwt;
 *   }, "vault"),
 * );
 * ```
 */
export function customAuth(getToken: () => Promise<string | TokenSet>, identity = "custom"): AuthStrategy {
  return defineStrategy({
    identity,
    secrets: [],
    async login() {
      let value: string | TokenSet;
      try {
        value = await getToken();
      } catch (error) {
        throw new TokenProviderError({
          message: "The custom token provider failed.",
          hint: "See `cause` for what it threw.",
          cause: error,
        });
      }
      const tokens = typeof value === "string" ? { idToken: value } : value;
      if (!tokens?.idToken) {
        throw new TokenProviderError({
          message: "The custom token provider returned no token.",
          hint: "Return a JWT string, or a token set with idToken.",
        });
      }
      return tokens;
    },
  });
}

/**
 * Inside the platform (FaaS, apps, agents) a local proxy hands out fresh JWTs at
 * `GET http://localhost:{port}/get_jwt`.
 * @example
 * ```ts
 * import { agentProxyAuth, createAuth } from "@dataloop-ts/auth";
 *
 * // In a Dataloop FaaS function or app: the port comes from AGENT_PROXY_MAIN_PORT when not given.
 * const auth = createAuth(agentProxyAuth());
 * ```
 */
export function agentProxyAuth(
  options: { port?: number; url?: string; fetch?: typeof fetch; timeoutMs?: number } = {},
): AuthStrategy {
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
