import { Agent, request as httpRequest } from "node:http";
import type { Project } from "@dataloop-ts/codegen";
import { apiDocs } from "./docs.js";
import { gatewayFront, type Handler } from "./front.js";
import { startPrism } from "./prism.js";
import { listenLoopback } from "./server.js";
import { prepareMockSpec } from "./spec.js";
import { DEFAULT_BOT, type MockUser, TokenRoute, type TokenRouteOptions } from "./token-route.js";

export interface MockGatewayOptions extends TokenRouteOptions {
  /** Port of the gateway (default: a free one). */
  port?: number;
  /** Where the pinned spec lives (default: the nearest folder with specs/dataloop.lock.json). */
  project?: Project;
  prismLogLevel?: "silent" | "error" | "warn" | "info" | "debug";
}

export interface MockGateway {
  /** The API base URL, `${gateUrl}/api/v1`: give it to a client as baseUrl. */
  url: string;
  /** The gate origin: the token route answers at `${gateUrl}/token?default`, the website login at `${gateUrl}/login`. */
  gateUrl: string;
  /** Swagger UI for the served spec, signed in as the default user: `${url}/docs/`. */
  docsUrl: string;
  defaultBot: MockUser;
  route: TokenRoute;
  stats: { api: number; unauthorized: number };
  /** How the start went: ms in all, and whether the prepared spec came from the cache. */
  startup: { ms: number; fromCache: boolean; examples: number; operations: number };
  stop(): Promise<void>;
}

const templateMatcher = (operations: string[]) => {
  const patterns = operations.map((key) => {
    const [method, path = ""] = key.split(" ");
    const source = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^}]+\\?\}|\{[^}]+\}/g, "[^/]+");
    return { method, re: new RegExp(`^${source}$`) };
  });
  return (method: string, path: string) => patterns.some((p) => p.method === method && p.re.test(path));
};

/**
 * The Dataloop gateway, locally: the token route (real JWTs) and the Bearer check in front of Prism
 * serving the repaired, pinned spec. Everything listens on loopback; `stop()` closes it all.
 * @example
 * const gateway = await startMockGateway();
 * const client = createDataloopClient({ gateUrl: gateway.gateUrl, auth: { email: "bot@example.com", password: "password" } });
 */
export async function startMockGateway(options: MockGatewayOptions = {}): Promise<MockGateway> {
  const started = performance.now();
  const spec = await prepareMockSpec(options.project);
  const [route, prism] = await Promise.all([
    TokenRoute.create(options),
    startPrism(spec.operations, { ...(options.prismLogLevel ? { logLevel: options.prismLogLevel } : {}) }),
  ]);
  const target = new URL(prism.url);
  // No keep-alive to Prism: its server drops idle sockets without notice, and a reused dead socket is a 502.
  const agent = new Agent({ keepAlive: false, maxSockets: 64 });
  // Prism serves the spec's paths at its root; the gateway serves them under /api/v1.
  const toPrism: Handler = (req, res) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: (req.url ?? "/").replace(/^\/api\/v1/, "") || "/",
        headers: { ...req.headers, host: target.host },
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", (error) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: 502, message: `mock gateway: Prism failed (${error.message})` }));
    });
    req.pipe(upstream);
  };
  const stats = { api: 0, unauthorized: 0 };
  const front = gatewayFront(route, toPrism, {
    stats,
    isPublic: templateMatcher(spec.publicOperations),
    pages: [apiDocs(spec.document, route)],
  });
  let server: Awaited<ReturnType<typeof listenLoopback>>;
  try {
    server = await listenLoopback(front, options.port ?? 0);
  } catch (error) {
    await prism.close();
    throw error;
  }
  return {
    url: `${server.url}/api/v1`,
    gateUrl: server.url,
    docsUrl: `${server.url}/api/v1/docs/`,
    defaultBot: options.users?.[0] ?? DEFAULT_BOT,
    route,
    stats,
    startup: {
      ms: Math.round(performance.now() - started),
      fromCache: spec.fromCache,
      examples: spec.examples.added,
      operations: spec.operations.length,
    },
    async stop() {
      route.releaseHanging();
      await server.stop();
      agent.destroy();
      await prism.close();
    },
  };
}
