import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // The light mock gateway from its source (token route, Bearer check, echo API: jose and node:http
  // only), so auth's tests need neither the codegen nor Prism built. packages/auth/turbo.json lists
  // that source among the test inputs.
  resolve: {
    alias: { "@dataloop-ts/mock/light": fileURLToPath(new URL("../mock/src/light.ts", import.meta.url)) },
  },
  test: {
    include: ["test/**/*.test.ts"],
    // Real specs, real type-checks and child processes: seconds each on a 2-core CI machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
