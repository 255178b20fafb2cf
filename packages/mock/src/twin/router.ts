import type { IncomingMessage, ServerResponse } from "node:http";
import { decodeJwt } from "jose";
import { routeMatcher } from "../proxy.js";
import type { SpecValidator } from "../validate.js";
import { badRequest, sendJson, TwinHttpError } from "./errors.js";

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

/** A JSON answer; `undefined` when the route wrote its own (a stream, an upload). */
export type TwinAnswer = { status: number; body?: unknown; headers?: Record<string, string> } | undefined;
export type TwinRoute = (ctx: TwinContext) => TwinAnswer | Promise<TwinAnswer>;
/** `"METHOD /template"` (the spec's path templates) → its handler. */
export type RouteTable = Record<string, TwinRoute>;

const escapePointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The caller's e-mail from the Bearer JWT (already verified by the front: only decoded here). */
function callerOf(req: IncomingMessage): string | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
  if (!token) return undefined;
  try {
    const claims = decodeJwt(token);
    return typeof claims.email === "string" ? claims.email : claims.sub;
  } catch {
    return undefined;
  }
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
    const url = new URL(req.url ?? "/", "http://twin");
    let read: string | undefined;
    const ctx: TwinContext = {
      req,
      res,
      params: found.params,
      query: url.searchParams,
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
        if (!answer) return;
        if (answer.status !== 204 && !req.readableEnded) req.resume();
        sendJson(res, answer.status, answer.body, answer.headers);
      }, fail);
    } catch (error) {
      fail(error);
    }
    return true;
  };
}
