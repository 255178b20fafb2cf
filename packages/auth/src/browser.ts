import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { escapeHtml, htmlPage } from "@dataloop-ts/core";
import { resolveGate } from "./env.js";
import { BrowserLoginError, BrowserLoginTimeoutError } from "./errors.js";
import { type AuthStrategy, defineStrategy } from "./strategies.js";
import { readExpiry, type TokenSet } from "./token.js";

/**
 * How {@link browserLogin} and {@link browserAuth} show the login page, and how long they wait.
 * @example
 * ```ts
 * import type { BrowserLoginOptions } from "@dataloop-ts/auth/node";
 *
 * const options: BrowserLoginOptions = {
 *   open: (url) => console.error(`Sign in at ${url}`),
 *   timeoutMs: 120_000,
 *   signal: AbortSignal.timeout(150_000),
 * };
 * ```
 */
export interface BrowserLoginOptions {
  /**
   * Shows the login page to the user: open `url` in a browser (the `dataloop` CLI uses the `open`
   * package), or print it. It may throw: the login still waits for someone to visit the URL.
   */
  open(url: string): void | Promise<void>;
  /** How long to wait for the browser's redirect (default 5 min). */
  timeoutMs?: number;
  /** Loopback port of the callback server (default: a free one). */
  port?: number;
  /** Gives up waiting (rejects with the signal's reason) and closes the callback server. */
  signal?: AbortSignal;
}

/** `text` is escaped here, and cut: it may come from the callback's query. */
const page = (title: string, text: string) => htmlPage(title, `<p>${escapeHtml(text.slice(0, 300))}</p>`);

function answer(res: ServerResponse, status: number, html: string): void {
  res
    .writeHead(status, {
      "content-type": "text/html; charset=utf-8",
      // The tokens are in this page's URL: keep it out of caches and of the next site's Referer.
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      connection: "close",
    })
    .end(html);
}

/**
 * The website login: a loopback server receives the gateway's redirect to
 * `http://localhost:PORT/?id_token=…&access_token=…&refresh_token=…` after the user signs in at
 * `{gate}/login?callback=http://localhost:PORT`.
 * Rejects with `BrowserLoginTimeoutError` when nobody signs in within `timeoutMs`, and with
 * `BrowserLoginError` when the redirect carries an error or no tokens.
 * @example
 * ```ts
 * import { browserLogin } from "@dataloop-ts/auth/node";
 *
 * const tokens = await browserLogin("prod", { open: (url) => console.error(`Open ${url}`) });
 * console.log(tokens.expiresAt); // ms since the epoch, read from the JWT
 * ```
 */
export async function browserLogin(envOrGateUrl: string, options: BrowserLoginOptions): Promise<TokenSet> {
  const gateUrl = resolveGate(envOrGateUrl);
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  let settle!: { resolve: (t: TokenSet) => void; reject: (e: unknown) => void };
  const result = new Promise<TokenSet>((resolve, reject) => {
    settle = { resolve, reject };
  });
  result.catch(() => {}); // observed below; this only stops an early failure counting as unhandled
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const q = url.searchParams;
    // Any path: gateways differ on whether they keep the callback's path; never the browser's icon.
    if (req.method !== "GET" || url.pathname === "/favicon.ico")
      return answer(res, 404, page("Not found", ""));
    const error = q.get("error");
    if (error) {
      const why = q.get("error_description") ?? error;
      answer(res, 400, page("Login failed", `The gateway said: ${why}. Return to the terminal.`));
      settle.reject(
        new BrowserLoginError({
          message: `The browser login failed: ${q.get("error_description") ?? error}`.slice(0, 300),
          hint: "Try again, or log in with --email/--password-stdin or --api-key.",
        }),
      );
      return;
    }
    const idToken = q.get("id_token") ?? "";
    if (readExpiry(idToken).expiresAt === undefined) {
      // A stray visit (or a mangled redirect) must not end the wait: the real one may still come.
      answer(res, 400, page("Waiting for the Dataloop login", "This address only takes the login redirect."));
      return;
    }
    const tokens: TokenSet = { idToken };
    const refreshToken = q.get("refresh_token");
    const accessToken = q.get("access_token");
    if (refreshToken) tokens.refreshToken = refreshToken;
    if (accessToken) tokens.accessToken = accessToken;
    answer(res, 200, page("Logged in", `You are logged in to ${gateUrl}. You can close this tab.`));
    settle.resolve(tokens);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) =>
      reject(
        new BrowserLoginError({
          message: `Could not listen on 127.0.0.1:${options.port ?? 0} for the login callback (${error.message}).`,
          hint: "Choose another port, or log in with --email/--password-stdin or --api-key.",
          cause: error,
        }),
      ),
    );
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const loginUrl = `${gateUrl}/login?callback=${encodeURIComponent(`http://localhost:${port}`)}`;
  const timer = setTimeout(
    () =>
      settle.reject(
        new BrowserLoginTimeoutError({
          message: `No login arrived from the browser within ${Math.round(timeoutMs / 1000)} s.`,
          hint: `Open ${loginUrl} and sign in, or log in with --email/--password-stdin or --api-key.`,
        }),
      ),
    timeoutMs,
  );
  const onAbort = () => settle.reject(options.signal?.reason ?? new Error("aborted"));
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  try {
    // Not awaited: an opener that blocks (or a browser that never exits) must not hold the login.
    void Promise.resolve()
      .then(() => options.open(loginUrl))
      .catch(() => {}); // no browser: the user opens the URL by hand
    return await result;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    // Let the success page reach the browser before the sockets go.
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      setTimeout(() => server.closeAllConnections(), 100).unref();
    });
  }
}

/**
 * The website login as a session strategy: the first `token()` (and a refused refresh) opens the
 * browser; afterwards the refresh token keeps the session alive.
 * @example
 * ```ts
 * import { createAuth } from "@dataloop-ts/auth";
 * import { browserAuth, fileStore } from "@dataloop-ts/auth/node";
 *
 * const auth = createAuth(browserAuth({ open: (url) => console.error(`Sign in at ${url}`) }), {
 *   env: "prod",
 *   store: fileStore(`${process.env.HOME}/.dataloop`),
 * });
 * const jwt = await auth.token();
 * ```
 */
export function browserAuth(options: BrowserLoginOptions): AuthStrategy {
  return defineStrategy({
    identity: "browser login",
    secrets: [],
    login: (gateUrl) => browserLogin(gateUrl, options),
  });
}
