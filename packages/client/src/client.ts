import {
  type Auth,
  type AuthOptions,
  type AuthStrategy,
  createAuth,
  customAuth,
  isAuthStrategy,
  type Logger,
  passwordAuth,
  refreshTokenAuth,
  resolveGate,
  tokenAuth,
} from "@dataloop-ts/auth";
import { InvalidArgumentError } from "@dataloop-ts/core";
import type { ClientOptions, Middleware } from "openapi-fetch";
// The transport of this platform: undici's dispatcher on Node, `fetch` elsewhere (the package's
// `imports` map picks it by export condition, so browser bundles never carry undici).
import { platformTransport } from "#transport";
import { debugFromEnv } from "./logging.js";
import { type CallInit, type LoopSettings, runCall } from "./loop.js";
import type { RetryOptions } from "./retry.js";
import { fetchTransport } from "./transport-fetch.js";
import type { ResultClient, ThrowingClient } from "./types.js";

/**
 * Every way in, as plain values; or a ready `Auth` / strategy from @dataloop-ts/auth.
 * @example
 * ```ts
 * import { type Credentials, createDataloopClient } from "@dataloop-ts/client";
 *
 * const auth: Credentials = process.env.DATALOOP_API_KEY
 *   ? { apiKey: process.env.DATALOOP_API_KEY }
 *   : { email: "bot@org.ai", password: process.env.DATALOOP_PASSWORD ?? "" };
 * const dl = createDataloopClient({ env: "rc", auth });
 * ```
 */
export type Credentials =
  | { email: string; password: string }
  | { apiKey: string }
  | { refreshToken: string }
  | { getToken: () => Promise<string> }
  | AuthStrategy
  | Auth;

/**
 * The options of `createDataloopClient`: the gate (`env` or `gateUrl`), the credentials, and the defaults of every call (retries, deadlines in ms, `throwOnError`, the logger).
 * @example
 * ```ts
 * import { createDataloopClient, type DataloopClientOptions } from "@dataloop-ts/client";
 *
 * const options: DataloopClientOptions = {
 *   gateUrl: "http://127.0.0.1:18081",
 *   auth: { apiKey: "…" },
 *   retry: { attempts: 5, maxDelayMs: 10_000 },
 *   timeoutMs: 30_000,
 *   totalTimeoutMs: 120_000,
 *   logger: console,
 * };
 * const dl = createDataloopClient(options);
 * ```
 */
export interface DataloopClientOptions
  extends Pick<AuthOptions, "skewMs" | "store" | "storeKey" | "clock">,
    Omit<ClientOptions, "baseUrl"> {
  /** `prod` (default), `rc`, `dev`, `local`. */
  env?: "prod" | "rc" | "dev" | "local";
  /** Any other gateway origin (or its `/api/v1` base); wins over `env`. */
  gateUrl?: string;
  auth: Credentials;
  /**
   * Retries of network errors, 408, 429 and 5xx, for calls safe to send again (idempotent methods, the
   * DQL query, uploads); `false` turns them off, for every call (a call may say otherwise: `retry`).
   */
  retry?: RetryOptions | false;
  /**
   * Deadline of each attempt until the response's headers arrive, counted from the last byte of the
   * request sent (an upload is not cut off for its sending), ms (default 60 000); `false` for none.
   */
  timeoutMs?: number | false;
  /** Longest silence while a response body streams in, ms (default 60 000); `false` for none. */
  bodyTimeoutMs?: number | false;
  /** Deadline of a whole call, its retries and waits included, ms (default: none). */
  totalTimeoutMs?: number | false;
  /** Throw `DataloopApiError` on error statuses (default true); `false` keeps openapi-fetch's `{ error }`. */
  throwOnError?: boolean;
  /**
   * Where requests, answers and token renewals are logged, every line redacted (`console` will do);
   * `DEBUG=dataloop` logs to stderr when none is given.
   */
  logger?: Logger;
}

/**
 * The typed client. With `throwOnError` (the default) error statuses throw `DataloopApiError`, so a
 * call that returns has `data`; with `throwOnError: false` it is openapi-fetch's `{ data } | { error }`.
 * @example
 * ```ts
 * import { createDataloopClient, type DataloopClient } from "@dataloop-ts/client";
 *
 * const dl: DataloopClient = createDataloopClient({ auth: { apiKey: "…" } });
 * const { data: me } = await dl.GET("/users/me"); // `data` is there: error statuses throw
 * console.log(me, dl.apiUrl, await dl.auth.token());
 * ```
 */
export type DataloopClient<ThrowOnError extends boolean = true> = (ThrowOnError extends true
  ? ThrowingClient
  : ResultClient) & {
  /** The session: `await client.auth.token()` gives the current JWT. */
  readonly auth: Auth;
  readonly gateUrl: string;
  /** `${gateUrl}/api/v1` (openapi-fetch's `baseUrl`) */
  readonly apiUrl: string;
};

const isAuth = (a: Credentials): a is Auth =>
  typeof (a as Auth).token === "function" && typeof (a as Auth).rejected === "function";

