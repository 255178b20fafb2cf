import type { IncomingMessage, ServerResponse } from "node:http";
import { decodeJwt } from "jose";
import { routeMatcher } from "../proxy.js";
import type { SpecValidator } from "../validate.js";
import { badRequest, sendJson, sendJsonText, TwinHttpError } from "./errors.js";

/** The query string's parameters, without parsing a whole URL. */
function queryOf(url: string | undefined): URLSearchParams {
  const at = url ? url.indexOf("?") : -1;
  return new URLSearchParams(at < 0 ? undefined : url?.slice(at + 1));
}

/** What a route of the twin gets: the request, its path parameters and query, the caller, the JSON body. */
export interface TwinContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The e-mail of the Bearer token's user (its `email` claim, else `sub`); the front verified it. */
  caller: string | undefined;
  /** The JSON body, read and checked against the route's request schema. */
  body(): Promise<unknown>;
}

/**
 * A JSON answer (`json`: the body already serialised, instead of `body`); `undefined` when the route
 * wrote its own (a stream, an upload).
 */
export type TwinAnswer =
  | { status: number; body?: unknown; json?: string | Buffer; headers?: Record<string, string> }
  | undefined;
export type TwinRoute = (ctx: TwinContext) => TwinAnswer | Promise<TwinAnswer>;
/** `"METHOD /template"` (the spec's path templates) → its handler. */
export type RouteTable = Record<string, TwinRoute>;

const escapePointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * The body as text. Events, not `for await`: the async iterator's objects and ticks were the largest
 * allocation of a small POST in the twin bench's heap profile (each request's garbage is what the
 * young-generation collections, the latency tail, have to sweep).
 */
function readText(req: IncomingMessage): Promise<string> {
  if (req.readableEnded) return Promise.resolve("");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () =>
      resolve(
        chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8"),
      ),
    );
    req.once("error", reject);
  });
}

/**
 * The caller's e-mail from the Bearer JWT (already verified by the front: only decoded here), kept
 * per token: a test sends the same few tokens again and again, and decoding (base64, JSON) was a
 * tenth of a GET's CPU in the twin bench's profile. Bounded: forgotten when full.
 */
const callers = new Map<string, string | undefined>();
function callerOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  if (callers.has(header)) return callers.get(header);
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  let caller: string | undefined;
  try {
    const claims = token ? decodeJwt(token) : undefined;
    caller = typeof claims?.email === "string" ? claims.email : claims?.sub;
  } catch {
    caller = undefined;
  }
  if (callers.size >= 1000) callers.clear();
  callers.set(header, caller);
  return caller;
}

/**
 * The twin's routes, matched by the spec's templates. A JSON body is checked against the route's
 * request schema in the spec (the validator Prism's examples were checked with): a request that
 * breaks it is a 400 with the reasons, as the gateway answers. An error thrown as `TwinHttpError` is
 * answered with its status and the gateway's error body; anything else is a 500 (a bug of the mock,
 * never a crash of the test process).
 */
export function twinRouter(
  table: RouteTable,
  validator: SpecValidator,
  document: { paths: Record<string, unknown> },
  /**
   * Where a request for an id the twin does not hold goes instead of a 404 (the permissive mode):
   * with the body when the route read it already, else with the request still unread.
   */
  fallback?: (req: IncomingMessage, res: ServerResponse, body?: Buffer) => void,
  /**
   * Called when a route that may write (any method but GET, a DQL query aside) has answered or
   * failed: the store's generation moves on, whatever the route changed in place.
   */
  onWrite?: () => void,
) {
  const hasBodySchema = (template: string, method: string) =>
    Boolean(
      (
        document.paths[template] as
          | Record<string, { requestBody?: { content?: Record<string, { schema?: unknown }> } }>
          | undefined
      )?.[method]?.requestBody?.content?.["application/json"]?.schema,
    );
  const match = routeMatcher(Object.keys(table));
  return (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    const method = req.method ?? "GET";
    const found = match(method, path);
    if (!found) return false;
    const route = table[`${method} ${found.template}`] as TwinRoute;
    const writes = method !== "GET" && !found.template.endsWith("/query");
    let read: string | undefined;
    const ctx: TwinContext = {
      req,
      res,
      params: found.params,
      // Not a getter: an object literal with an accessor is made on V8's slow path, in the old
      // generation, and pointed from there at each request's young objects, which every scavenge then
      // kept and promoted (twin bench under --trace-gc: 9 MB promoted a scavenge against 0.8 MB).
      query: queryOf(req.url),
      caller: callerOf(req),
      async body() {
        const text = await readText(req);
        read = text;
        let value: unknown;
        try {
          value = text ? JSON.parse(text) : undefined;
        } catch {
          throw badRequest("Invalid request", ["body is not JSON"]);
        }
        if (value === undefined) throw badRequest("Invalid request", ["body must be JSON"]);
        const lower = method.toLowerCase();
        if (!hasBodySchema(found.template, lower)) return value;
        const pointer = `/paths/${escapePointer(found.template)}/${lower}/requestBody/content/application~1json/schema`;
        const errors = validator.atPointer(pointer, value);
        // 422, as Prism answers the same mistake on the routes it serves: one status for "breaks the spec".
        if (errors.length)
          throw new TwinHttpError({
            status: 422,
            message: "Invalid request",
            errors: errors.map((e) => `body${e.startsWith("(root)") ? e.slice(6) : e}`),
          });
        return value;
      },
    };
    const fail = (error: unknown) => {
      if (writes) onWrite?.();
      if (res.headersSent) return void res.destroy();
      if (fallback && error instanceof TwinHttpError && error.status === 404)
        return fallback(req, res, read === undefined ? undefined : Buffer.from(read));
      req.resume();
      if (error instanceof TwinHttpError) sendJson(res, error.status, error.body());
      else
        sendJson(res, 500, {
          status: 500,
          message: `mock gateway twin: ${(error as Error)?.message ?? error}`,
        });
    };
    try {
      Promise.resolve(route(ctx)).then((answer) => {
        if (writes) onWrite?.();
        if (!answer) return;
        if (answer.status !== 204 && !req.readableEnded) req.resume();
        if (answer.json !== undefined) sendJsonText(res, answer.status, answer.json, answer.headers);
        else sendJson(res, answer.status, answer.body, answer.headers);
      }, fail);
    } catch (error) {
      fail(error);
    }
    return true;
  };
}
