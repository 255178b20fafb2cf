import shared from "@dataloop-ts/test-kit/vitest";
import { mergeConfig } from "vitest/config";

// Building the reference converts four packages with TypeDoc (about 10 s of CPU; more on a busy machine).
export default mergeConfig(shared, { test: { testTimeout: 180_000, hookTimeout: 180_000 } });
