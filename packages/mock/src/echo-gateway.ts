import { type LoopbackServer, listenLoopback } from "@dataloop-ts/core/node";
import { echoApi, gatewayFront, type Handler } from "./front.js";
import { TokenRoute, type TokenRouteOptions } from "./token-route.js";

export interface EchoGateway extends LoopbackServer {
  /** The gate URL to give a client: the token route answers at `${gateUrl}/token?default`. */
  gateUrl: string;
  /** `${gateUrl}/api/v1` */
  apiUrl: string;
  route: TokenRoute;
  stats: { api: number; unauthorized: number };
}

/**
 * The token route and the gateway's Bearer check in front of an echo API (or `api`), on a loopback
 * port: for auth tests that need the gateway's behaviour but no spec behind it.
 * @example
 * ```ts
 * import { createAuth, passwordAuth } from "@dataloop-ts/auth";
 * import { startEchoGateway } from "@dataloop-ts/mock/light";
 *
 * const gateway = await startEchoGateway({ lifetimeSeconds: 60 });
 * const auth = createAuth(passwordAuth({ email: "bot@example.com", password: "password" }), { gateUrl: gateway.gateUrl });
 * const res = await fetch(`${gateway.apiUrl}/anything`, { headers: { authorization: `Bearer ${await auth.token()}` } });
 * console.log(res.status, await res.json(), gateway.stats); // the echo of the request
 * await gateway.stop();
 * ```
 */
export async function startEchoGateway(
  options: TokenRouteOptions & { api?: Handler } = {},
): Promise<EchoGateway> {
  const route = await TokenRoute.create(options);
  const stats = { api: 0, unauthorized: 0 };
  const server = await listenLoopback(gatewayFront(route, options.api ?? echoApi, { stats }));
  const stop = server.stop;
  return {
    ...server,
    gateUrl: server.url,
    apiUrl: `${server.url}/api/v1`,
    route,
    stats,
    stop: async () => {
      route.releaseHanging();
      await stop();
    },
  };
}
