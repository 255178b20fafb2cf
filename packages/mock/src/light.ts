// The light mock gateway: the token route (real ES256 JWTs), the Bearer check and the website login
// in front of an echo API or a handler of yours. jose and node:http only: no spec, no Prism, nothing to
// build first. What @dataloop-ts/auth's own tests run against.

export { type LoopbackServer, listenLoopback } from "@dataloop-ts/core/node";
export { type EchoGateway, startEchoGateway } from "./echo-gateway.js";
export { echoApi, type FrontOptions, gatewayFront, type Handler, type Page } from "./front.js";
export {
  DEFAULT_BOT,
  type MockUser,
  TokenRoute,
  type TokenRouteCalls,
  type TokenRouteMode,
  type TokenRouteOptions,
} from "./token-route.js";