function toStrategy(credentials: Exclude<Credentials, Auth>): AuthStrategy {
  if (isAuthStrategy(credentials)) return credentials;
  if ("email" in credentials) return passwordAuth(credentials);
  if ("apiKey" in credentials) return tokenAuth(credentials.apiKey, "api-key");
  if ("refreshToken" in credentials) return refreshTokenAuth(credentials.refreshToken);
  if ("getToken" in credentials) return customAuth(credentials.getToken);
  throw new InvalidArgumentError({
    message: "auth is none of the ways in.",
    hint: "Give { email, password }, { apiKey }, { refreshToken }, { getToken }, a strategy or an Auth.",
  });
}

/**
 * A typed Dataloop client: every path, parameter and body checked by TypeScript. Every call goes through
 * one loop (`runCall`): a token per attempt (renewed once after a 401), retries with one budget per call,
 * deadlines per attempt and per call, typed errors; your middleware (`dl.use`) sees every attempt.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { email: "bot@org.ai", password: process.env.DATALOOP_PASSWORD ?? "" } });
 * const projectId = "64f0c1a2b3c4d5e6f7a8b9c0";
 * const { data: project } = await dl.GET("/projects/{projectId}", { params: { path: { projectId } } });
 * console.log(project.name);
 * ```
 */
export function createDataloopClient(
  options: DataloopClientOptions & { throwOnError?: true },
): DataloopClient;
export function createDataloopClient(
  options: DataloopClientOptions & { throwOnError: false },
): DataloopClient<false>;
// Not known to be true (a variable): typed as openapi-fetch's client, whose `data` may be missing.
export function createDataloopClient(options: DataloopClientOptions): DataloopClient<false>;
export function createDataloopClient(options: DataloopClientOptions): DataloopClient<boolean> {
  const {
    env,
    gateUrl: gateOption,
    auth: credentials,
    retry,
    timeoutMs,
    bodyTimeoutMs,
    totalTimeoutMs,
    throwOnError,
    logger: loggerOption,
    skewMs,
    store,
    storeKey,
    clock,
    ...rest
  } = options;
  const gateUrl = resolveGate(gateOption ?? env ?? "prod");
  const logger = loggerOption ?? debugFromEnv();
  const auth = isAuth(credentials)
    ? credentials
    : createAuth(toStrategy(credentials), {
        gateUrl,
        ...(skewMs !== undefined ? { skewMs } : {}),
        ...(clock ? { clock } : {}),
        ...(store ? { store } : {}),
        ...(storeKey ? { storeKey } : {}),
        ...(logger ? { logger } : {}),
        ...(rest.fetch ? { fetch: rest.fetch as typeof fetch } : {}),
      });
  const apiUrl = `${gateUrl}/api/v1`;
  const {
    fetch: ownFetch,
    headers,
    querySerializer,
    bodySerializer,
    pathSerializer,
    baseUrl: _ignored,
  } = rest as ClientOptions;
  const middleware: Middleware[] = [];
  const settings: LoopSettings = {
    baseUrl: apiUrl,
    auth,
    // A fetch of your own is used as it is (openapi-fetch's contract): through the fetch transport.
    transport: ownFetch ? fetchTransport(ownFetch as typeof fetch, true) : platformTransport(),
    fetch: (ownFetch as typeof fetch | undefined) ?? globalThis.fetch,
    middleware,
    retry: retry ?? {},
    timeoutMs: timeoutMs ?? 60_000,
    bodyTimeoutMs: bodyTimeoutMs ?? 60_000,
    totalTimeoutMs: totalTimeoutMs ?? false,
    throwOnError: throwOnError !== false,
    headers,
    querySerializer: querySerializer as LoopSettings["querySerializer"],
    bodySerializer: bodySerializer as LoopSettings["bodySerializer"],
    pathSerializer,
    log: logger?.debug ? (line) => logger.debug?.(auth.redact(line)) : undefined,
  };
  const method =
    (name: string) =>
    (url: string, init?: CallInit): Promise<unknown> =>
      runCall(settings, name, url, init);
  const client = {
    GET: method("GET"),
    PUT: method("PUT"),
    POST: method("POST"),
    DELETE: method("DELETE"),
    OPTIONS: method("OPTIONS"),
    HEAD: method("HEAD"),
    PATCH: method("PATCH"),
    TRACE: method("TRACE"),
    request: (name: string, url: string, init?: CallInit) => runCall(settings, name.toUpperCase(), url, init),
    /** Your middleware: it sees every attempt's `Request` and `Response` (openapi-fetch's hooks). */
    use(...added: Middleware[]) {
      for (const m of added) {
        if (!m) continue;
        if (typeof m !== "object" || !("onRequest" in m || "onResponse" in m || "onError" in m))
          throw new InvalidArgumentError({
            message: "A middleware must be an object with onRequest, onResponse or onError.",
            hint: "Pass { onRequest({ request }) { … } } (openapi-fetch's middleware).",
          });
        middleware.push(m);
      }
    },
    eject(...removed: Middleware[]) {
      for (const m of removed) {
        const at = middleware.indexOf(m);
        if (at !== -1) middleware.splice(at, 1);
      }
    },
    auth,
    gateUrl,
    apiUrl,
  };
  return client as unknown as DataloopClient<boolean>;
}
