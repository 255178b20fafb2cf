import shared from "@dataloop-ts/test-kit/vitest";
import { mergeConfig } from "vitest/config";

// The reference is built once, before the test files (test/build-reference.global.ts): it converts six
// packages with TypeDoc, minutes of CPU on a busy machine; the link check and the examples' type-check
// take tens of seconds more.
export default mergeConfig(shared, {
  test: { globalSetup: ["./test/build-reference.global.ts"], testTimeout: 180_000, hookTimeout: 180_000 },
});
