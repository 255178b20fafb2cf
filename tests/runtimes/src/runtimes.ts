import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
/** Where one of this package's optional dependencies lies (its package.json's folder). */
function packageDir(name: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch (error) {
    throw new Error(
      `${name} is not installed: pnpm installs it on linux x64 (glibc) only. Run scripts/bootstrap.sh on such a machine, or pin the package for this platform in tests/runtimes/package.json.`,
      { cause: error },
    );
  }
}

/**
 * The runtimes besides Node, as the npm registry ships them: each package carries the binary itself
 * (no postinstall step, which pnpm would block anyway), so `pnpm install` is all a machine needs.
 * `args`: how the runtime runs one ES module file with what the program needs and nothing more.
 */
export const RUNTIMES = {
  bun: {
    binary: () => join(packageDir("@oven/bun-linux-x64"), "bin/bun"),
    args: (file: string) => ["run", file],
  },
  deno: {
    binary: () => join(packageDir("@deno/linux-x64-glibc"), "deno"),
    // Deno asks before touching the network, the environment or files; the program needs the mock on
    // loopback, its own environment and the installed node_modules (read).
    args: (file: string) => ["run", "--allow-net=127.0.0.1", "--allow-env", "--allow-read", file],
  },
} as const;

export type RuntimeName = keyof typeof RUNTIMES;
