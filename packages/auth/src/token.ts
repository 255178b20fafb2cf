import { systemClock } from "@dataloop-ts/core";
import { decodeJwt } from "jose";

/**
 * What the token route hands out; `idToken` is the Bearer JWT.
 * @example
 * ```ts
 * import { customAuth, type TokenSet } from "@dataloop-ts/auth";
 *
 * const fromVault = customAuth(async (): Promise<TokenSet> => {
 *   const response = await fetch("https://vault.example.com/dataloop-jwt");
 *   const { jwt } = (await response.json()) as { jwt: string };
 *   return { idToken: jwt };
 * });
 * ```
 */
export interface TokenSet {
  /** The JWT sent as `Authorization: Bearer …`. */
  idToken: string;
  /** The gateway's access token, kept as it came (the API takes `idToken`). */
  accessToken?: string;
  /** What renews the session without a login; a secret, never logged. */
  refreshToken?: string;
  /** ms since epoch, from the JWT's `exp`; undefined when unreadable (then: renew on 401 only). */
  expiresAt?: number;
}

/** A token set with its renewal time worked out once, so the per-request check is one comparison. */
export interface HeldToken extends TokenSet {
  /** ms since epoch after which the token is renewed before use; undefined = never ahead of time. */
  renewAt: number | undefined;
  /** `Bearer …`, built once. */
  header: string;
}

/** How far this machine's clock may be off the gateway's before expiry is counted from the issue time. */
export const CLOCK_TOLERANCE_MS = 60_000;

/** The latest time a JavaScript Date holds; an `exp` beyond it reads as "no readable expiry". */
const MAX_DATE_MS = 8.64e15;
const asTime = (seconds: unknown) =>
  typeof seconds === "number" && Number.isFinite(seconds) && Math.abs(seconds * 1000) <= MAX_DATE_MS
    ? seconds * 1000
    : undefined;

/**
 * Reads `exp` (and `iat`) of a JWT with jose, in ms; undefined for anything that is not a readable
 * JWT, and for times no Date can hold (an `exp` of 1e13 s would otherwise throw on every log line).
 * @example
 * ```ts
 * import { readExpiry } from "@dataloop-ts/auth";
 *
 * const { expiresAt } = readExpiry(process.env.DATALOOP_TOKEN ?? "");
 * console.log(expiresAt === undefined ? "no readable expiry" : new Date(expiresAt).toISOString());
 * ```
 */
export function readExpiry(jwt: string): { expiresAt?: number; issuedAt?: number } {
  try {
    const { exp, iat } = decodeJwt(jwt);
    const expiresAt = asTime(exp);
    const issuedAt = asTime(iat);
    return {
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      ...(issuedAt !== undefined ? { issuedAt } : {}),
    };
  } catch {
    return {};
  }
}

/** An ISO date for logs, or "unknown": never a RangeError. */
export const isoOrUnknown = (ms: number | undefined) =>
  ms !== undefined && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : "unknown";

/**
 * The claims of a JWT, decoded (not verified) with jose; `{}` for anything that is not a JWT.
 * @example
 * ```ts
 * import { readClaims } from "@dataloop-ts/auth";
 *
 * const claims = readClaims(process.env.DATALOOP_TOKEN ?? "");
 * console.log(claims.email ?? "not a JWT"); // decoded, not verified: for display only
 * ```
 */
export function readClaims(jwt: string): Record<string, unknown> {
  try {
    return decodeJwt(jwt);
  } catch {
    return {};
  }
}

/**
 * Renews `skewMs` before expiry, but never in the first half of a token's life: a token that lives
 * less than the skew would otherwise be renewed on every request. `tokens.expiresAt`, when set, is the
 * expiry in this machine's clock (see `inLocalTime`) and wins over the JWT's own `exp`.
 */
export function hold(tokens: TokenSet, skewMs: number, now = systemClock.now()): HeldToken {
  const jwt = readExpiry(tokens.idToken);
  const expiresAt = tokens.expiresAt ?? jwt.expiresAt;
  let renewAt: number | undefined;
  if (expiresAt !== undefined) {
    // The lifetime from the token's own two times when it has both: no clock but the gateway's in it.
    const lifetime =
      jwt.expiresAt !== undefined && jwt.issuedAt !== undefined
        ? jwt.expiresAt - jwt.issuedAt
        : expiresAt - Math.min(now, expiresAt);
    renewAt = expiresAt - Math.min(skewMs, Math.max(0, lifetime / 2));
  }
  return {
    ...tokens,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    renewAt,
    header: `Bearer ${tokens.idToken}`,
  };
}

/**
 * A token set just issued, with `expiresAt` in this machine's clock: now + (exp − iat) when the JWT says
 * when it was issued, so a clock that runs ahead of (or behind) the gateway's does not make every fresh
 * token look expired (or immortal). `clockOffsetMs` is how far this clock is ahead of the gateway's.
 * `expiredAtIssue` when the gateway's own times say the token was dead on arrival.
 */
export function inLocalTime(
  tokens: TokenSet,
  now = systemClock.now(),
): { tokens: TokenSet; clockOffsetMs: number | undefined; expiredAtIssue: boolean } {
  const { expiresAt, issuedAt } = readExpiry(tokens.idToken);
  if (expiresAt === undefined) {
    const { expiresAt: _none, ...rest } = tokens;
    return { tokens: rest, clockOffsetMs: undefined, expiredAtIssue: false };
  }
  if (issuedAt === undefined) {
    return { tokens: { ...tokens, expiresAt }, clockOffsetMs: undefined, expiredAtIssue: expiresAt <= now };
  }
  const clockOffsetMs = now - issuedAt;
  // Within a minute of the gateway's clock: its `exp` as it is. Beyond: the lifetime counted from now,
  // less the second `iat` may have been floored by, so that the token is renewed early, never late.
  const local =
    Math.abs(clockOffsetMs) <= CLOCK_TOLERANCE_MS ? expiresAt : now + (expiresAt - issuedAt) - 1_000;
  return { tokens: { ...tokens, expiresAt: local }, clockOffsetMs, expiredAtIssue: expiresAt <= issuedAt };
}
