import type { Middleware } from "openapi-fetch";
import { resolveGate } from "./env.js";
import { AuthError, LoginRequiredError, RefreshRejectedError, TokenRejectedError } from "./errors.js";
import { type GrantOptions, refreshGrant } from "./grant.js";
import { authMiddleware } from "./middleware.js";
import { Redactor } from "./redact.js";
import { memoryStore, type TokenStore } from "./store.js";
import { type AuthStrategy, passwordAuth } from "./strategies.js";
import { type HeldToken, hold, type TokenSet } from "./token.js";

export interface AuthLogger {
  debug?(message: string): void;
  warn?(message: string): void;
}

export interface AuthOptions {
  /** An environment name (`prod`, `rc`, `dev`, `local`) or a gate URL (default `prod`). */
  gate?: string;
  /** Renew this long before `exp`, ms (default 60 000, as Dataloop's own SDK). */
  skewMs?: number;
  /** Timeout of each token call, ms (default 10 000). */
  timeoutMs?: number;
  store?: TokenStore;
  /** Store key (default: the gate's host): one stored session per environment. */
  storeKey?: string;
  logger?: AuthLogger;
  fetch?: typeof fetch;
}

/** A logged-in session: the token on demand, and the middleware that puts it on every request. */
export interface Auth {
  readonly gateUrl: string;
  /** A valid JWT, renewed first when due. All concurrent callers share one renewal. */
  token(): Promise<string>;
  /** The held token when no renewal is due; no I/O. */
  peek(): HeldToken | undefined;
  /** The API refused `token`: renew (once, shared) unless that already happened, and return the new one. */
  rejected(token: string): Promise<HeldToken>;
  /** Forget the tokens, here and in the store. */
  logout(): Promise<void>;
  /** Scrubs this session's secrets (and any JWT) from a text. */
  redact(text: string): string;
  /** openapi-fetch middleware: Bearer on every request, renew ahead of expiry, one replay after a 401. */
  readonly middleware: Middleware;
}

/**
 * A session over one strategy.
 * @example
 * const auth = createAuth(passwordAuth({ email, password }), { gate: "prod" });
 * client.use(auth.middleware);
 */
export function createAuth(strategy: AuthStrategy, options: AuthOptions = {}): Auth {
  const gateUrl = resolveGate(options.gate ?? "prod");
  const skewMs = options.skewMs ?? 60_000;
  const store = options.store ?? memoryStore();
  const storeKey = options.storeKey ?? new URL(gateUrl).host;
  const grant: GrantOptions = {
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const redactor = new Redactor();
  for (const s of strategy.secrets) redactor.add(s);
  const log = (level: "debug" | "warn", message: string) =>
    options.logger?.[level]?.(redactor.redact(message));

  let held: HeldToken | undefined;
  let loaded = false;
  let inflight: Promise<HeldToken> | undefined;

  const adopt = async (tokens: TokenSet, why: string): Promise<HeldToken> => {
    redactor.add(tokens.refreshToken);
    redactor.add(tokens.accessToken);
    held = hold(tokens, skewMs);
    log(
      "debug",
      `auth: ${why} for ${strategy.identity}; expires ${held.expiresAt ? new Date(held.expiresAt).toISOString() : "unknown"}`,
    );
    const { renewAt: _r, header: _h, ...plain } = held;
    await store
      .save(storeKey, plain)
      .catch((error: unknown) => log("warn", `auth: could not save tokens: ${String(error)}`));
    return held;
  };

  const loadOnce = async () => {
    if (loaded) return;
    loaded = true;
    const stored = await store.load(storeKey);
    const start: Partial<TokenSet> | undefined = stored ?? strategy.initial;
    if (stored) {
      redactor.add(stored.refreshToken);
      log("debug", `auth: using stored tokens for ${storeKey}`);
    }
    if (start?.idToken || start?.refreshToken)
      held = hold({ ...start, idToken: start.idToken ?? "" }, skewMs);
  };

  const due = (t: HeldToken | undefined, now = Date.now()) =>
    !t?.idToken || (t.renewAt !== undefined && now >= t.renewAt);

  const renew = (why: string): Promise<HeldToken> => {
    inflight ??= (async () => {
      try {
        const refreshToken = held?.refreshToken;
        if (refreshToken) {
          try {
            return await adopt(await refreshGrant(gateUrl, refreshToken, grant), `refreshed (${why})`);
          } catch (error) {
            if (!(error instanceof RefreshRejectedError)) throw error;
            log("warn", `auth: refresh token refused for ${strategy.identity}`);
            if (!strategy.login || strategy.kind === "refresh-token") {
              await store.delete(storeKey).catch(() => {});
              throw new LoginRequiredError(
                "LOGIN_REQUIRED",
                "The refresh token was refused and there are no credentials to log in with.",
                "Log in again (e.g. `dataloop login`), or pass email/password so the SDK can.",
                { ...(error.status !== undefined ? { status: error.status } : {}) },
              );
            }
          }
        }
        if (strategy.login) return await adopt(await strategy.login(gateUrl, grant), `logged in (${why})`);
        if (held?.idToken && why === "expired") {
          throw new AuthError(
            "TOKEN_EXPIRED",
            `The ${strategy.identity} token expired${held.expiresAt ? ` at ${new Date(held.expiresAt).toISOString()}` : ""}.`,
            "Create a new API key (POST /apikeys) or log in.",
          );
        }
        if (held?.idToken) {
          throw new TokenRejectedError(
            "TOKEN_REJECTED",
            `The gateway refused the ${strategy.identity} token, and it cannot be renewed.`,
            "Check that the API key is valid for this environment, or log in.",
            { status: 401 },
          );
        }
        throw new LoginRequiredError(
          "LOGIN_REQUIRED",
          "Not logged in.",
          "Log in first (e.g. `dataloop login`).",
        );
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  };

  const auth: Auth = {
    gateUrl,
    peek: () => (held !== undefined && !due(held) ? held : undefined),
    async token() {
      if (held !== undefined && !due(held)) return held.idToken;
      if (inflight) return (await inflight).idToken;
      await loadOnce();
      if (!due(held)) return (held as HeldToken).idToken;
      return (await renew(held?.idToken ? "expired" : "first use")).idToken;
    },
    async rejected(token) {
      if (inflight) return inflight;
      if (held?.idToken && held.idToken !== token) return held; // someone renewed already
      log("debug", "auth: the API answered 401; renewing once");
      return renew("401");
    },
    async logout() {
      held = undefined;
      await store.delete(storeKey);
    },
    redact: (text) => redactor.redact(text),
    middleware: undefined as unknown as Middleware,
  };
  (auth as { middleware: Middleware }).middleware = authMiddleware(auth);
  return auth;
}

/** Shorthand for the common case. @example const auth = loginWithPassword("bot@x.ai", pw, { gate: "rc" }) */
export const loginWithPassword = (email: string, password: string, options?: AuthOptions) =>
  createAuth(passwordAuth({ email, password }), options);
