import shared from "@dataloop-ts/test-kit/vitest";
import { mergeConfig } from "vitest/config";

// Packing and installing the tarballs into a fresh project takes minutes on a busy 2-core machine.
export default mergeConfig(shared, { test: { testTimeout: 300_000, hookTimeout: 300_000 } });
