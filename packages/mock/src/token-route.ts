import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Clock, systemClock } from "@dataloop-ts/core";
import {
  type CryptoKey,
  errors,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from "jose";

/**
 * A user the token route signs in (password grant and website login): username, password, and claims merged into its id_token.
 * @example
 * ```ts
 * import { type MockUser, startEchoGateway } from "@dataloop-ts/mock/light";
 *
 * const bot: MockUser = {
 *   username: "ci-bot@example.com",
 *   password: "secret",
 *   claims: { "https://dataloop.ai/authorization": { user_type: "bot" } },
 * };
 * const gateway = await startEchoGateway({ users: [bot] });
 * await gateway.stop();
 * ```
 */
export interface MockUser {
  username: string;
  password: string;
  /** Claims merged into the id_token (e.g. a bot's `"https://dataloop.ai/authorization": { user_type: "bot" }`). */
  claims?: Record<string, unknown>;
}

/**
 * How the token route answers: as the gateway would, or one of the failures clients must survive.
 * `no-refresh-token`: a grant answered without a refresh token (the old one stays valid);
 * `expired-at-issue`: id tokens whose `exp` is before their `iat`; `far-exp`: an `exp` of 1e13 s
 * (past the year 275 000, beyond what a JavaScript Date holds).
 * @example
 * ```ts
 * import { startEchoGateway, type TokenRouteMode } from "@dataloop-ts/mock/light";
 *
 * const gateway = await startEchoGateway();
 * const mode: TokenRouteMode = "error500"; // the next grants fail as a broken gateway's would
 * gateway.route.mode = mode;
 * gateway.route.mode = "normal";
 * await gateway.stop();
 * ```
 */
export type TokenRouteMode =
  | "normal"
  | "error500"
  | "hang"
  | "html"
  | "no-id-token"
  | "refuse"
  | "no-refresh-token"
  | "expired-at-issue"
  | "far-exp";

/**
 * The token route's options: its users, the id_token lifetime in seconds, whether refresh tokens rotate, the issuer, and the clock its tokens and Bearer check read.
 * @example
 * ```ts
 * import { manualClock } from "@dataloop-ts/core";
 * import { startEchoGateway, type TokenRouteOptions } from "@dataloop-ts/mock/light";
 *
 * const clock = manualClock(Date.parse("2026-01-01T00:00:00Z"));
 * const options: TokenRouteOptions = { lifetimeSeconds: 60, rotateRefreshTokens: true, clock };
 * const gateway = await startEchoGateway(options);
 * clock.advance(61_000); // every id_token handed out so far has expired, without sleeping
 * await gateway.stop();
 * ```
 */
export interface TokenRouteOptions {
  users?: MockUser[];
  /** id_token lifetime in seconds (default 3600). */
  lifetimeSeconds?: number;
  /** Hand out a new refresh token on every refresh and retire the old one (default true, like the gateway). */
  rotateRefreshTokens?: boolean;
  issuer?: string;
  /**
   * The gateway's "now": the `iat`/`exp` of the tokens it signs and the expiry its Bearer check enforces
   * (default: the system clock). Give the same `manualClock()` to this and to the session under test,
   * and tokens expire when the test moves the clock, over HTTP, without sleeping.
   */
  clock?: Clock;
}

/**
 * What `route.calls` counts: every grant, password and refresh grants, the grants refused, and sign-ins through the website login page.
 * @example
 * ```ts
 * import { startEchoGateway, type TokenRouteCalls } from "@dataloop-ts/mock/light";
 *
 * const gateway = await startEchoGateway();
 * const calls: TokenRouteCalls = gateway.route.calls;
 * console.log(calls.total, calls.password, calls.refresh, calls.rejected, calls.browser);
 * await gateway.stop();
 * ```
 */
export interface TokenRouteCalls {
  total: number;
  password: number;
  refresh: number;
  rejected: number;
  /** Sign-ins through the website login page (`GET /login`). */
  browser: number;
}

/**
 * The user every mock gateway signs in unless told otherwise: `bot@example.com` / `password`.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { DEFAULT_BOT, startEchoGateway } from "@dataloop-ts/mock/light";
 *
 * const gateway = await startEchoGateway();
 * const dl = createDataloopClient({ gateUrl: gateway.gateUrl, auth: { email: DEFAULT_BOT.username, password: DEFAULT_BOT.password } });
 * console.log(await dl.auth.token());
 * await gateway.stop();
 * ```
 */
export const DEFAULT_BOT: MockUser = { username: "bot@example.com", password: "password" };

/**
 * The gateway's token grant (`POST /token?default`), signing real ES256 JWTs with jose.
 * `handle` answers the requests it owns and returns false for the rest, so it can sit in front of anything.
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { DEFAULT_BOT, TokenRoute } from "@dataloop-ts/mock/light";
 *
 * const route = await TokenRoute.create({ lifetimeSeconds: 300 });
 * const jwt = await route.sign(DEFAULT_BOT); // a real ES256 JWT, as the gateway signs
 * console.log(await route.verify(jwt));
 * // In front of your own server: it answers POST /token and returns false for the rest.
 * const server = createServer((req, res) => {
 *   if (!route.handle(req, res)) res.writeHead(404).end();
 * });
 * server.close();
 * ```
 */
export class TokenRoute {
  mode: TokenRouteMode = "normal";
  readonly calls: TokenRouteCalls = { total: 0, password: 0, refresh: 0, rejected: 0, browser: 0 };
  /** Every id_token and refresh token handed out (the last 10 000), so tests can look for leaks. */
  readonly issued: string[] = [];
  lifetimeSeconds: number;
  readonly users: MockUser[];
  private readonly rotate: boolean;
  private readonly issuer: string;
  /** The route's "now" (see `TokenRouteOptions.clock`). */
  readonly clock: Clock;
  private readonly refreshTokens = new Map<string, MockUser>();
  private readonly hanging = new Set<ServerResponse>();
  /** While set (`pause()`), grants are counted and then held until it settles. */
  private paused: Promise<void> | undefined;

  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    readonly jwk: JWK,
    options: TokenRouteOptions,
  ) {
    this.users = options.users ?? [DEFAULT_BOT];
    this.lifetimeSeconds = options.lifetimeSeconds ?? 3600;
    this.rotate = options.rotateRefreshTokens ?? true;
    this.issuer = options.issuer ?? "https://mock-gateway.dataloop-ts.local/";
    this.clock = options.clock ?? systemClock;
  }

  static async create(options: TokenRouteOptions = {}): Promise<TokenRoute> {
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    return new TokenRoute(privateKey, publicKey, await exportJWK(publicKey), options);
  }

  /** A JWT for `user`, valid `lifetimeSeconds` from now (negative: already expired). */
  async sign(
    user: MockUser,
    lifetimeSeconds = this.lifetimeSeconds,
    extra: Record<string, unknown> = {},
  ): Promise<string> {
    const now = Math.floor(this.clock.now() / 1000);
    return new SignJWT({ email: user.username, ...user.claims, ...extra })
      .setProtectedHeader({ alg: "ES256", typ: "JWT" })
      .setSubject(user.username)
      .setIssuer(this.issuer)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + lifetimeSeconds)
      .sign(this.privateKey);
  }

  /** An API key: a long-lived JWT, as `POST /apikeys` returns. */
  issueApiKey(user: MockUser = this.users[0] ?? DEFAULT_BOT, lifetimeSeconds = 365 * 86400): Promise<string> {
    return this.sign(user, lifetimeSeconds, { apiKey: true });
  }

  /** Throws unless `token` carries our signature and has not expired (by the route's clock). */
  async verify(token: string): Promise<{ sub?: string; exp?: number }> {
    const known = this.verified.get(token);
    if (known) {
      // The signature was checked before (the key never changes); the expiry is checked every time,
      // as jose does (`exp <= now` in whole seconds), and answered with jose's code.
      if (typeof known.exp === "number" && known.exp <= Math.floor(this.clock.now() / 1000))
        throw new errors.JWTExpired('"exp" claim timestamp check failed', known, "exp", "check_failed");
      return known;
    }
    const { payload } = await jwtVerify(token, this.publicKey, {
      issuer: this.issuer,
      currentDate: new Date(this.clock.now()),
    });
    // ES256 verification was the largest item of the twin's CPU profile at concurrency 16 (WebCrypto,
    // per request); a test sends the same few tokens again and again. Bounded: cleared when full.
    if (this.verified.size >= 1000) this.verified.clear();
    this.verified.set(token, payload);
    return payload;
  }

  /** Tokens whose signature and issuer `verify` checked already, with their claims. */
  private readonly verified = new Map<string, JWTPayload>();

  /** Retires every refresh token handed out so far (the next refresh is rejected). */
  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
  }

  /** Issues a refresh token outside the grant, as a browser login would hand one over. */
  mintRefreshToken(user: MockUser): string {
    const token = `rt_${randomBytes(24).toString("base64url")}`;
    this.refreshTokens.set(token, user);
    this.remember(token);
    return token;
  }

  /** A fresh id token, refresh token and access token for `user`, as a sign-in hands them out. */
  async issueTokens(
    user: MockUser,
    keepRefreshToken?: string,
  ): Promise<{ id_token: string; access_token: string; refresh_token: string }> {
    const idToken = await this.sign(user);
    this.remember(idToken);
    return {
      access_token: `at_${randomBytes(16).toString("hex")}`,
      id_token: idToken,
      refresh_token: keepRefreshToken ?? this.mintRefreshToken(user),
    };
  }

  private remember(secret: string): void {
    if (this.issued.push(secret) > 10_000) this.issued.shift();
  }

  /** How many requests the `hang` mode holds open now (a client that gave up has closed its own). */
  get hangingRequests(): number {
    return this.hanging.size;
  }

  /**
   * Holds every grant (counted in `calls.total`, answered later) until the returned function is called:
   * lets a test line up racers, e.g. keep the first refresh open until every process has read the store.
   */
  pause(): () => void {
    let release = () => {};
    this.paused = new Promise<void>((resolve) => {
      release = resolve;
    });
    return () => {
      this.paused = undefined;
      release();
    };
  }

  /** Releases requests held open by the `hang` mode. */
  releaseHanging(): void {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }

  /** Answers `POST /token` (any query); returns false for every other request. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "POST" || path !== "/token") return false;
    void this.answer(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: "mock token route failed" });
    });
    return true;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.calls.total++;
    const body = await readJson(req);
    if (this.paused) await this.paused;
    switch (this.mode) {
      case "hang":
        this.hanging.add(res);
        res.on("close", () => this.hanging.delete(res));
        return;
      case "error500":
        return send(res, 500, { error: "internal", message: "the token service is down" });
      case "html":
        res.writeHead(502, { "content-type": "text/html" }).end("<html><body>502 Bad Gateway</body></html>");
        return;
      case "refuse":
        req.socket.destroy();
        return;
      default:
    }
    let user: MockUser | undefined;
    if (body?.type === "user_credentials") {
      this.calls.password++;
      user = this.users.find((u) => u.username === body.username && u.password === body.password);
      if (!user) {
        this.calls.rejected++;
        return send(res, 401, { error: "invalid_grant", error_description: "Wrong email or password." });
      }
    } else if (body?.type === "refresh_token") {
      this.calls.refresh++;
      const token = typeof body.refresh_token === "string" ? body.refresh_token : "";
      user = this.refreshTokens.get(token);
      if (!user) {
        this.calls.rejected++;
        return send(res, 403, {
          error: "invalid_grant",
          error_description: "Unknown or expired refresh token.",
        });
      }
      if (this.rotate) this.refreshTokens.delete(token);
    } else {
      return send(res, 400, {
        error: "invalid_request",
        error_description: 'type must be "user_credentials" or "refresh_token"',
      });
    }
    const refreshed = body.type === "refresh_token" ? String(body.refresh_token) : undefined;
    // Without a new refresh token in the answer, the one just used must stay valid, rotation or not.
    const kept = refreshed && (!this.rotate || this.mode === "no-refresh-token") ? refreshed : undefined;
    if (kept && user) this.refreshTokens.set(kept, user);
    const tokens = await this.issueTokens(user, kept);
    switch (this.mode) {
      case "no-id-token":
        return send(res, 200, { access_token: "opaque", refresh_token: tokens.refresh_token });
      case "no-refresh-token":
        return send(res, 200, { access_token: tokens.access_token, id_token: tokens.id_token });
      case "expired-at-issue":
        return send(res, 200, { ...tokens, id_token: await this.sign(user, -60) });
      case "far-exp":
        return send(res, 200, { ...tokens, id_token: await this.sign(user, 1e13) });
      default:
        return send(res, 200, tokens);
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    return value && typeof value === "object" ? value : undefined;
  } catch {
    return undefined;
  }
}
