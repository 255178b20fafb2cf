import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real specs, real type-checks and child processes: seconds each on a 2-core CI machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
