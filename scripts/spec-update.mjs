#!/usr/bin/env node
// What the scheduled "spec update" workflow runs (.github/workflows/spec-update.yml), kept here so that
// it runs, and is tested, anywhere: `dataloop-codegen update`, then, when the API changed, one commit
// (the pin and the changeset) on a branch, and the pull-request body in a file. Pushing the branch and
// opening the pull request are the workflow's (they need GitHub's token).
//
//   node scripts/spec-update.mjs [--root DIR] [--from URL|PATH] [--branch NAME] [--pr-body FILE]
//
// Exit 0 whatever the document did (unchanged, changed, flap: the outcome is printed and, under
// GitHub Actions, written to $GITHUB_OUTPUT as `status`); 1 when the update failed.
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    root: { type: "string", default: resolve(here, "..") },
    from: { type: "string" },
    branch: { type: "string", default: "spec-update" },
    "pr-body": { type: "string" },
  },
});
const root = resolve(values.root);
const body = resolve(values["pr-body"] ?? join(root, ".spec-update-pr.md"));
const codegen = resolve(here, "../packages/codegen/dist/cli.js");
const output = (key, value) => {
  if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `${key}=${value}\n`);
};
const git = (...args) => execFileSync("git", ["-C", root, ...args], { encoding: "utf8" }).trim();

const run = spawnSync(
  process.execPath,
  [
    codegen,
    "update",
    "--root",
    root,
    "--out",
    join(root, "packages/client/src/generated"),
    "--pr-body",
    body,
    ...(values.from ? ["--from", values.from] : []),
  ],
  { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
);
const status = { 0: "unchanged", 3: "changed", 4: "flap" }[run.status ?? -1];
if (!status) {
  console.error(`spec-update: dataloop-codegen update failed (exit ${run.status})`);
  process.exit(1);
}
output("status", status);
if (status !== "changed") {
  console.log(run.stdout.trim());
  process.exit(0);
}
const pin = JSON.parse(readFileSync(join(root, "specs/dataloop.lock.json"), "utf8"));
const title = run.stdout.split("\n")[0].replace(/^#+\s*/, "");
git("checkout", "-B", values.branch);
git("add", "specs", ".changeset");
git(
  "-c",
  "user.name=dataloop-ts spec bot",
  "-c",
  "user.email=spec-bot@users.noreply.github.com",
  "commit",
  "--quiet",
  "-m",
  title,
  "-m",
  `Pinned ${pin.source} (sha256 ${pin.sha256}); see the pull request for the API changes.`,
);
output("title", title);
output("body", body);
console.log(`spec-update: committed "${title}" on ${values.branch}; pull-request body in ${body}`);
