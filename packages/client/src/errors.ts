import { DataloopError, redactTokens } from "@dataloop-ts/auth";
import { retryAfterMs } from "@dataloop-ts/core";

const REQUEST_ID_HEADERS = ["x-request-id", "x-dataloop-request-id", "x-amzn-trace-id", "traceparent"];

export interface DataloopApiErrorInit {
  status: number;
  method: string;
  /** The route as called, e.g. `/api/v1/projects/abc` (query string dropped). */
  path: string;
  /** The route's template, e.g. `/projects/{projectId}`. */
  route?: string | undefined;
  /** The parsed JSON body, or the text when it is not JSON. */
  body: unknown;
  requestId?: string | undefined;
  /** How long the gateway asked to wait before trying again (its `Retry-After`), ms. */
  retryAfterMs?: number | undefined;
}

/** What to do about an error status, in the terms of the gateway's answers. */
function hintFor(status: number): string {
  if (status === 400 || status === 422)
    return "The request does not match what the route takes: see `body` for the gateway's reasons.";
  if (status === 401)
    return "The token was refused: log in again (dataloop login), or check the gate URL's environment.";
  if (status === 403) return "The account lacks a role for this resource: check its project/org membership.";
  if (status === 404)
    return "Check the ids in the path: the resource does not exist, or this account cannot see it.";
  if (status === 409) return "The resource changed or already exists: read it again, then retry.";
  if (status === 429) return "Rate limited: retries wait for Retry-After; lower the concurrency.";
  if (status >= 500) return "The gateway failed: try again later; quote the request id when you report it.";
  return "See `body` for the gateway's answer.";
}

/** JWTs and Bearer credentials out of a body the gateway may have echoed them in. */
function redactBody(body: unknown): unknown {
  if (typeof body === "string") return redactTokens(body);
  if (body === null || typeof body !== "object") return body;
  const text = JSON.stringify(body);
  const clean = redactTokens(text);
  return clean === text ? body : JSON.parse(clean);
}

/**
 * The API answered with an error status. Carries what you need to act and to report it — never the
 * request's headers, and any token the body echoes is redacted.
 * @example
 * ```ts
 * import { createDataloopClient, DataloopApiError } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * try {
 *   await dl.DELETE("/projects/{projectId}", { params: { path: { projectId: "nope" } } });
 * } catch (e) {
 *   if (e instanceof DataloopApiError) console.log(e.code, e.status, e.route, e.requestId, e.body, e.hint);
 *   else throw e;
 * }
 * ```
 */
export class DataloopApiError extends DataloopError {
  static override readonly code = "API_ERROR" as const;
  override name = "DataloopApiError";
  override readonly code = "API_ERROR" as const;
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly route: string | undefined;
  readonly body: unknown;
  readonly requestId: string | undefined;
  /** The gateway's `Retry-After` (on a 429 or 503), ms: what a retry of your own should wait. */
  readonly retryAfterMs: number | undefined;

  constructor(init: DataloopApiErrorInit) {
    const { status, method, path, requestId } = init;
    const body = redactBody(init.body);
    super({
      message: redactTokens(
        `${method} ${path} failed with HTTP ${status}${summary(body)}${requestId ? ` (request id ${requestId})` : ""}`,
      ),
      hint: hintFor(status),
    });
    this.status = status;
    this.method = method;
    this.path = path;
    this.route = init.route;
    this.body = body;
    this.requestId = requestId;
    this.retryAfterMs = init.retryAfterMs;
  }

  override toJSON(): Record<string, unknown> {
    const { status, method, path, route, requestId, retryAfterMs, body } = this;
    return { ...super.toJSON(), status, method, path, route, requestId, retryAfterMs, body };
  }
}

/**
 * The client option whose deadline ran out.
 * @example
 * ```ts
 * import { DataloopConnectionError, type DeadlineOption } from "@dataloop-ts/client";
 *
 * function explain(e: unknown): string {
 *   if (!(e instanceof DataloopConnectionError) || e.kind !== "timeout") return "not a deadline";
 *   const option: DeadlineOption | undefined = e.deadline; // "timeoutMs" | "bodyTimeoutMs" | "totalTimeoutMs"
 *   return `raise ${option}`;
 * }
 * console.log(explain(new Error("x")));
 * ```
 */
export type DeadlineOption = "timeoutMs" | "bodyTimeoutMs" | "totalTimeoutMs";

export interface DataloopConnectionErrorInit {
  kind: "timeout" | "network" | "aborted";
  method: string;
  path: string;
  /** For a timeout: the option whose deadline ran out. */
  deadline?: DeadlineOption | undefined;
  cause?: unknown;
}

const DEADLINE_HINTS: Record<DeadlineOption, string> = {
  timeoutMs:
    "The gateway did not answer in time (no response headers within timeoutMs, counted from the last byte sent): raise timeoutMs, or try again later.",
  bodyTimeoutMs:
    "The response body stalled (no byte for bodyTimeoutMs): raise bodyTimeoutMs, or try again later.",
  totalTimeoutMs:
    "The call, its retries included, outlived totalTimeoutMs: raise totalTimeoutMs, or try again later.",
};

/**
 * The request never got an answer: network failure, or a deadline ran out, or the caller aborted it.
 * @example
 * ```ts
 * import { createDataloopClient, DataloopConnectionError } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ gateUrl: "http://127.0.0.1:9", auth: { apiKey: "…" }, retry: false });
 * try {
 *   await dl.GET("/users/me", { timeoutMs: 5_000 });
 * } catch (e) {
 *   if (e instanceof DataloopConnectionError) console.log(e.code, e.kind, e.deadline, e.hint); // kind: timeout | network | aborted
 * }
 * ```
 */
