import {
  type Auth,
  type AuthOptions,
  type AuthStrategy,
  apiKeyAuth,
  createAuth,
  customAuth,
  passwordAuth,
  refreshTokenAuth,
  resolveGate,
} from "@dataloop-ts/auth";
import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import { errorMiddleware } from "./errors.js";
import type { paths } from "./generated/schema.js";
import { debugFromEnv, type LogFn, loggingMiddleware } from "./logging.js";
import { type RetryOptions, retryMiddleware } from "./retry.js";
import { timeoutFetch } from "./timeout.js";

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
  /** Deadline of each attempt until the response starts, ms (default 60 000); `false` for none. */
  timeoutMs?: number | false;
  /** Throw `DataloopApiError` on error statuses (default true); `false` keeps openapi-fetch's `{ error }`. */
  throwOnError?: boolean;
  /** A line logger (redacted); `DEBUG=dataloop` logs to stderr when none is given. */
  log?: LogFn;
}

export type DataloopClient = Client<paths> & {
  /** The session: `await client.auth.token()` gives the current JWT. */
  readonly auth: Auth;
  readonly gateUrl: string;
  /** `${gateUrl}/api/v1` */
  readonly baseUrl: string;
};

const isAuth = (a: Credentials): a is Auth => typeof (a as Auth).middleware === "object";
const isStrategy = (a: Credentials): a is AuthStrategy => typeof (a as AuthStrategy).kind === "string";

function toStrategy(credentials: Exclude<Credentials, Auth>): AuthStrategy {
  if (isStrategy(credentials)) return credentials;
  if ("email" in credentials) return passwordAuth(credentials);
  if ("apiKey" in credentials) return apiKeyAuth(credentials.apiKey);
  if ("refreshToken" in credentials) return refreshTokenAuth(credentials.refreshToken);
  if ("getToken" in credentials) return customAuth(credentials.getToken);
  throw new TypeError(
    "auth: give { email, password }, { apiKey }, { refreshToken }, { getToken } or an Auth.",
  );
}

/**
 * A typed Dataloop client: every path, parameter and body checked by TypeScript; logged in, retried,
 * timed out and turned into typed errors by middleware, in this order:
 * logging → errors → auth → retry (requests); responses pass them in reverse. Timeouts wrap fetch.
 * @example
 * const dl = createDataloopClient({ auth: { email: "bot@org.ai", password } });
 * const { data: project } = await dl.GET("/projects/{projectId}", { params: { path: { projectId } } });
 */
export function createDataloopClient(options: DataloopClientOptions): DataloopClient {
  const {
    env,
    gateUrl: gateOption,
    auth: credentials,
    retry,
    timeoutMs,
    throwOnError,
    log,
    skewMs,
    store,
    storeKey,
    ...rest
  } = options;
  const gateUrl = resolveGate(gateOption ?? env ?? "prod");
  const auth = isAuth(credentials)
    ? credentials
    : createAuth(toStrategy(credentials), {
        gate: gateUrl,
        ...(skewMs !== undefined ? { skewMs } : {}),
        ...(store ? { store } : {}),
        ...(storeKey ? { storeKey } : {}),
        ...(rest.fetch ? { fetch: rest.fetch as typeof fetch } : {}),
      });
  const baseUrl = `${gateUrl}/api/v1`;
  const baseFetch = (rest.fetch as typeof fetch | undefined) ?? globalThis.fetch;
  const client = createClient<paths>({
    ...rest,
    baseUrl,
    fetch: timeoutMs === false ? baseFetch : timeoutFetch(timeoutMs ?? 60_000, baseFetch),
  });
  const logger = log ?? debugFromEnv();
  if (logger) client.use(loggingMiddleware(logger));
  if (throwOnError !== false) client.use(errorMiddleware());
  client.use(auth.middleware);
  if (retry !== false) client.use(retryMiddleware(retry ?? {}));
  return Object.assign(client, { auth, gateUrl, baseUrl });
}
