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
import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import { errorMiddleware } from "./errors.js";
import type { paths } from "./generated/schema.js";
import { debugFromEnv, loggingMiddleware } from "./logging.js";
import { type RetryOptions, retryMiddleware } from "./retry.js";
import { deadlineFetch } from "./timeout.js";
import type { ThrowingClient } from "./types.js";

/** Every way in, as plain values; or a ready `Auth` / strategy from @dataloop-ts/auth. */
export type Credentials =
  | { email: string; password: string }
  | { apiKey: string }
  | { refreshToken: string }
  | { getToken: () => Promise<string> }
  | AuthStrategy
  | Auth;

export interface DataloopClientOptions
  extends Pick<AuthOptions, "skewMs" | "store" | "storeKey">,
    Omit<ClientOptions, "baseUrl"> {
  /** `prod` (default), `rc`, `dev`, `local`. */
  env?: "prod" | "rc" | "dev" | "local";
  /** Any other gateway origin (or its `/api/v1` base); wins over `env`. */
  gateUrl?: string;
  auth: Credentials;
  /** Retries of network errors, 429 and 5xx (idempotent methods only by default); `false` turns them off. */
  retry?: RetryOptions | false;
  /** Deadline of each attempt until the response's headers arrive, ms (default 60 000); `false` for none. */
  timeoutMs?: number | false;
  /** Longest silence while a response body streams in, ms (default 60 000); `false` for none. */
  bodyTimeoutMs?: number | false;
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
 */
export type DataloopClient<ThrowOnError extends boolean = true> = (ThrowOnError extends true
  ? ThrowingClient
  : Client<paths>) & {
  /** The session: `await client.auth.token()` gives the current JWT. */
  readonly auth: Auth;
  readonly gateUrl: string;
  /** `${gateUrl}/api/v1` (openapi-fetch's `baseUrl`) */
  readonly apiUrl: string;
};

const isAuth = (a: Credentials): a is Auth => typeof (a as Auth).middleware === "object";

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
 * A typed Dataloop client: every path, parameter and body checked by TypeScript; logged in, retried,
 * timed out and turned into typed errors by middleware, in this order:
 * logging → errors → auth → retry (requests); responses pass them in reverse. Timeouts wrap fetch.
 * @example
 * const dl = createDataloopClient({ auth: { email: "bot@org.ai", password } });
 * const { data: project } = await dl.GET("/projects/{projectId}", { params: { path: { projectId } } });
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
    throwOnError,
    logger: loggerOption,
    skewMs,
    store,
    storeKey,
    ...rest
  } = options;
  const gateUrl = resolveGate(gateOption ?? env ?? "prod");
  const logger = loggerOption ?? debugFromEnv();
  const auth = isAuth(credentials)
    ? credentials
    : createAuth(toStrategy(credentials), {
        gateUrl,
        ...(skewMs !== undefined ? { skewMs } : {}),
        ...(store ? { store } : {}),
        ...(storeKey ? { storeKey } : {}),
        ...(logger ? { logger } : {}),
        ...(rest.fetch ? { fetch: rest.fetch as typeof fetch } : {}),
      });
  const apiUrl = `${gateUrl}/api/v1`;
  const baseFetch = (rest.fetch as typeof fetch | undefined) ?? globalThis.fetch;
  const client = createClient<paths>({
    ...rest,
    baseUrl: apiUrl,
    fetch: deadlineFetch({ headersMs: timeoutMs ?? 60_000, bodyIdleMs: bodyTimeoutMs ?? 60_000 }, baseFetch),
  });
  // Errors first, logging second: answers pass them in reverse, so an error answer is logged ("←")
  // before it is thrown. Always: a failure without an answer becomes a DataloopConnectionError;
  // statuses throw unless told not to; bodies are redacted with every token the session knows.
  client.use(errorMiddleware({ throwOnStatus: throwOnError !== false, redact: (text) => auth.redact(text) }));
  if (logger?.debug) client.use(loggingMiddleware(logger));
  client.use(auth.middleware);
  if (retry !== false) client.use(retryMiddleware(retry ?? {}));
  return Object.assign(client, { auth, gateUrl, apiUrl }) as DataloopClient<boolean>;
}
