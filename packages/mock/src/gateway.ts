import { listOperations } from "@dataloop-ts/codegen";
import { listenLoopback } from "@dataloop-ts/core/node";
import { apiDocs } from "./docs.js";
import { gatewayFront, type Handler } from "./front.js";
import { ItemsStore } from "./items-store.js";
import { startPrism } from "./prism.js";
import { prismProxy, routeMatcher, sameIdRewrite } from "./proxy.js";
import { type MockSpec, type MockSpecOptions, prepareMockSpec } from "./spec.js";
import { DEFAULT_BOT, type MockUser, TokenRoute, type TokenRouteOptions } from "./token-route.js";

export interface MockGatewayOptions extends TokenRouteOptions, MockSpecOptions {
  /** Port of the gateway (default: a free one). */
  port?: number;
  prismLogLevel?: "silent" | "error" | "warn" | "info" | "debug";
}

export interface MockGateway {
  /** The API base, `${gateUrl}/api/v1` (openapi-fetch's `baseUrl`). */
  apiUrl: string;
  /** The gate origin: the token route answers at `${gateUrl}/token?default`, the website login at `${gateUrl}/login`. */
  gateUrl: string;
  /** Swagger UI for the served spec, signed in as the default user: `${apiUrl}/docs/`. */
  docsUrl: string;
  defaultBot: MockUser;
  route: TokenRoute;
  stats: { api: number; unauthorized: number };
  /** The served document: title, version and the sha256 of its upstream bytes (`GET ${apiUrl}/swagger-file`). */
  spec: { title: string; version: string; sha256: string };
  /** How the start went: ms in all, and whether the prepared spec came from the cache. */
  startup: {
    ms: number;
    fromCache: boolean;
    cache: MockSpec["cache"];
    cacheError?: string;
    examples: number;
    operations: number;
  };
  stop(): Promise<void>;
}

/**
 * The Dataloop gateway, locally: the token route (real JWTs) and the Bearer check in front of Prism
 * serving the repaired spec (`@dataloop-ts/spec`'s, or `options.spec`). Everything listens on
 * loopback; `stop()` closes it all.
 * @example
 * const gateway = await startMockGateway();
 * const client = createDataloopClient({ gateUrl: gateway.gateUrl, auth: { email: "bot@example.com", password: "password" } });
 */
export async function startMockGateway(options: MockGatewayOptions = {}): Promise<MockGateway> {
  const started = performance.now();
  const spec = await prepareMockSpec(options);
  const [route, prism] = await Promise.all([
    TokenRoute.create(options),
    startPrism(spec.operations, { ...(options.prismLogLevel ? { logLevel: options.prismLogLevel } : {}) }),
  ]);
  const sameId = sameIdRewrite(
    listOperations(spec.document)
      .filter(({ method }) => method === "get")
      .map(({ path }) => `GET ${path}`),
  );
  const proxy = prismProxy(prism.url, sameId.wants, sameId.rewrite);
  // Uploads kept in memory for the mock's life; the rest of the item routes are Prism's.
  const uploadAnswer = spec.document.paths["/datasets/{datasetId}/items"]?.post?.responses?.["200"] as
    | { content?: Record<string, { example?: Record<string, unknown> }> }
    | undefined;
  const store = new ItemsStore(uploadAnswer?.content?.["application/json"]?.example ?? {});
  const api: Handler = (req, res) => {
    if (!store.handle(req, res)) proxy.handler(req, res);
  };
  const stats = { api: 0, unauthorized: 0 };
  const isPublic = routeMatcher(spec.publicOperations);
  const front = gatewayFront(route, api, {
    stats,
    isPublic: (method, path) => isPublic(method, path) !== undefined,
    pages: [apiDocs(spec.document, route, spec.upstream)],
  });
  let server: Awaited<ReturnType<typeof listenLoopback>>;
  try {
    server = await listenLoopback(front, options.port ?? 0);
  } catch (error) {
    proxy.close();
    await prism.close();
    throw error;
  }
  const info = spec.document.info;
  return {
    apiUrl: `${server.url}/api/v1`,
    gateUrl: server.url,
    docsUrl: `${server.url}/api/v1/docs/`,
    defaultBot: options.users?.[0] ?? DEFAULT_BOT,
    route,
    stats,
    spec: {
      title: String(info.title ?? ""),
      version: String(info.version ?? ""),
      sha256: spec.upstream.sha256,
    },
    startup: {
      ms: Math.round(performance.now() - started),
      fromCache: spec.cache === "hit",
      cache: spec.cache,
      ...(spec.cacheError ? { cacheError: spec.cacheError } : {}),
      examples: spec.examples.added,
      operations: spec.operations.length,
    },
    async stop() {
      route.releaseHanging();
      await server.stop();
      proxy.close();
      await prism.close();
    },
  };
}
