import { listOperations } from "@dataloop-ts/codegen";
import { listenLoopback } from "@dataloop-ts/core/node";
import { apiDocs } from "./docs.js";
import { gatewayFront, type Handler } from "./front.js";
import { startPrism } from "./prism.js";
import { prismProxy, routeMatcher, sameIdRewrite } from "./proxy.js";
import { type MockSpec, type MockSpecOptions, prepareMockSpec } from "./spec.js";
import { DEFAULT_BOT, type MockUser, TokenRoute, type TokenRouteOptions } from "./token-route.js";
import { twinControl } from "./twin/control.js";
import type { FaultRule } from "./twin/faults.js";
import type { LoggedRequest } from "./twin/request-log.js";
import { readFixtures } from "./twin/seed.js";
import { GatewayTwin, type TwinOptions } from "./twin/twin.js";
import { createSpecValidator, type SpecValidator } from "./validate.js";

/**
 * The spec validator, made on first use: building it (Ajv over the whole document) costs ~0.3 s,
 * a third of the warm start's budget, and a test that never writes never needs it.
 */
function lazyValidator(document: object): SpecValidator {
  let validator: SpecValidator | undefined;
  const get = () => {
    validator ??= createSpecValidator(document);
    return validator;
  };
  return {
    atPointer: (pointer, value) => get().atPointer(pointer, value),
    response: (method, path, status, body) => get().response(method, path, status, body),
  };
}

/**
 * The options of `startMockGateway`: the port, Prism's log level, and those of the token route (users, token lifetime, clock), the spec (`spec`, `cacheDir`) and the twin (`seed`, `fixtures`, `strict`).
 * @example
 * ```ts
 * import { manualClock } from "@dataloop-ts/core";
 * import { type MockGatewayOptions, startMockGateway } from "@dataloop-ts/mock";
 *
 * const options: MockGatewayOptions = {
 *   seed: 42,
 *   fixtures: { projects: [{ id: "65f1c0ffee0123456789aaaa", name: "mine" }] },
 *   strict: true,
 *   lifetimeSeconds: 60,
 *   clock: manualClock(Date.parse("2026-01-01T00:00:00Z")),
 *   cacheDir: false,
 *   users: [{ username: "me@example.com", password: "secret" }],
 * };
 * const gateway = await startMockGateway(options);
 * await gateway.stop();
 * ```
 */
export interface MockGatewayOptions extends TokenRouteOptions, MockSpecOptions, TwinOptions {
  /** Port of the gateway (default: a free one). */
  port?: number;
  prismLogLevel?: "silent" | "error" | "warn" | "info" | "debug";
}

/**
 * What `startMockGateway` resolves to: its URLs (`gateUrl`, `apiUrl`, `docsUrl`), the default bot, the token route, the served spec, how the start went, and the test handles (`reset`, `requests`, `fault`, `twin`).
 * @example
 * ```ts
 * import { type MockGateway, startMockGateway } from "@dataloop-ts/mock";
 *
 * const gateway: MockGateway = await startMockGateway();
 * console.log(gateway.gateUrl, gateway.apiUrl, gateway.spec.sha256, gateway.startup.cache);
 * const off = gateway.fault({ route: "GET /projects", fault: { kind: "status", status: 503 }, times: 1 });
 * off();
 * console.log(gateway.requests.map((r) => `${r.method} ${r.url} ${r.status}`));
 * gateway.reset();
 * await gateway.stop();
 * ```
 */
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
  /** Back to the seeded data (and fixtures): what tests call between them (`POST ${gateUrl}/_twin/reset` over HTTP). */
  reset(): void;
  /** The API requests answered since the start or the last `reset()`: method, url, status, when. */
  requests: readonly LoggedRequest[];
  /** Switches a fault on for a route (latency, 429 with Retry-After, a status, a dropped connection); returns its off switch. */
  fault(rule: FaultRule): () => void;
  /** The twin: its store, faults and log, for what the options above do not cover. */
  twin: GatewayTwin;
  stop(): Promise<void>;
}

/**
 * The Dataloop gateway, locally: the token route (real JWTs) and the Bearer check in front of Prism
 * serving the repaired spec (`@dataloop-ts/spec`'s, or `options.spec`). Everything listens on
 * loopback; `stop()` closes it all.
 * @example
 * ```ts
 * import { createDataloopClient } from "@dataloop-ts/client";
 * import { startMockGateway } from "@dataloop-ts/mock";
 *
 * const gateway = await startMockGateway({ seed: 7 });
 * const dl = createDataloopClient({ gateUrl: gateway.gateUrl, auth: { email: "bot@example.com", password: "password" } });
 * const { data: me } = await dl.GET("/users/me");
 * console.log(me, gateway.docsUrl);
 * await gateway.stop();
 * ```
 */
export async function startMockGateway(options: MockGatewayOptions = {}): Promise<MockGateway> {
  const started = performance.now();
  // A fixtures file is read first: a wrong path fails at once, not after the spec's preparation.
  const fixtures = typeof options.fixtures === "string" ? readFixtures(options.fixtures) : options.fixtures;
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
  // The core resources held as state (the twin); the long tail is Prism's.
  const twin = new GatewayTwin(
    spec.document,
    lazyValidator(spec.document),
    route,
    { ...options, ...(fixtures ? { fixtures } : {}) },
    (options.users?.[0] ?? DEFAULT_BOT).username,
    proxy.handler,
  );
  const api: Handler = (req, res) => {
    const path = ((req.url ?? "/").split("?")[0] ?? "/").replace(/^\/api\/v1/, "") || "/";
    if (!twin.handle(req, res, path)) proxy.handler(req, res);
  };
  const stats = { api: 0, unauthorized: 0 };
  const isPublic = routeMatcher(spec.publicOperations);
  const front = gatewayFront(route, api, {
    stats,
    isPublic: (method, path) => isPublic(method, path) !== undefined,
    pages: [apiDocs(spec.document, route, spec.upstream), twinControl(twin)],
  });
  // Every API call is logged and may meet a fault, before the Bearer check (a 429 comes before a 401).
  const gateway: Handler = (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (!path.startsWith("/api/v1/")) return front(req, res);
    twin.log.record(req, res);
    twin.faults.apply(req, res, path.slice("/api/v1".length), () => front(req, res));
  };
  let server: Awaited<ReturnType<typeof listenLoopback>>;
  try {
    server = await listenLoopback(gateway, options.port ?? 0);
  } catch (error) {
    proxy.close();
    await prism.close();
    throw error;
  }
  try {
    twin.listen(`${server.url}/api/v1`);
  } catch (error) {
    await server.stop();
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
    reset: () => twin.reset(),
    get requests() {
      return twin.log.entries;
    },
    fault: (rule) => twin.faults.add(rule),
    twin,
    async stop() {
      route.releaseHanging();
      await server.stop();
      proxy.close();
      await prism.close();
    },
  };
}
