import type { RetryPolicy } from "@dataloop-ts/core";

export interface RetryOptions extends RetryPolicy {
  /** Retry non-idempotent methods too (POST, PATCH). Off by default: a retried POST may act twice. */
  retryNonIdempotent?: boolean;
  /** Statuses worth another try (default: 408, 429 and 5xx, as every retry of dataloop-ts). */
  statuses?: readonly number[];
}

/** Methods that act once however often they are sent (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);

/**
 * Non-idempotent routes the SDK knows are safe to send again: the DQL query is a read sent as a POST
 * (its filter does not fit a query string). Uploads mark themselves per call (`idempotent: true`),
 * since only their `mode=skip|overwrite` makes them so.
 */
const SAFE_ROUTES = new Set(["POST /datasets/{id}/query"]);

/** Whether a call may be sent again after a transient failure: its method, its route, or what it was told. */
export function safeToRetry(
  method: string,
  schemaPath: string,
  idempotent: boolean | undefined,
  options: RetryOptions,
): boolean {
  if (idempotent !== undefined) return idempotent;
  return (
    IDEMPOTENT.has(method) ||
    options.retryNonIdempotent === true ||
    SAFE_ROUTES.has(`${method} ${schemaPath}`)
  );
}
