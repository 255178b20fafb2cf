import { backoffMs, isTransientStatus, retryAfterMs, sleep } from "@dataloop-ts/core";
import {
  type BodySerializer,
  createQuerySerializer,
  defaultBodySerializer,
  defaultPathSerializer,
  type HeadersOptions,
  type MergedOptions,
  type Middleware,
  mergeHeaders,
  type ParseAs,
  type PathSerializer,
  type QuerySerializer,
  type QuerySerializerOptions,
  removeTrailingSlash,
} from "openapi-fetch";
import { BodySource, type MadeBody } from "./body.js";
import { apiErrorOf, type DataloopApiError, DataloopResponseError, pathOf } from "./errors.js";
import { finalUrl } from "./final-url.js";
import { type RetryOptions, safeToRetry } from "./retry.js";
import {
  type Answer,
  DeadlineExceeded,
  failureOf,
  type Transport,
  type TransportRequest,
} from "./transport.js";
import { fetchTransport } from "./transport-fetch.js";
import { answerOf, attemptThroughMiddleware } from "./user-middleware.js";

/**
 * Options of one call, beside openapi-fetch's own (`params`, `body`, `parseAs`, `headers`…).
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * // Beside openapi-fetch's params and body: this call's retries, deadlines, signal, idempotency.
 * const { data } = await dl.POST("/projects", {
 *   body: { name: "demo" },
 *   idempotent: false,
 *   retry: { attempts: 2 },
 *   timeoutMs: 10_000,
 *   totalTimeoutMs: 30_000,
 *   signal: AbortSignal.timeout(60_000),
 * });
 * console.log(data);
 * ```
 */
export interface CallOptions {
  /** This call's retries (merged over the client's), or `false`: one attempt. */
  retry?: RetryOptions | false;
  /** No response headers this long after the request was sent, ms; `false` for none. */
  timeoutMs?: number | false;
  /** The longest silence while the response body streams in, ms; `false` for none. */
  bodyTimeoutMs?: number | false;
  /** The whole call, retries and waits included, ms; `false` for none (the default). */
  totalTimeoutMs?: number | false;
  signal?: AbortSignal;
  /**
   * The call is safe to send again (`true`) whatever its method, or must not be (`false`). Unset, the
   * method decides (GET, HEAD, OPTIONS, PUT, DELETE), and the SDK's known-safe routes (the DQL query).
   */
  idempotent?: boolean;
  /** This call throws `DataloopApiError` on an error status (or returns `{ error }`), whatever the client's option. */
  throwOnError?: boolean;
}

/** What the loop needs of a session: a token per attempt, one shared renewal after a 401. */
export interface TokenSource {
  token(): Promise<string>;
  rejected(token: string): Promise<string>;
  redact(text: string): string;
}

/** The client's settings, shared by its calls. */
export interface LoopSettings {
  baseUrl: string;
  auth: TokenSource;
  transport: Transport;
  /** The `fetch` middleware is told of (openapi-fetch's `options.fetch`). */
  fetch: typeof fetch;
  /** The user's middleware (`dl.use`), in order; empty on the default path. */
  middleware: Middleware[];
  retry: RetryOptions | false;
  timeoutMs: number | false;
  bodyTimeoutMs: number | false;
  totalTimeoutMs: number | false;
  throwOnError: boolean;
  headers?: HeadersOptions | undefined;
  querySerializer?: QuerySerializer<unknown> | QuerySerializerOptions | undefined;
  bodySerializer?: BodySerializer<unknown> | undefined;
  pathSerializer?: PathSerializer | undefined;
  /** A line per attempt and per outcome (the debug log). */
  log?: ((line: string) => void) | undefined;
}

/** openapi-fetch's init of a call, with ours. */
export interface CallInit extends CallOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  headers?: HeadersOptions;
  params?: {
    query?: Record<string, unknown>;
    path?: Record<string, unknown>;
    header?: Record<string, unknown>;
    cookie?: Record<string, unknown>;
  };
  parseAs?: ParseAs;
  querySerializer?: QuerySerializer<unknown> | QuerySerializerOptions;
  bodySerializer?: BodySerializer<unknown>;
  pathSerializer?: PathSerializer;
  body?: unknown;
  middleware?: Middleware[];
  [key: string]: unknown;
}

