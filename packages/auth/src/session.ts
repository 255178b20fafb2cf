import { type Clock, type Logger, systemClock } from "@dataloop-ts/core";
import type { Middleware } from "openapi-fetch";
import { type EnvironmentName, resolveGate } from "./env.js";
import { LoginRequiredError, RefreshRejectedError, TokenExpiredError, TokenRejectedError } from "./errors.js";
import { type GrantOptions, refreshGrant } from "./grant.js";
import { authMiddleware, type TokenSource } from "./middleware.js";
import { Redactor } from "./redact.js";
import { memoryStore, type TokenStore } from "./store.js";
import type { AuthStrategy } from "./strategies.js";
import {
  CLOCK_TOLERANCE_MS,
  type HeldToken,
  hold,
  inLocalTime,
  isoOrUnknown,
  type TokenSet,
} from "./token.js";

/**
 * How a session is set up: which gateway (`env` or `gateUrl`), when it renews (`skewMs`), how long a
 * token call may take (`timeoutMs`), where tokens are kept (`store`), where it logs (`logger`), and the
 * `fetch` and `clock` it uses. Every field is optional.
 * @example
 * ```ts
 * import { homedir } from "node:os";
 * import { join } from "node:path";
 * import { type AuthOptions, createAuth, refreshTokenAuth } from "@dataloop-ts/auth";
 * import { fileStore } from "@dataloop-ts/auth/node";
 *
 * const options: AuthOptions = {
 *   env: "rc",
 *   skewMs: 120_000, // renew two minutes before the token expires
 *   timeoutMs: 5_000,
 *   store: fileStore(join(homedir(), ".dataloop-ts")), // the session survives restarts
 *   logger: console,
 * };
 * const auth = createAuth(refreshTokenAuth(process.env.DATALOOP_REFRESH_TOKEN ?? ""), options);
 * ```
 */
export interface AuthOptions {
  /** `prod` (default), `rc`, `dev`, `local`. */
  env?: EnvironmentName;
  /** Any other gateway origin (or its `/api/v1` base); wins over `env`. The same option as the client's. */
  gateUrl?: string;
  /** Renew this long before `exp`, ms (default 60 000, as Dataloop's own SDK). */
  skewMs?: number;
  /** Timeout of each token call, ms (default 10 000). */
  timeoutMs?: number;
  /** Where the tokens are kept between calls and processes (default: `memoryStore()`, this process only). */
  store?: TokenStore;
  /** Store key (default: the gate's host): one stored session per environment. */
  storeKey?: string;
  /** Where renewals and refusals are logged (redacted); the client passes its own. */
  logger?: Logger;
  /** The `fetch` of the token calls (default: the global one). */
  fetch?: typeof fetch;
  /**
   * Where "now" comes from for expiry, early renewal and the backoff after a failed renewal (default: the
   * system clock). Tests give the same `manualClock()` to this and to the mock's token route, and move
   * time forward instead of sleeping.
   */
  clock?: Clock;
}

/**
 * A logged-in session: the token on demand, and the middleware that puts it on every request.
 * @example
 * ```ts
 * import { createAuth, tokenAuth } from "@dataloop-ts/auth";
 *
 * const auth = createAuth(tokenAuth(process.env.DATALOOP_API_KEY ?? ""));
 * // Without openapi-fetch: the token on a request of your own.
 * const response = await fetch(`${auth.gateUrl}/api/v1/projects`, {
 *   headers: { authorization: `Bearer ${await auth.token()}` },
 * });
 * if (!response.ok) console.error(auth.redact(await response.text())); // no secret in your logs
 * ```
 */
export interface Auth {
  /** The gate origin the session logs in at. */
  readonly gateUrl: string;
  /** A valid JWT, renewed first when due. All concurrent callers share one renewal. */
  token(): Promise<string>;
  /**
   * The API refused `token` (a 401): renew once, shared by every caller that saw the same refusal
   * (nothing is renewed when a newer token is held already); resolves to the token to send now.
   */
  rejected(token: string): Promise<string>;
  /** Forget the tokens, here and in the store. */
  logout(): Promise<void>;
  /** Scrubs this session's secrets (and any JWT) from a text. */
  redact(text: string): string;
  /** openapi-fetch middleware: Bearer on every request, renew ahead of expiry, one replay after a 401. */
  readonly middleware: Middleware;
}

