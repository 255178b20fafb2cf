import shared from "@dataloop-ts/test-kit/vitest";
import { mergeConfig } from "vitest/config";

// Packing, installing and type-checking in fresh projects take minutes, not seconds.
export default mergeConfig(shared, { test: { testTimeout: 300_000, hookTimeout: 300_000 } });