/** What a call resolves to: openapi-fetch's `{ data, response }` or `{ error, response }`. */
class Outcome {
  #response: Response | undefined;
  readonly #answer: Answer;
  /** The answer behind a call's result, for the SDK's own readers (see `answerBehind`). */
  static answerOf(outcome: unknown): Answer | undefined {
    return outcome instanceof Outcome ? outcome.#answer : undefined;
  }
  constructor(answer: Answer, response: Response | undefined) {
    this.#answer = answer;
    this.#response = response;
  }
  /** Made when asked: the default path reads its answer without a `Response`. */
  get response(): Response {
    this.#response ??= new Response(null, { status: this.#answer.status, headers: this.#answer.headers() });
    return this.#response;
  }
}
class Data extends Outcome {
  constructor(
    readonly data: unknown,
    answer: Answer,
    response: Response | undefined,
  ) {
    super(answer, response);
  }
}
/**
 * `parseAs: "stream"`'s result: the body's web stream made when `data` is first read. The items helpers
 * read the answer's chunks instead (`answerBehind`), and a download then makes no web stream.
 */
class StreamData extends Outcome {
  declare data: ReadableStream<Uint8Array> | null;
  /** Whether `data` was read or replaced: the body is then the caller's to read, not the SDK's (`answerBehind`). */
  #touched = false;
  #data: ReadableStream<Uint8Array> | null | undefined;
  static touched(outcome: unknown): boolean {
    return outcome instanceof StreamData && outcome.#touched;
  }
  // `data` is an own, enumerable, writable property, as it is on every other result: a spread
  // (`{ ...result }`, a client wrapped by the user) copies it, and a wrapper may put a stream of its own
  // there. A getter on the class was left out of the copy (a download through such a wrapper read no
  // body) and refused an assignment (tests "…spreads the client's result…", "…a stream of its own…").
  // One accessor pair for every result: a pair of closures per result gave each its own hidden class,
  // 100,000 of them over a 100,000-item download, kept in old space (a heap snapshot's object shapes;
  // `downloadItems`' RSS growth in bench/items-query.bench.mjs went from under 100 MB to 190 MB).
  static readonly #dataProperty: PropertyDescriptor = {
    enumerable: true,
    configurable: true,
    get(this: StreamData) {
      this.#touched = true;
      if (this.#data === undefined) this.#data = (Outcome.answerOf(this) as Answer).stream();
      return this.#data;
    },
    set(this: StreamData, value: ReadableStream<Uint8Array> | null) {
      this.#touched = true;
      this.#data = value;
    },
  };
  constructor(answer: Answer, response: Response | undefined) {
    super(answer, response);
    Object.defineProperty(this, "data", StreamData.#dataProperty);
  }
}
class Failed extends Outcome {
  constructor(
    readonly error: unknown,
    answer: Answer,
    response: Response | undefined,
  ) {
    super(answer, response);
  }
}

const NO_PARAMS = {};
const NOTHING = () => {};
const DEFAULT_QUERY = createQuerySerializer() as QuerySerializer<unknown>;
const resolvedQuerySerializer = (
  global: LoopSettings["querySerializer"],
  local: CallInit["querySerializer"],
): QuerySerializer<unknown> => {
  if (typeof local === "function") return local;
  if (local)
    return createQuerySerializer({
      ...(typeof global === "object" ? global : {}),
      ...local,
    }) as QuerySerializer<unknown>;
  if (typeof global === "function") return global;
  return (global ? createQuerySerializer(global) : DEFAULT_QUERY) as QuerySerializer<unknown>;
};

/** A serialized body as the wire takes it, with the Content-Type it implies. */
async function wireOf(serialized: unknown): Promise<MadeBody> {
  if (serialized instanceof FormData) {
    // As a Blob of the encoded form: its boundary in its type, sent again as it is on a retry.
    const blob = await new Response(serialized).blob();
    return { body: blob, contentType: blob.type };
  }
  if (serialized instanceof URLSearchParams) return { body: serialized.toString() };
  if (serialized instanceof ArrayBuffer) return { body: new Uint8Array(serialized) };
  if (ArrayBuffer.isView(serialized) && !(serialized instanceof Uint8Array))
    return { body: new Uint8Array(serialized.buffer, serialized.byteOffset, serialized.byteLength) };
  if (
    typeof serialized === "string" ||
    serialized instanceof Uint8Array ||
    serialized instanceof Blob ||
    serialized instanceof ReadableStream
  )
    return { body: serialized };
  return { body: String(serialized) };
}

/**
 * One call, start to end: the one loop every request of the client goes through (typed calls and the
 * items helpers alike). Each attempt takes a token, makes its body from the call's source (the same
 * bytes, or a source made again; a stream handed in is sent once), goes through the user's middleware
 * if there is any, and is sent by the transport; its answer is classified:
 * - 2xx (or any status the caller reads itself): parsed and returned; a malformed JSON body is a
 *   `DataloopResponseError`;
 * - 401, once per call: the session renews (one renewal shared by every call that saw the same token
 *   refused) and the call is sent again, outside the retry budget;
 * - 408, 429, 5xx, and no answer at all: sent again after a backoff (or the gateway's `Retry-After`)
 *   when the call is safe to repeat, while the budget (`attempts`, the first included) lasts;
 * - anything else: final, as a typed error.
 */
export async function runCall(
  settings: LoopSettings,
  method: string,
  schemaPath: string,
  init: CallInit = {},
) {
  const {
    baseUrl: localBaseUrl,
    fetch: ownFetch,
    headers,
    params = NO_PARAMS as NonNullable<CallInit["params"]>,
    parseAs = "json",
    querySerializer: localQuery,
    bodySerializer = settings.bodySerializer ?? defaultBodySerializer,
    pathSerializer = settings.pathSerializer ?? defaultPathSerializer,
    body,
    middleware: callMiddleware,
    retry: callRetry,
    timeoutMs = settings.timeoutMs,
    bodyTimeoutMs = settings.bodyTimeoutMs,
    totalTimeoutMs = settings.totalTimeoutMs,
    signal: callerSignal,
    idempotent,
    throwOnError = settings.throwOnError,
  } = init;
  const baseUrl = localBaseUrl ? removeTrailingSlash(localBaseUrl) : settings.baseUrl;
  const querySerializer = resolvedQuerySerializer(settings.querySerializer, localQuery);
  const url = finalUrl(schemaPath, baseUrl, params, querySerializer, DEFAULT_QUERY, pathSerializer);

  // The body: made once and sent as it is on every attempt, or (a BodySource) made per attempt.
  // Headers merged as openapi-fetch merges them, when there are any besides ours.
  const merged =
    settings.headers || headers || params.header
      ? mergeHeaders(settings.headers, headers, params.header as HeadersOptions | undefined)
      : undefined;
  let made: MadeBody | undefined;
  let source: BodySource | undefined;
  if (body instanceof BodySource) source = body;
  else if (body !== undefined)
    made = await wireOf(
      (bodySerializer as (b: unknown, h: Headers) => unknown)(body, merged ?? new Headers()),
    );
  const hasBody = source !== undefined || made !== undefined;
  const requestHeaders: Record<string, string> = {};
  if (merged) for (const [name, value] of merged) requestHeaders[name] = value;
  if (made?.contentType) requestHeaders["content-type"] = made.contentType;
  else if (hasBody && requestHeaders["content-type"] === undefined)
    requestHeaders["content-type"] = "application/json";
  // A stream handed to the call is read as it is sent: once. A source makes a new body each time.
  const again = !(made?.body instanceof ReadableStream);

  const retry =
    callRetry === false || settings.retry === false
      ? false
      : callRetry === undefined
        ? settings.retry
        : { ...settings.retry, ...callRetry };
  const attempts = retry === false ? 1 : Math.max(1, retry.attempts ?? 3);
  const repeatable = retry !== false && attempts > 1 && safeToRetry(method, schemaPath, idempotent, retry);
  const statuses = retry === false ? undefined : retry.statuses;
  const transient = statuses ? (s: number) => statuses.includes(s) : isTransientStatus;

  // The caller's signal and the total deadline as one signal (none made when neither is there).
  let signal = callerSignal ?? undefined;
  let total: ReturnType<typeof setTimeout> | undefined;
  let stopFollowing = NOTHING;
  if (totalTimeoutMs !== false && totalTimeoutMs !== undefined) {
    const controller = new AbortController();
    const follow = () => controller.abort(callerSignal?.reason);
    if (callerSignal?.aborted) follow();
    else callerSignal?.addEventListener("abort", follow, { once: true });
    stopFollowing = () => callerSignal?.removeEventListener("abort", follow);
    total = setTimeout(() => controller.abort(new DeadlineExceeded("totalTimeoutMs")), totalTimeoutMs);
    (total as { unref?: () => void }).unref?.();
    signal = controller.signal;
  }
  const transport = ownFetch ? fetchTransport(ownFetch, true) : settings.transport;
  const middleware = callMiddleware?.length
    ? [...settings.middleware, ...callMiddleware]
    : settings.middleware;
  const log = settings.log;
  const where = log ? `${method} ${pathOf(url)}` : "";

  let attempt = 0;
  let renewed = false;
  // The token the session gave after a 401: the next attempt's. Otherwise each attempt asks (a retry
  // after a long wait may find the held token due for renewal).
  let renewedToken: string | undefined;
  let keepTimer = false;
  try {
    for (;;) {
      attempt++;
      log?.(`dataloop → ${where}${attempt > 1 ? ` (attempt ${attempt})` : ""}`);
      const token = renewedToken ?? (await settings.auth.token());
      renewedToken = undefined;
      const sent = source ? await source.make() : made;
      if (source && sent?.contentType) requestHeaders["content-type"] = sent.contentType;
      requestHeaders.authorization = `Bearer ${token}`;
      const request: TransportRequest = {
        method,
        url,
        headers: requestHeaders,
        body: sent?.body,
        length: sent?.length,
        signal,
        timeoutMs,
        bodyTimeoutMs,
      };
      const started = log ? performance.now() : 0;
      let answer: Answer | undefined;
      let response: Response | undefined;
      let failure: unknown;
      try {
        if (middleware.length) {
          const through = await attemptThroughMiddleware(middleware, request, transport, {
            schemaPath,
            params,
            options: mergedOptions(
              settings,
              baseUrl,
              ownFetch,
              parseAs,
              querySerializer,
              bodySerializer,
              pathSerializer,
            ),
          });
          response = through;
          answer = answerOf(through, request);
        } else answer = await transport.send(request);
      } catch (error) {
        failure = failureOf(request, error, signal);
      }

      if (answer) {
        const status = answer.status;
        log?.(`dataloop ← ${status} ${where} ${(performance.now() - started).toFixed(0)} ms`);
        if (status === 401 && !renewed && again) {
          answer.discard();
          sent?.close?.();
          renewed = true;
          attempt--; // a renewal is not a retry: the budget stays
          renewedToken = await settings.auth.rejected(token);
          continue;
        }
        if (transient(status) && repeatable && again && attempt < attempts) {
          const wait = backoffMs(attempt, retry || {}, retryAfter(answer));
          answer.discard();
          sent?.close?.();
          await pause(wait, signal, request);
          continue;
        }
        try {
          const outcome = await finish(answer, response, {
            method,
            url,
            schemaPath,
            parseAs,
            throwOnError,
            redact: settings.auth.redact,
          });
          keepTimer = parseAs === "stream";
          return outcome;
        } catch (error) {
          // A body that broke off while the loop read it (to parse it) is no answer: retried as one.
          const readFailure = !(error instanceof DataloopResponseError) && isConnectionFailure(error);
          if (!readFailure) throw error;
          failure = error;
        }
      }
      const error = failure as ReturnType<typeof failureOf>;
      sent?.close?.();
      log?.(`dataloop ✗ ${where}: ${error.message}`);
      const final =
        error.kind === "aborted" ||
        error.deadline === "totalTimeoutMs" ||
        !repeatable ||
        !again ||
        attempt >= attempts;
      if (final) throw error;
      await pause(backoffMs(attempt, retry || {}), signal, request);
    }
  } finally {
    if (!keepTimer) {
      clearTimeout(total);
      stopFollowing();
    }
  }
}

/**
 * The answer behind a call's result (`{ data, response }` of `dl.GET` and the like), its body not read
 * yet when it was asked for as a stream; undefined for anything else (a client wrapped by the user, a
 * stream result whose `data` was read or replaced).
 */
export const answerBehind = (outcome: unknown): Answer | undefined =>
  // Once a caller read or replaced a stream result's `data`, its chunks are theirs: read by the SDK too,
  // two readers would share the body between them.
  StreamData.touched(outcome) ? undefined : Outcome.answerOf(outcome);

const isConnectionFailure = (error: unknown): error is ReturnType<typeof failureOf> =>
  (error as { code?: unknown } | undefined)?.code === "CONNECTION_ERROR";

const retryAfter = (answer: Answer) => retryAfterMs(answer.header("retry-after"));

/** The wait between attempts; an abort meanwhile (the caller's, the total deadline) ends the call. */
async function pause(ms: number, signal: AbortSignal | undefined, target: { method: string; url: string }) {
  try {
    await sleep(ms, signal);
  } catch (error) {
    throw failureOf(target, error, signal);
  }
}

/** openapi-fetch's `options` of a middleware call: the client's, unless this call overrode one. */
function mergedOptions(
  settings: LoopSettings,
  baseUrl: string,
  ownFetch: typeof fetch | undefined,
  parseAs: ParseAs,
  querySerializer: QuerySerializer<unknown>,
  bodySerializer: BodySerializer<unknown>,
  pathSerializer: PathSerializer,
): MergedOptions {
  return Object.freeze({
    baseUrl,
    fetch: ownFetch ?? settings.fetch,
    parseAs,
    querySerializer,
    bodySerializer,
    pathSerializer,
  }) as MergedOptions;
}

interface Finish {
  method: string;
  url: string;
  schemaPath: string;
  parseAs: ParseAs;
  throwOnError: boolean;
  redact: (text: string) => string;
}

/** The final answer as openapi-fetch's result (`data` parsed as asked), or the typed error it means. */
async function finish(answer: Answer, response: Response | undefined, call: Finish): Promise<Data | Failed> {
  const { status } = answer;
  const ok = status >= 200 && status < 300;
  const length = answer.header("content-length");
  const empty =
    status === 204 ||
    call.method === "HEAD" ||
    (length === "0" && !answer.header("transfer-encoding")?.includes("chunked"));
  if (!ok) {
    const text = empty ? "" : await answer.text();
    const error: DataloopApiError = apiErrorOf({
      status,
      method: call.method,
      url: call.url,
      route: call.schemaPath,
      text,
      header: (name) => answer.header(name),
      redact: call.redact,
    });
    if (call.throwOnError) throw error;
    return new Failed(empty ? undefined : error.body, answer, response);
  }
  if (empty) {
    answer.discard();
    return new Data(undefined, answer, response);
  }
  switch (call.parseAs) {
    case "stream":
      return new StreamData(answer, response);
    case "text":
      return new Data(await answer.text(), answer, response);
    case "blob":
      return new Data(
        new Blob([(await answer.bytes()) as Uint8Array<ArrayBuffer>], {
          type: answer.header("content-type") ?? "",
        }),
        answer,
        response,
      );
    case "arrayBuffer": {
      const b = await answer.bytes();
      return new Data(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength), answer, response);
    }
    default: {
      const text = await answer.text();
      if (!text) return new Data(undefined, answer, response);
      try {
        return new Data(JSON.parse(text), answer, response);
      } catch (error) {
        throw new DataloopResponseError({
          status,
          method: call.method,
          path: pathOf(call.url),
          reason: `not JSON (${(error as Error).message})`,
          cause: error,
        });
      }
    }
  }
}
