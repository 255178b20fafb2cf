import { execFileSync } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root (this file is tests/runtimes/src/packed.ts). */
export const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/**
 * A fresh project in `dir` (outside the workspace, so nothing resolves from it) with the packed
 * tarballs of `packages` installed by npm, as a user installs them from the registry: what runs there
 * is what would be published, not the workspace's links. As tests/consumer does it.
 */
export async function installPacked(
  dir: string,
  packages: readonly string[],
  extra: readonly string[] = [],
): Promise<void> {
  const packs = join(dir, "tarballs");
  const app = join(dir, "app");
  await mkdir(packs, { recursive: true });
  await mkdir(app, { recursive: true });
  for (const name of packages)
    run("pnpm", ["pack", "--pack-destination", packs], join(repo, "packages", name));
  const files = await readdir(packs);
  const tarballs = packages.map((name) => {
    const file = files.find((f) => f.startsWith(`dataloop-ts-${name}-`));
    if (!file) throw new Error(`pnpm pack wrote no tarball for ${name} in ${packs}: ${files.join(", ")}`);
    return join(packs, file);
  });
  await writeFile(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefer-offline", ...tarballs, ...extra],
    app,
  );
}
