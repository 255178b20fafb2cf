export { addBelievableExamples } from "./believable.js";
export { apiDocs } from "./docs.js";
export { addResponseExamples, type ExampleReport } from "./examples.js";
export { echoApi, type FrontOptions, gatewayFront, type Handler, type Page } from "./front.js";
export { type MockGateway, type MockGatewayOptions, startMockGateway } from "./gateway.js";
export { loginPage } from "./login-page.js";
export { type PrismOptions, type PrismServer, startPrism } from "./prism.js";
export { type LoopbackServer, listenLoopback } from "./server.js";
export {
  defaultCacheDir,
  type MockSpec,
  type MockSpecOptions,
  mockableDocument,
  prepareMockSpec,
} from "./spec.js";
export {
  DEFAULT_BOT,
  type MockUser,
  TokenRoute,
  type TokenRouteCalls,
  type TokenRouteMode,
  type TokenRouteOptions,
} from "./token-route.js";
export { type EchoGateway, startEchoGateway } from "./token-server.js";
export { createSpecValidator, type SpecValidator } from "./validate.js";
