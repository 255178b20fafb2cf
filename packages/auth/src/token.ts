import { decodeJwt } from "jose";

/** What the token route hands out; `idToken` is the Bearer JWT. */
export interface TokenSet {
  idToken: string;
  accessToken?: string;
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

/** Reads `exp` (and `iat`) of a JWT with jose; undefined for anything that is not a readable JWT. */
export function readExpiry(jwt: string): { expiresAt?: number; issuedAt?: number } {
  try {
    const { exp, iat } = decodeJwt(jwt);
    return {
      ...(typeof exp === "number" ? { expiresAt: exp * 1000 } : {}),
      ...(typeof iat === "number" ? { issuedAt: iat * 1000 } : {}),
    };
  } catch {
    return {};
  }
}

/** The claims of a JWT, decoded (not verified) with jose; `{}` for anything that is not a JWT. */
export function readClaims(jwt: string): Record<string, unknown> {
  try {
    return decodeJwt(jwt);
  } catch {
    return {};
  }
}

/**
 * Renews `skewMs` before expiry, but never in the first half of a token's life: a token that lives
 * less than the skew would otherwise be renewed on every request.
 */
export function hold(tokens: TokenSet, skewMs: number, now = Date.now()): HeldToken {
  const { expiresAt = tokens.expiresAt, issuedAt } = readExpiry(tokens.idToken);
  let renewAt: number | undefined;
  if (expiresAt !== undefined) {
    const lifetime = expiresAt - (issuedAt ?? Math.min(now, expiresAt));
    renewAt = expiresAt - Math.min(skewMs, Math.max(0, lifetime / 2));
  }
  return {
    ...tokens,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    renewAt,
    header: `Bearer ${tokens.idToken}`,
  };
}
