import type { MergedOptions, Middleware, MiddlewareCallbackParams } from "openapi-fetch";
import {
  type Answer,
  chunksOfStream,
  failureOf,
  isStreamed,
  type StreamedBody,
  type Transport,
  type TransportRequest,
  webStreamOf,
} from "./transport.js";

// Statuses whose Response may have no body (the Fetch standard's null body statuses).
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

let ids = 0;

interface Context {
  schemaPath: string;
  params: MiddlewareCallbackParams["params"];
  options: MergedOptions;
}

/**
 * One attempt through the user's middleware (`dl.use`), as openapi-fetch runs it: `onRequest` in
 * order on a `Request` made for this attempt (a middleware may replace it), the transport, then
 * `onResponse` (or `onError`) in reverse order on a `Response`. Only when middleware is registered:
 * the default path builds neither. What a middleware returns is what is sent and what is read.
 */
export async function attemptThroughMiddleware(
  middleware: readonly Middleware[],
  attempt: TransportRequest,
  transport: Transport,
  context: Context,
): Promise<Response> {
  const stream = isStreamed(attempt.body);
  const made = new Request(attempt.url, {
    method: attempt.method,
    headers: attempt.headers,
    // A streamed body (an async iterable too) as a web stream, what a Request takes.
    ...(attempt.body !== undefined
      ? { body: (stream ? webStreamOf(attempt.body as StreamedBody) : attempt.body) as BodyInit }
      : {}),
    ...(stream ? { duplex: "half" } : {}),
  } as RequestInit);
  let request = made;
  const base = { ...context, id: `dl${++ids}` };
  let response: Response | undefined;
  for (const m of middleware) {
    const result = await m.onRequest?.({ ...base, request });
    if (result instanceof Request) request = result;
    else if (result instanceof Response) {
      response = result;
      break;
    } else if (result)
      throw new TypeError("onRequest: must return a Request or a Response when modifying the request");
  }
  if (!response) {
    try {
      // The request as the middleware left it; its body sent as it was made when it is still the one (a
      // streamed one as the Request holds it: a middleware may have read a clone of it).
      const same = request === made && !made.bodyUsed;
      const body = same ? (stream ? (made.body ?? undefined) : attempt.body) : (request.body ?? undefined);
      const headers: Record<string, string> = {};
      for (const [name, value] of request.headers) headers[name] = value;
      // Its declared length only with the body it was declared for (a middleware may make another).
      const length = same ? attempt.length : undefined;
      const sent = { ...attempt, method: request.method, url: request.url, headers, body, length };
      const answer = await transport.send(sent);
      response = responseOf(answer);
    } catch (error) {
      let failure: unknown = failureOf(attempt, error, attempt.signal);
      for (let i = middleware.length - 1; i >= 0; i--) {
        const result = await middleware[i]?.onError?.({ ...base, request, error: failure });
        if (result instanceof Response) {
          response = result;
          failure = undefined;
          break;
        }
        if (result instanceof Error) failure = result;
        else if (result) throw new TypeError("onError: must return a Response or an Error");
      }
      if (!response) throw failure;
    }
  }
  for (let i = middleware.length - 1; i >= 0; i--) {
    const result: unknown = await middleware[i]?.onResponse?.({
      ...base,
      request,
      response,
    });
    if (result instanceof Response) response = result;
    else if (result) throw new TypeError("onResponse: must return a Response when modifying the response");
  }
  return response;
}

function responseOf(answer: Answer): Response {
  const body = NULL_BODY.has(answer.status) ? null : answer.stream();
  if (body === null) answer.discard();
  return new Response(body, { status: answer.status, headers: answer.headers() });
}

const decoder = new TextDecoder();

/** A `Response` (what the middleware returned) as the loop reads answers; a body that fails is typed. */
export function answerOf(response: Response, request: TransportRequest): Answer {
  const bytes = async () => {
    try {
      return new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      throw failureOf(request, error, request.signal);
    }
  };
  return {
    status: response.status,
    header: (name) => response.headers.get(name),
    headers: () => response.headers,
    bytes,
    text: async () => decoder.decode(await bytes()),
    stream: () => response.body,
    chunks: () => chunksOfStream(response.body),
    discard: () => void response.body?.cancel().catch(() => {}),
  };
}
