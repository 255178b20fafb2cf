import { printable } from "@dataloop-ts/core";
import {
  BadCredentialsError,
  MalformedTokenResponseError,
  RefreshRejectedError,
  TokenEndpointError,
  TokenEndpointTimeoutError,
  TokenEndpointUnreachableError,
} from "./errors.js";
import type { TokenSet } from "./token.js";

/**
 * How one call to the token route is made: its timeout, the `fetch` it uses, a signal to abort it.
 * @example
 * ```ts
 * import { type GrantOptions, passwordGrant } from "@dataloop-ts/auth";
 *
 * const options: GrantOptions = { timeoutMs: 5_000, signal: AbortSignal.timeout(30_000) };
 * const tokens = await passwordGrant("https://gate.dataloop.ai", "bot@example.com", "…", options);
 * ```
 */
export interface GrantOptions {
  /** Per-call timeout, ms (default 10 000). */
  timeoutMs?: number;
  /** The fetch to call (default: the global one): a proxy agent's, or a test's. */
  fetch?: typeof fetch;
  /** Aborts the call (with the timeout, whichever comes first). */
  signal?: AbortSignal;
}

type GrantBody =
  | { type: "user_credentials"; username: string; password: string }
  | { type: "refresh_token"; refresh_token: string };

/** `POST {gate}/token?default`: the gateway's one token route, for both grants. */
export async function requestToken(
  gateUrl: string,
  body: GrantBody,
  options: GrantOptions = {},
): Promise<TokenSet> {
  const { timeoutMs = 10_000, fetch: doFetch = globalThis.fetch } = options;
  const url = `${gateUrl.replace(/\/+$/, "")}/token?default`;
  // A timer of the platform's (not AbortSignal.timeout, whose timer is internal): vitest's fake timers
  // drive it, so that tests of a hanging token route advance time instead of waiting for it.
  const deadline = new AbortController();
  const timeout = deadline.signal;
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  (timer as { unref?: () => void }).unref?.();
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const what = body.type === "refresh_token" ? "refresh" : "login";
  let response: Response;
  let text: string;
  try {
    response = await doFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      signal,
    });
    text = await response.text();
  } catch (error) {
    if (timeout.aborted) {
      throw new TokenEndpointTimeoutError({
        message: `The token route ${url} did not answer the ${what} within ${timeoutMs} ms.`,
        hint: "Check that the gate URL is right and reachable; raise timeoutMs on a slow network.",
      });
    }
    if (options.signal?.aborted) throw options.signal.reason;
    throw new TokenEndpointUnreachableError({
      message: `Cannot reach the token route ${url} (${networkReason(error)}).`,
      hint: "Check the gate URL (env/gateUrl) and your network.",
    });
  } finally {
    clearTimeout(timer);
  }
  const status = response.status;
  if (status === 400 || status === 401 || status === 403) {
    if (body.type === "refresh_token") {
      throw new RefreshRejectedError({
        message: `The gateway refused the refresh token (HTTP ${status}).`,
        hint: "Log in again: the refresh token expired, was revoked, or was already used.",
        status,
      });
    }
    throw new BadCredentialsError({
      message: `The gateway refused the credentials for ${printable(body.username)} (HTTP ${status}).`,
      hint: "Check the email and password (for a bot: the credentials printed when it was created).",
      status,
    });
  }
  if (status < 200 || status > 299) {
    throw new TokenEndpointError({
      message: `The token route answered the ${what} with HTTP ${status}.`,
      hint:
        status >= 500
          ? "The gateway is failing; try again later."
          : "Check the gate URL: this is not a Dataloop gateway.",
      status,
    });
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch {
    throw new MalformedTokenResponseError({
      message: `The token route answered the ${what} with HTTP ${status} but not JSON (${describeContentType(response)}).`,
      hint: "Check the gate URL: it must be the gateway origin (e.g. https://gate.dataloop.ai), not a web page.",
      status,
    });
  }
  if (!json || typeof json.id_token !== "string" || json.id_token === "") {
    throw new MalformedTokenResponseError({
      message: `The token route answered the ${what} without an id_token (fields: ${Object.keys(json ?? {}).join(", ") || "none"}).`,
      hint: "Check the gate URL; if it is right, the gateway's token API changed: report it.",
      status,
    });
  }
  return {
    idToken: json.id_token,
    ...(typeof json.access_token === "string" ? { accessToken: json.access_token } : {}),
    // The gateway may or may not rotate the refresh token: keep the new one when it comes.
    ...(typeof json.refresh_token === "string" && json.refresh_token
      ? { refreshToken: json.refresh_token }
      : {}),
  };
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string } })?.cause;
  return cause?.code ?? (error instanceof Error ? error.message : "network error");
}

function describeContentType(response: Response): string {
  return response.headers.get("content-type")?.split(";")[0] ?? "no content-type";
}

/**
 * One login at the token route (`POST {gate}/token?default`, `user_credentials`): a user's or a bot's
 * email and password for a token set. Most code wants {@link passwordAuth}, which also refreshes.
 * Rejects with `BadCredentialsError`, `TokenEndpointTimeoutError`, `TokenEndpointUnreachableError`,
 * `TokenEndpointError` or `MalformedTokenResponseError`.
 * @example
 * ```ts
 * import { passwordGrant } from "@dataloop-ts/auth";
 *
 * const tokens = await passwordGrant("https://gate.dataloop.ai", "bot@example.com", process.env.DATALOOP_PASSWORD ?? "");
 * console.log(tokens.expiresAt, tokens.refreshToken !== undefined);
 * ```
 */
export const passwordGrant = (gateUrl: string, username: string, password: string, options?: GrantOptions) =>
  requestToken(gateUrl, { type: "user_credentials", username, password }, options);

/**
 * One refresh at the token route (`refresh_token`): a fresh token set for a refresh token. Rejects
 * with `RefreshRejectedError` when the gateway refuses it (expired, revoked, already used), and as
 * {@link passwordGrant} otherwise.
 * @example
 * ```ts
 * import { refreshGrant } from "@dataloop-ts/auth";
 *
 * const tokens = await refreshGrant("https://gate.dataloop.ai", process.env.DATALOOP_REFRESH_TOKEN ?? "");
 * ```
 */
export const refreshGrant = (gateUrl: string, refreshToken: string, options?: GrantOptions) =>
  requestToken(gateUrl, { type: "refresh_token", refresh_token: refreshToken }, options);