export class DataloopConnectionError extends DataloopError {
  static override readonly code = "CONNECTION_ERROR" as const;
  override name = "DataloopConnectionError";
  override readonly code = "CONNECTION_ERROR" as const;
  readonly kind: "timeout" | "network" | "aborted";
  readonly method: string;
  readonly path: string;
  /** For a timeout: which option's deadline ran out (`timeoutMs`, `bodyTimeoutMs`, `totalTimeoutMs`). */
  readonly deadline: DeadlineOption | undefined;

  constructor(init: DataloopConnectionErrorInit) {
    const { kind, method, path, deadline } = init;
    super({
      message:
        kind === "timeout"
          ? `${method} ${path} timed out${deadline ? ` (${deadline})` : ""}`
          : kind === "aborted"
            ? `${method} ${path} was aborted by the caller`
            : `${method} ${path} could not reach the gateway`,
      hint:
        kind === "timeout"
          ? DEADLINE_HINTS[deadline ?? "timeoutMs"]
          : kind === "aborted"
            ? "Your signal aborted the request."
            : "Check the network and the gate URL; retries already ran for requests safe to send again.",
      cause: init.cause,
    });
    this.kind = kind;
    this.method = method;
    this.path = path;
    this.deadline = deadline;
  }

  override toJSON(): Record<string, unknown> {
    const { kind, method, path, deadline } = this;
    return { ...super.toJSON(), kind, method, path, deadline };
  }
}

/**
 * A success status whose body is not what the route answers (JSON that does not parse).
 * @example
 * ```ts
 * import { createDataloopClient, DataloopResponseError } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * try {
 *   await dl.GET("/users/me");
 * } catch (e) {
 *   if (e instanceof DataloopResponseError) console.log(e.code, e.message); // "MALFORMED_RESPONSE"
 * }
 * ```
 */
export class DataloopResponseError extends DataloopError {
  static override readonly code = "MALFORMED_RESPONSE" as const;
  override name = "DataloopResponseError";
  override readonly code = "MALFORMED_RESPONSE" as const;
  readonly status: number;
  readonly method: string;
  readonly path: string;

  constructor(init: { status: number; method: string; path: string; reason: string; cause?: unknown }) {
    const { status, method, path } = init;
    super({
      message: `${method} ${path} answered HTTP ${status} with a malformed body: ${init.reason}`,
      hint: "The gateway (or a proxy in front of it) sent a broken answer: try again; if it persists, report it with the path.",
      cause: init.cause,
    });
    this.status = status;
    this.method = method;
    this.path = path;
  }

  override toJSON(): Record<string, unknown> {
    const { status, method, path } = this;
    return { ...super.toJSON(), status, method, path };
  }
}

function summary(body: unknown): string {
  const b = body as { message?: unknown; error?: unknown; title?: unknown } | undefined;
  const text = typeof b === "string" ? b : (b?.message ?? b?.error ?? b?.title);
  return typeof text === "string" && text ? `: ${text.slice(0, 200)}` : "";
}

/** The path of a URL (`/api/v1/…`), the query string dropped: what errors name. */
export function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const end = url.search(/[?#]/);
  return end < 0 ? url.slice(start) : url.slice(start, end);
}

/** An error status as the error a user sees: the body redacted before it is parsed. */
export function apiErrorOf(init: {
  status: number;
  method: string;
  url: string;
  route: string;
  text: string;
  header: (name: string) => string | null;
  redact: (text: string) => string;
}): DataloopApiError {
  // Redacted before it is parsed: a body that echoes a token (a JWT, or an opaque one the session
  // knows) keeps it out of `body`, `message`, `stack`, `toJSON()` and `util.inspect` alike.
  const text = init.redact(init.text);
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {}
  const requestId = REQUEST_ID_HEADERS.map((h) => init.header(h)).find(Boolean) ?? undefined;
  return new DataloopApiError({
    status: init.status,
    method: init.method,
    path: pathOf(init.url),
    route: init.route,
    body,
    requestId,
    retryAfterMs: retryAfterMs(init.header("retry-after")),
  });
}

/**
 * A path parameter whose value is empty, `.`, `..` (or not well-formed text, which no URL carries): sent, it names another route (`DELETE
 * /datasets/d1/items/..` is `DELETE /datasets/d1` once a proxy, a server or `fetch` resolves the dot
 * segment — as the URL standard does, `%2E%2E` too — and `…/items/` is `…/items` to a router that ignores
 * a trailing slash), so it is refused before a request is made.
 * @example
 * ```ts
 * import { createDataloopClient, UnsafePathParameterError } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * try {
 *   await dl.DELETE("/items/{id}", { params: { path: { id: ".." } } });
 * } catch (error) {
 *   if (error instanceof UnsafePathParameterError) console.log(error.code, error.parameter, error.route);
 * }
 * ```
 */
export class UnsafePathParameterError extends DataloopError {
  static override readonly code = "UNSAFE_PATH_PARAMETER" as const;
  override name = "UnsafePathParameterError";
  override readonly code = "UNSAFE_PATH_PARAMETER" as const;
  /** The parameter's name, e.g. `id`. */
  readonly parameter: string;
  /** The route's template, e.g. `/datasets/{datasetId}/items/{id}`. */
  readonly route: string;

  constructor(init: { parameter: string; route: string; value: string }) {
    super({
      message: `Path parameter ${init.parameter} of ${init.route} is ${JSON.stringify(init.value)}: ${
        /\p{Cs}/u.test(init.value)
          ? "text a URL cannot carry (a lone UTF-16 surrogate)"
          : "that would name another route"
      }.`,
      hint: "Pass the resource's id: an empty value, `.`, `..` or a string with a lone surrogate is never one.",
    });
    this.parameter = init.parameter;
    this.route = init.route;
  }
}
