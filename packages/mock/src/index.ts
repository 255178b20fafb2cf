// The public surface of @dataloop-ts/mock: what its README documents (api-report.md records it).
// `@dataloop-ts/mock/light` is the same without Prism: the token route, the Bearer check, an echo API.
export { type MockGateway, type MockGatewayOptions, startMockGateway } from "./gateway.js";
export * from "./light.js";
export { defaultCacheDir, type MockSpec, type MockSpecOptions, prepareMockSpec } from "./spec.js";
export { type FaultRule, type TwinFault, TwinFaultError } from "./twin/faults.js";
export type { LoggedRequest } from "./twin/request-log.js";
export { type TwinFixtures, TwinFixturesError } from "./twin/seed.js";
export type { GatewayTwin, TwinOptions } from "./twin/twin.js";
export { createSpecValidator, type SpecValidator } from "./validate.js";