/** Why a token is being renewed (said in the debug log). */
type RenewalReason = "first use" | "expired" | "due soon" | "rejected by the API";

interface Settings {
  gateUrl: string;
  skewMs: number;
  store: TokenStore;
  storeKey: string;
  grant: GrantOptions;
  logger: Logger | undefined;
  clock: Clock;
}

function settingsOf(options: AuthOptions): Settings {
  const gateUrl = resolveGate(options.gateUrl ?? options.env ?? "prod");
  return {
    gateUrl,
    skewMs: options.skewMs ?? 60_000,
    store: options.store ?? memoryStore(),
    storeKey: options.storeKey ?? new URL(gateUrl).host,
    grant: {
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    },
    logger: options.logger,
    clock: options.clock ?? systemClock,
  };
}

const due = (t: HeldToken | undefined, now: number) =>
  !t?.idToken || (t.renewAt !== undefined && now >= t.renewAt);

/** Held, and not expired yet (though perhaps due): what callers may still be given while a renewal runs. */
const valid = (t: HeldToken | undefined, now: number): t is HeldToken & { expiresAt: number } =>
  !!t?.idToken && t.expiresAt !== undefined && now < t.expiresAt;

/** The private state of one session over one strategy: the held token, the one renewal in flight. */
class Session implements TokenSource {
  readonly #strategy: AuthStrategy;
  readonly #settings: Settings;
  readonly #redactor = new Redactor();
  #held: HeldToken | undefined;
  /** The one load of the stored session, which every first caller awaits (none may start a renewal before it ends). */
  #loading: Promise<void> | undefined;
  #loaded = false;
  #inflight: Promise<HeldToken> | undefined;
  /** After a failed early renewal: no new try before this time (while the token is still valid). */
  #retryRenewalAt = 0;
  #renewalFailures = 0;

  constructor(strategy: AuthStrategy, settings: Settings) {
    this.#strategy = strategy;
    this.#settings = settings;
    for (const s of strategy.secrets) this.#redactor.add(s);
  }

  redact(text: string): string {
    return this.#redactor.redact(text);
  }

