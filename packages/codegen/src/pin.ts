import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic.js";
import { CodegenError } from "./errors.js";
import type { SpecCounts } from "./openapi.js";
import type { Project } from "./project.js";

/** `specs/dataloop.lock.json`: which spec the repository builds from. */
export interface SpecPin {
  /** URL, or a path relative to the project root. */
  source: string;
  sha256: string;
  title: string;
  version: string;
  openapi: string;
  counts: SpecCounts;
  retrievedAt: string;
}

export async function readPin(project: Project): Promise<SpecPin> {
  let text: string;
  try {
    text = await readFile(project.lockPath, "utf8");
  } catch {
    throw new CodegenError(
      "PIN_MISSING",
      `No spec pin at ${project.lockPath}.`,
      "Run `dataloop-codegen pull` (or `pull --from PATH`) to pin a spec first.",
    );
  }
  const pin = JSON.parse(text) as SpecPin;
  if (typeof pin.sha256 !== "string" || typeof pin.source !== "string") {
    throw new CodegenError(
      "PIN_MISSING",
      `The pin ${project.lockPath} has no source/sha256.`,
      "Run `dataloop-codegen pull` to write it again.",
    );
  }
  return pin;
}

export const writePin = (project: Project, pin: SpecPin) =>
  writeFileAtomic(project.lockPath, `${JSON.stringify(pin, null, 2)}\n`);

/** The cache holds exact upstream bytes by hash, so a new pull never overwrites what the old pin points at. */
export const cachePath = (project: Project, sha256: string) => join(project.cacheDir, `${sha256}.spec`);
