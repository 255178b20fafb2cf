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
