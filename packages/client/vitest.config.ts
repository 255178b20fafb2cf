import { fileURLToPath } from "node:url";
import config from "@dataloop-ts/test-kit/vitest";
import { mergeConfig } from "vitest/config";

// Tests run the sources: the package's `#transport` import (dist/ by export condition) is the Node one here.
export default mergeConfig(config, {
  resolve: { alias: { "#transport": fileURLToPath(new URL("./src/transport-undici.ts", import.meta.url)) } },
});
