import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { isHttpUrl } from "@dataloop-ts/core";
import { parse as parseYaml } from "yaml";
import { OverlayInvalidError } from "./errors.js";
import { type Overlay, parseOverlay } from "./overlay.js";

/**
 * Where a repository keeps its pin: the lock, the pinned document itself, and the overlay (all in `specs/`).
 * @example
 * ```ts
 * import { type Project, projectAt } from "@dataloop-ts/codegen";
 *
 * const project: Project = projectAt("/work/dataloop-ts");
 * console.log(project.lockPath); // /work/dataloop-ts/specs/dataloop.lock.json
 * ```
 */
export interface Project {
  root: string;
  specsDir: string;
  lockPath: string;
  overlayPath: string;
}

export const LOCK_FILE = "specs/dataloop.lock.json";
export const OVERLAY_FILE = "specs/dataloop.overlay.yaml";

/**
 * The project whose `specs/` folder is in `root` (the lock, the pinned document and the overlay there).
 * @example
 * ```ts
 * import { loadPinned, projectAt } from "@dataloop-ts/codegen";
 *
 * const { pin } = await loadPinned(projectAt(process.cwd()));
 * ```
 */
export function projectAt(root: string): Project {
  const r = resolve(root);
  return {
    root: r,
    specsDir: join(r, "specs"),
    lockPath: join(r, LOCK_FILE),
    overlayPath: join(r, OVERLAY_FILE),
  };
}

/**
 * The nearest folder at or above `from` that has a `specs/` folder; `from` itself when none does.
 * @example
 * ```ts
 * import { findProject } from "@dataloop-ts/codegen";
 *
 * const project = findProject(); // from the current folder up, as git finds its repository
 * console.log(project.root);
 * ```
 */
export function findProject(from = process.cwd()): Project {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, LOCK_FILE)) || existsSync(join(dir, OVERLAY_FILE))) return projectAt(dir);
    if (dirname(dir) === dir) return projectAt(from);
  }
}

/** Sources are provenance: URLs as they are, files relative to the project root (no machine's absolute path). */
export function storeSource(project: Project, source: string): string {
  if (isHttpUrl(source)) return source;
  return relative(project.root, resolve(source)).split(sep).join("/");
}

export function resolveSource(project: Project, stored: string): string {
  if (isHttpUrl(stored) || isAbsolute(stored)) return stored;
  return join(project.root, stored);
}

/**
 * The project's overlay (`specs/dataloop.overlay.yaml`); an empty one when there is none.
 * @example
 * ```ts
 * import { findProject, readOverlay } from "@dataloop-ts/codegen";
 *
 * const { actions } = await readOverlay(findProject());
 * ```
 */
export const readOverlay = (project: Project): Promise<Overlay> => readOverlayFile(project.overlayPath);

/**
 * An overlay file (YAML or JSON); a missing file is an empty overlay.
 * @example
 * ```ts
 * import { readOverlayFile } from "@dataloop-ts/codegen";
 *
 * const overlay = await readOverlayFile("specs/dataloop.overlay.yaml"); // OverlayInvalidError names a bad action
 * ```
 */
export async function readOverlayFile(path: string): Promise<Overlay> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    // No overlay file: only the generic normalisations run.
    return { overlay: "1.0.0", info: { title: "none", version: "0" }, actions: [] };
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new OverlayInvalidError({
      message: `The overlay ${path} is not valid YAML: ${(error as Error).message.split("\n")[0]}`,
      hint: "Fix the YAML syntax of the overlay.",
      cause: error,
    });
  }
  return parseOverlay(value, path);
}
