import { defineConfig } from "vitest/config";

/**
 * The one vitest configuration of the workspace's packages. Their tests start real servers, real
 * type-checks and child processes, which take seconds each on a 2-core CI machine.
 */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
