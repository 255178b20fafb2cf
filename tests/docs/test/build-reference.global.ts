// Builds the reference once for every test file of this package (the same command as `scripts/pnpm
// docs`, into this package's test output): a build converts six packages, minutes of CPU on a busy machine.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { stripVTControlCharacters } from "node:util";
import type { TestProject } from "vitest/node";

export interface ReferenceBuild {
  status: number | null;
  output: string;
  /** The folder the site and its api.json were written to. */
  out: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    reference: ReferenceBuild;
  }
}

export default function buildReference(project: TestProject) {
  const root = resolve(import.meta.dirname, "../../..");
  const out = resolve(import.meta.dirname, "../.test-output/api");
  rmSync(out, { recursive: true, force: true });
  const run = spawnSync(process.execPath, [join(root, "scripts/docs.mjs"), "--out", out], {
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  project.provide("reference", {
    status: run.status,
    output: stripVTControlCharacters(`${run.stdout}${run.stderr}`),
    out,
  });
}
