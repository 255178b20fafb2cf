export { default } from "@dataloop-ts/test-kit/vitest";
