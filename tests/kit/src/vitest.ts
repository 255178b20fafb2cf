import { configDefaults, defineConfig } from "vitest/config";

/**
 * Heavy tests (`test/heavy/**`: a cold spec build, a thousand-file storm) are bounded by the work they do,
 * not by a guess at how fast a machine is: they run apart, one file at a time, after the main suite
 * (`pnpm test:heavy` in a package; `scripts/test.mjs` runs both). Picked by the script's name, so that
 * the package scripts stay plain `vitest run`; `DATALOOP_TS_TESTS=heavy npx vitest run` does the same.
 */
const heavy = process.env.npm_lifecycle_event === "test:heavy" || process.env.DATALOOP_TS_TESTS === "heavy";

/**
 * The one vitest configuration of the workspace's packages. Their tests start real servers, real
 * type-checks and child processes, which take seconds each on a 2-core CI machine.
 */
export default defineConfig({
  test: {
    include: heavy ? ["test/heavy/**/*.test.ts"] : ["test/**/*.test.ts"],
    exclude: heavy ? configDefaults.exclude : [...configDefaults.exclude, "test/heavy/**"],
    ...(heavy ? { fileParallelism: false } : {}),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
