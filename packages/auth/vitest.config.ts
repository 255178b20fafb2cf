import shared from "@dataloop-ts/test-kit/vitest";
import { mergeConfig } from "vitest/config";

export default mergeConfig(shared, {
  // The light mock gateway from its source (token route, Bearer check, echo API: jose and node:http
  // only), so auth's tests need neither the codegen nor Prism built. packages/auth/turbo.json lists
  // that source among the test inputs.
  resolve: {
    alias: { "@dataloop-ts/mock/light": new URL("../mock/src/light.ts", import.meta.url).pathname },
  },
});
