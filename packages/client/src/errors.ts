import { AuthError, redactTokens } from "@dataloop-ts/auth";
import type { Middleware } from "openapi-fetch";

const REQUEST_ID_HEADERS = ["x-request-id", "x-dataloop-request-id", "x-amzn-trace-id", "traceparent"];

/**
 * The API answered with an error status. Carries what you need to act and to report it — never the
 * request's headers, so no Authorization.
 */
export class DataloopApiError extends Error {
  override name = "DataloopApiError";
  constructor(
    readonly status: number,
    readonly method: string,
    /** The route as called, e.g. `/projects/abc` (query string dropped). */
    readonly path: string,
    /** The parsed JSON body, or the text when it is not JSON. */
    readonly body: unknown,
    readonly requestId: string | undefined,
    /** The route's template, e.g. `/projects/{projectId}`. */
    readonly route?: string,
  ) {
    super(
      redactTokens(
        `${method} ${path} failed with HTTP ${status}${summary(body)}${requestId ? ` (request id ${requestId})` : ""}`,
      ),
    );
  }

  toJSON() {
    const { name, status, method, path, route, requestId, message } = this;
    return { name, status, method, path, route, requestId, message, body: this.body };
  }
}

/** The request never got an answer: network failure, or the timeout ran out. */
export class DataloopConnectionError extends Error {
  override name = "DataloopConnectionError";
  constructor(
    readonly kind: "timeout" | "network" | "aborted",
    readonly method: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(
      kind === "timeout"
        ? `${method} ${path} timed out`
        : kind === "aborted"
          ? `${method} ${path} was aborted by the caller`
          : `${method} ${path} could not reach the gateway`,
      options,
    );
  }
}

function summary(body: unknown): string {
  const b = body as { message?: unknown; error?: unknown; title?: unknown } | undefined;
  const text = typeof b === "string" ? b : (b?.message ?? b?.error ?? b?.title);
  return typeof text === "string" && text ? `: ${text.slice(0, 200)}` : "";
}

const pathOf = (url: string) => new URL(url).pathname;

/** Turns error statuses into thrown DataloopApiErrors and fetch failures into DataloopConnectionErrors. */
export function errorMiddleware(): Middleware {
  return {
    // Synchronous when the response is fine: no promise per successful call.
    onResponse({ request, response, schemaPath }) {
      if (response.ok) return undefined;
      return toApiError(request, response, schemaPath);
    },
    onError({ request, error }) {
      if (error instanceof DataloopApiError || error instanceof DataloopConnectionError) return error;
      if (error instanceof AuthError) return error; // already typed and actionable
      const name = (error as Error)?.name;
      const kind = name === "TimeoutError" ? "timeout" : name === "AbortError" ? "aborted" : "network";
      return new DataloopConnectionError(kind, request.method, pathOf(request.url), { cause: error });
    },
  };
}

async function toApiError(request: Request, response: Response, schemaPath: string): Promise<never> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {}
  const requestId = REQUEST_ID_HEADERS.map((h) => response.headers.get(h)).find(Boolean) ?? undefined;
  throw new DataloopApiError(
    response.status,
    request.method,
    pathOf(request.url),
    body,
    requestId,
    schemaPath,
  );
}
