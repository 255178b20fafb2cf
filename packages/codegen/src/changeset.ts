import { join } from "node:path";
import { writeFileAtomic } from "@dataloop-ts/core/node";
import { type ApiDiff, formatDiff } from "./diff.js";

/** The packages that publish what the spec is: the document itself, and the types made from it. */
export const SPEC_PACKAGES = ["@dataloop-ts/spec", "@dataloop-ts/client"];

/**
 * A changeset (https://github.com/changesets/changesets) asking for the diff's bump, its body the API changelog.
 * @example
 * ```ts
 * import { changesetFor, diffSpecs, loadSpec, repairPinned, findProject, assertOpenApi3 } from "@dataloop-ts/codegen";
 *
 * const before = await repairPinned(findProject());
 * const after = (await loadSpec("https://gate.dataloop.ai/api/v1/swagger-file")).document;
 * assertOpenApi3(after, "gateway");
 * const changeset = changesetFor(diffSpecs(before.repaired, after)); // undefined when no package must move
 * ```
 */
export function changesetFor(diff: ApiDiff, packages: readonly string[] = SPEC_PACKAGES): string | undefined {
  if (diff.bump === "none") return undefined;
  const front = packages.map((p) => `"${p}": ${diff.bump}`).join("\n");
  const title = `Dataloop API ${diff.from.version ?? "?"} → ${diff.to.version ?? "?"}: spec change`;
  return `---\n${front}\n---\n\n${title}\n\n${formatDiff(diff)}\n`;
}

/**
 * Writes the changeset into `.changeset/` under a name derived from the new spec's hash.
 * @example
 * ```ts
 * import { writeChangeset } from "@dataloop-ts/codegen";
 *
 * const body = '---\n"@dataloop-ts/client": minor\n---\n\nNew operations.\n';
 * const path = await writeChangeset(process.cwd(), "a1b2c3d4", body); // .changeset/<name>.md, written atomically
 * ```
 */
export async function writeChangeset(rootDir: string, id: string, body: string): Promise<string> {
  const path = join(rootDir, ".changeset", `dataloop-api-${id}.md`);
  await writeFileAtomic(path, body);
  return path;
}
