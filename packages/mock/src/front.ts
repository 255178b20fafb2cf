import type { IncomingMessage, ServerResponse } from "node:http";
import { loginPage } from "./login-page.js";
import type { TokenRoute } from "./token-route.js";

/**
 * A Node request handler (`(req, res) => void`): the API behind `gatewayFront`, or what `startEchoGateway` answers with.
 * @example
 * ```ts
 * import { type Handler, startEchoGateway } from "@dataloop-ts/mock/light";
 *
 * const api: Handler = (req, res) => {
 *   res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ path: req.url }));
 * };
 * const gateway = await startEchoGateway({ api });
 * await gateway.stop();
 * ```
 */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void;
/**
 * Answers the requests it owns and returns true; false passes the request on.
 * @example
 * ```ts
 * import { gatewayFront, type Page, echoApi, TokenRoute, listenLoopback } from "@dataloop-ts/mock/light";
 *
 * const health: Page = (req, res) => {
 *   if (req.url !== "/health") return false;
 *   res.writeHead(200).end("ok");
 *   return true;
 * };
 * const server = await listenLoopback(gatewayFront(await TokenRoute.create(), echoApi, { pages: [health] }));
 * await server.stop();
 * ```
 */
export type Page = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * The options of `gatewayFront`: the path prefix that needs a Bearer JWT, which paths under it are public, counters of API calls, and pages answered before the check.
 * @example
 * ```ts
 * import { echoApi, type FrontOptions, gatewayFront, listenLoopback, TokenRoute } from "@dataloop-ts/mock/light";
 *
 * const options: FrontOptions = {
 *   apiPrefix: "/api/v1",
 *   isPublic: (method, path) => method === "GET" && path === "/api/v1/health",
 *   stats: { api: 0, unauthorized: 0 },
 * };
 * const server = await listenLoopback(gatewayFront(await TokenRoute.create(), echoApi, options));
 * await server.stop();
 * ```
 */
export interface FrontOptions {
  /** Path prefix that needs a Bearer JWT (default `/api/v1`). */
  apiPrefix?: string;
  /** Paths under the prefix that answer without a token (the spec's public operations). */
  isPublic?: (method: string, path: string) => boolean;
  /** Counts API calls and their outcome. */
  stats?: { api: number; unauthorized: number };
  /** Public pages answered before the Bearer check (e.g. the spec and Swagger UI). */
  pages?: Page[];
}

/**
 * CORS as the gateway answers it to the web console: any origin, the Bearer header allowed, the
 * headers a client reads (request id, Retry-After) exposed. Returns true when it answered a preflight.
 */
function cors(req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  res.setHeader("access-control-allow-origin", origin);
  res.setHeader("vary", "Origin");
  res.setHeader("access-control-expose-headers", "x-request-id, retry-after, www-authenticate");
  if (req.method !== "OPTIONS" || !req.headers["access-control-request-method"]) return false;
  res
    .writeHead(204, {
      "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
      "access-control-allow-headers":
        req.headers["access-control-request-headers"] ?? "authorization, content-type",
      "access-control-max-age": "600",
    })
    .end();
  return true;
}

/**
 * What the real gateway does before any route: CORS for browser clients, the token grant at `/token`, the website login at
 * `/login`, and a Bearer JWT (signature and expiry) on every API call — 401 without one.
 * @example
 * ```ts
 * import { echoApi, gatewayFront, listenLoopback, TokenRoute } from "@dataloop-ts/mock/light";
 *
 * const route = await TokenRoute.create();
 * const server = await listenLoopback(gatewayFront(route, echoApi));
 * console.log(`gate URL: ${server.url}`); // /token, /login, and /api/v1/* behind the Bearer check
 * await server.stop();
 * ```
 */
export function gatewayFront(route: TokenRoute, api: Handler, options: FrontOptions = {}): Handler {
  const prefix = options.apiPrefix ?? "/api/v1";
  const pages: Page[] = [
    cors,
    (req, res) => route.handle(req, res),
    loginPage(route),
    ...(options.pages ?? []),
  ];
  return (req, res) => {
    if (pages.some((page) => page(req, res))) return;
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path !== prefix && !path.startsWith(`${prefix}/`)) {
      res
        .writeHead(404, { "content-type": "application/json" })
        .end(JSON.stringify({ error: "not found", path }));
      return;
    }
    if (options.stats) options.stats.api++;
    if (options.isPublic?.(req.method ?? "GET", path.slice(prefix.length) || "/")) return api(req, res);
    const header = req.headers.authorization ?? "";
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const reject = (reason: string) => {
      if (options.stats) options.stats.unauthorized++;
      req.resume();
      res
        .writeHead(401, {
          "content-type": "application/json",
          "www-authenticate": 'Bearer error="invalid_token"',
        })
        .end(JSON.stringify({ status: 401, message: reason }));
    };
    if (!token) return reject("Missing Bearer token");
    route.verify(token).then(
      () => api(req, res),
      (error: unknown) =>
        reject((error as { code?: string }).code === "ERR_JWT_EXPIRED" ? "Token expired" : "Invalid token"),
    );
  };
}

/**
 * An API that answers every call with what it received: for auth tests with no spec behind them.
 * @example
 * ```ts
 * import { echoApi, gatewayFront, listenLoopback, TokenRoute } from "@dataloop-ts/mock/light";
 *
 * const server = await listenLoopback(gatewayFront(await TokenRoute.create(), echoApi));
 * await server.stop();
 * ```
 */
export const echoApi: Handler = (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const text = Buffer.concat(chunks).toString("utf8");
    let body: unknown = text || undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {}
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ method: req.method, url: req.url, body }));
  });
};