  #log(level: "debug" | "warn", message: string) {
    this.#settings.logger?.[level]?.(this.redact(message));
  }

  #now(): number {
    return this.#settings.clock.now();
  }

  peek(): HeldToken | undefined {
    return this.#held !== undefined && !due(this.#held, this.#now()) ? this.#held : undefined;
  }

  async token(): Promise<string> {
    if (this.#held !== undefined && !due(this.#held, this.#now())) return this.#held.idToken;
    if (!this.#loaded) await this.#loadStored();
    const held = this.#held as HeldToken | undefined;
    const now = this.#now();
    if (held && !due(held, now)) return held.idToken;
    // Due but not expired: the valid token serves at once while one renewal runs in the background (a
    // token route that hangs must not hold up calls that have a good token: issue 19), with a backoff
    // after a failure so that a failing route is not hammered, as Azure Identity does.
    if (valid(held, now)) {
      this.#renewEarly();
      return held.idToken;
    }
    return (await this.#renew(held?.idToken ? "expired" : "first use")).idToken;
  }

  /** Starts the background renewal of a due, still valid token, unless one runs or the backoff holds. */
  #renewEarly() {
    if (this.#inflight || this.#now() < this.#retryRenewalAt) return;
    // Failures are logged and backed off in #renewOnce; the next caller past the backoff tries again.
    this.#renew("due soon").catch(() => {});
  }

  async rejected(token: string): Promise<HeldToken> {
    if (this.#inflight) return this.#inflight;
    if (this.#held?.idToken && this.#held.idToken !== token) return this.#held; // someone renewed already
    this.#log("debug", "auth: the API answered 401; renewing once");
    return this.#renew("rejected by the API");
  }

  async logout(): Promise<void> {
    this.#held = undefined;
    await this.#settings.store.delete(this.#settings.storeKey);
  }

  /**
   * Step 1, once: what the store (else the strategy) starts the session with. Concurrent first callers
   * share the one load; a load that fails (a damaged file) is tried again by the next caller.
   */
  #loadStored(): Promise<void> {
    this.#loading ??= this.#load().then(
      () => {
        this.#loaded = true;
      },
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }

  async #load() {
    const { store, storeKey, skewMs } = this.#settings;
    const stored = await store.load(storeKey);
    const start: Partial<TokenSet> | undefined = stored ?? this.#strategy.initial;
    if (stored) {
      this.#redactor.add(stored.refreshToken);
      this.#log("debug", `auth: using stored tokens for ${storeKey}`);
    }
    if (start?.idToken || start?.refreshToken)
      this.#held = hold({ ...start, idToken: start.idToken ?? "" }, skewMs, this.#now());
  }

  /** Step 2: one renewal at a time, shared by every caller that finds the token due. */
  #renew(reason: RenewalReason): Promise<HeldToken> {
    this.#inflight ??= this.#renewOnce(reason).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #renewOnce(reason: RenewalReason): Promise<HeldToken> {
    const { store, storeKey } = this.#settings;
    let renewed: HeldToken;
    try {
      renewed = store.exclusive
        ? await store.exclusive(storeKey, () => this.#renewHoldingStore(reason))
        : await this.#renewHoldingStore(reason);
    } catch (error) {
      this.#backOff(error);
      throw error;
    }
    this.#renewalFailures = 0;
    this.#retryRenewalAt = 0;
    return renewed;
  }

  /** A renewal failed while the held token is still valid: no new early try before a backoff (≤ 30 s, ≤ expiry). */
  #backOff(error: unknown) {
    const held = this.#held;
    const now = this.#now();
    if (!valid(held, now)) return;
    this.#renewalFailures++;
    const waitMs = Math.min(30_000, 500 * 2 ** (this.#renewalFailures - 1), held.expiresAt - now);
    this.#retryRenewalAt = now + waitMs;
    this.#log(
      "warn",
      `auth: early renewal failed (${(error as Error)?.message ?? String(error)}); the token is valid until ${isoOrUnknown(held.expiresAt)}, next try in ${Math.round(waitMs)} ms`,
    );
  }

  /** Inside the store's lock: another process may have renewed meanwhile, and then its tokens serve. */
  async #renewHoldingStore(reason: RenewalReason): Promise<HeldToken> {
    const theirs = await this.#storedIfNewer();
    if (theirs) return theirs;
    const refreshed = await this.#tryRefresh(reason);
    if (refreshed) return refreshed;
    const { login } = this.#strategy;
    if (login)
      return this.#adopt(await login(this.#settings.gateUrl, this.#settings.grant), `logged in (${reason})`);
    throw this.#cannotRenew(reason);
  }

  /**
   * What the store holds when another process renewed it: adopted when its token is usable; its newer
   * refresh token taken either way (a rotated one must not be used twice). Undefined when it has nothing newer.
   */
  async #storedIfNewer(): Promise<HeldToken | undefined> {
    const { store, storeKey, skewMs } = this.#settings;
    const stored = await store.load(storeKey).catch(() => undefined);
    if (!stored) return undefined;
    this.#redactor.add(stored.idToken);
    this.#redactor.add(stored.refreshToken);
    const held = this.#held;
    if (stored.idToken && stored.idToken !== held?.idToken) {
      const now = this.#now();
      const theirs = hold(stored, skewMs, now);
      if (!due(theirs, now)) {
        this.#held = theirs;
        this.#log("debug", `auth: using the tokens another process renewed for ${storeKey}`);
        return theirs;
      }
    }
    if (held && stored.refreshToken && stored.refreshToken !== held.refreshToken)
      this.#held = { ...held, refreshToken: stored.refreshToken };
    return undefined;
  }

  /** The refresh grant when there is a refresh token; undefined when there is none or it was refused and a login can follow. */
  async #tryRefresh(reason: RenewalReason): Promise<HeldToken | undefined> {
    const refreshToken = this.#held?.refreshToken;
    if (!refreshToken) return undefined;
    try {
      const tokens = await refreshGrant(this.#settings.gateUrl, refreshToken, this.#settings.grant);
      // An answer without a refresh token leaves the old one valid: keep it, or the session dies a lifetime later.
      return await this.#adopt(
        { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken },
        `refreshed (${reason})`,
      );
    } catch (error) {
      if (!(error instanceof RefreshRejectedError)) throw error;
      this.#log("warn", `auth: refresh token refused for ${this.#strategy.identity}`);
      if (this.#strategy.login) return undefined;
      // Before giving up: another process may have rotated it (its tokens are in the store then).
      const theirs = await this.#storedIfNewer();
      if (theirs) return theirs;
      const { store, storeKey } = this.#settings;
      // Forget the session only when the store still holds the refused token, never a newer one, and
      // never while the held id token is still valid: the session serves until it expires (issue 20).
      const stored = await store.load(storeKey).catch(() => undefined);
      if (stored?.refreshToken === refreshToken && !valid(this.#held, this.#now()))
        await store.delete(storeKey).catch(() => {});
      throw new LoginRequiredError({
        message: "The refresh token was refused and there are no credentials to log in with.",
        hint: "Log in again (e.g. `dataloop login`), or pass email/password so the SDK can.",
        ...(error.status !== undefined ? { status: error.status } : {}),
        cause: error,
      });
    }
  }

  /** Step 3: a token set just issued becomes the held one (its expiry in this machine's clock), and is stored. */
  async #adopt(issued: TokenSet, why: string): Promise<HeldToken> {
    this.#redactor.add(issued.idToken);
    this.#redactor.add(issued.refreshToken);
    this.#redactor.add(issued.accessToken);
    const now = this.#now();
    const { tokens, clockOffsetMs, expiredAtIssue } = inLocalTime(issued, now);
    if (expiredAtIssue) {
      throw new TokenExpiredError({
        message: "The gateway issued an expired token (check this machine's clock).",
        hint: "Set this machine's clock right (NTP); if it is right, the gateway's clock is off: report it.",
      });
    }
    if (clockOffsetMs !== undefined && Math.abs(clockOffsetMs) > CLOCK_TOLERANCE_MS)
      this.#log(
        "warn",
        `auth: this machine's clock is ${Math.round(clockOffsetMs / 1000)} s off the gateway's; token expiry is counted from its issue`,
      );
    const held = hold(tokens, this.#settings.skewMs, now);
    this.#held = held;
    this.#log(
      "debug",
      `auth: ${why} for ${this.#strategy.identity}; expires ${isoOrUnknown(held.expiresAt)}`,
    );
    const { renewAt: _r, header: _h, ...plain } = held;
    await this.#settings.store
      .save(this.#settings.storeKey, plain)
      .catch((error: unknown) => this.#log("warn", `auth: could not save tokens: ${String(error)}`));
    return held;
  }

  /** No refresh token and no login: say why in the user's terms. */
  #cannotRenew(reason: RenewalReason) {
    const held = this.#held;
    const who = this.#strategy.identity;
    if (held?.idToken && (reason === "expired" || reason === "due soon")) {
      const when = held.expiresAt ? ` at ${isoOrUnknown(held.expiresAt)}` : "";
      return new TokenExpiredError({
        message:
          reason === "expired"
            ? `The ${who} token expired${when}.`
            : `The ${who} token expires${when} and cannot be renewed.`,
        hint: "Create a new API key (POST /apikeys) or log in.",
      });
    }
    if (held?.idToken) {
      return new TokenRejectedError({
        message: `The gateway refused the ${who} token, and it cannot be renewed.`,
        hint: "Check that the API key is valid for this environment, or log in.",
        status: 401,
      });
    }
    return new LoginRequiredError({
      message: "Not logged in.",
      hint: "Log in first (e.g. `dataloop login`).",
    });
  }
}

/**
 * A session over one strategy: it loads the stored session, logs in or refreshes when a token is first
 * asked for (not before), and renews ahead of expiry, one renewal at a time.
 * @example
 * ```ts
 * import { type Auth, createAuth, passwordAuth } from "@dataloop-ts/auth";
 *
 * declare const client: { use(middleware: Auth["middleware"]): void }; // your openapi-fetch client
 *
 * const auth = createAuth(
 *   passwordAuth({ email: "bot@example.com", password: process.env.DATALOOP_PASSWORD ?? "" }),
 *   { env: "prod" },
 * );
 * client.use(auth.middleware); // register it last: Bearer on every request, one replay after a 401
 * ```
 */
export function createAuth(strategy: AuthStrategy, options: AuthOptions = {}): Auth {
  const settings = settingsOf(options);
  const session = new Session(strategy, settings);
  return {
    gateUrl: settings.gateUrl,
    token: () => session.token(),
    rejected: (token) => session.rejected(token).then((held) => held.idToken),
    logout: () => session.logout(),
    redact: (text) => session.redact(text),
    middleware: authMiddleware(session),
  };
}
