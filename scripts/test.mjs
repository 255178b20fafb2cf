// The README's test command: lint, then every package's typecheck and tests through turbo, then one
// closing line that adds up the vitest JSON reports: "N passed, N failed", after any failure repeated.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { stripVTControlCharacters } from "node:util";

const run = (cmd, args) =>
  spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, FORCE_COLOR: "0" } }).status ?? 1;
const reports = ["packages", "tests"].flatMap((dir) =>
  readdirSync(dir).map((p) => join(dir, p, ".test-output", "vitest.json")),
);
for (const r of reports) rmSync(r, { force: true });

let status = run("biome", ["ci", ".", "--colors=off"]);
// No import circle in any package's source (type-only imports included): .dependency-cruiser.cjs.
if (status === 0) status = run("depcruise", ["packages/*/src", "--config", ".dependency-cruiser.cjs"]);
// The GitHub workflows, each against the schema GitHub validates them with (action-validator).
for (const file of readdirSync(".github/workflows").filter((f) => /\.ya?ml$/.test(f)))
  if (status === 0) status = run("action-validator", [join(".github/workflows", file)]);
if (status === 0)
  status = run("turbo", [
    "run",
    "typecheck",
    "lint:package",
    "test",
    "--output-logs=new-only",
    "--log-order=grouped",
    // One failing package must not hide how the others fare.
    "--continue",
    ...process.argv.slice(2),
  ]);

let passed = 0;
let failed = 0;
let skipped = 0;
// Failures are repeated at the very end, because that is the part of a long CI log people see; a file
// whose setup failed counts as a failure, not as its tests "skipped".
const failures = [];
for (const r of reports.filter(existsSync)) {
  const json = JSON.parse(readFileSync(r, "utf8"));
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  skipped += json.numPendingTests + json.numTodoTests;
  for (const file of json.testResults) {
    const where = relative(process.cwd(), file.name);
    if (file.status === "failed" && file.message) {
      failed += 1;
      failures.push(`${where}: ${file.message}`);
    }
    for (const t of file.assertionResults)
      if (t.status === "failed") failures.push(`${where} > ${t.fullName}: ${t.failureMessages.join("\n")}`);
  }
}
for (const f of failures.map(stripVTControlCharacters))
  console.log(`\nFAILED ${f.length > 3000 ? `${f.slice(0, 3000)}…` : f}`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(status !== 0 ? status : failed > 0 ? 1 : 0);
