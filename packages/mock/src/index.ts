export { echoApi, type FrontOptions, gatewayFront, type Handler } from "./front.js";
export { type LoopbackServer, listenLoopback } from "./server.js";
export {
  DEFAULT_BOT,
  type MockUser,
  TokenRoute,
  type TokenRouteCalls,
  type TokenRouteMode,
  type TokenRouteOptions,
} from "./token-route.js";
export { type EchoGateway, startEchoGateway } from "./token-server.js";
