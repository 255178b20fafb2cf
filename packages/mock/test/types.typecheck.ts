// Type tests of the public API (checked by tsc in the typecheck task; this file never runs).
import { expectTypeOf } from "vitest";
import { type MockGateway, startMockGateway } from "../src/index.js";
import * as light from "../src/light.js";

export async function optionsAndResult() {
  const gateway = await startMockGateway({ spec: "draft.json", cacheDir: false, lifetimeSeconds: 5 });
  expectTypeOf(gateway).toEqualTypeOf<MockGateway>();
  expectTypeOf(gateway.apiUrl).toEqualTypeOf<string>();
  expectTypeOf(gateway.spec.sha256).toEqualTypeOf<string>();
  // @ts-expect-error the API base is `apiUrl`, as everywhere in dataloop-ts
  gateway.url;
  // @ts-expect-error the spec comes from @dataloop-ts/spec or `spec`, not a project folder
  await startMockGateway({ project: {} });
}

export function theLightEntryHasNoPrism() {
  expectTypeOf(light.startEchoGateway).toBeFunction();
  // @ts-expect-error the Prism gateway is the main entry's
  light.startMockGateway;
}

export async function theTwinsOptionsAndFaults() {
  const gateway = await startMockGateway({ seed: 7, fixtures: "fixtures.json", strict: true });
  gateway.reset();
  const off = gateway.fault({
    route: "GET /items/{id}",
    fault: { kind: "latency", latencyMs: 50 },
    times: 1,
  });
  expectTypeOf(off).toEqualTypeOf<() => void>();
  // @ts-expect-error a 429 says how long in seconds, as Retry-After does
  gateway.fault({ route: "*", fault: { kind: "429", retryAfterMs: 5 } });
  // @ts-expect-error a latency fault needs its latencyMs
  gateway.fault({ route: "*", fault: { kind: "latency" } });
  expectTypeOf(gateway.requests[0]?.status).toEqualTypeOf<number | undefined>();
  // @ts-expect-error fixtures name their items' dataset
  await startMockGateway({ fixtures: { items: [{ filename: "/a.txt" }] } });
}
