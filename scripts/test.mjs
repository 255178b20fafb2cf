// The README's test command: lint, then every package's typecheck and tests through turbo, then the
// heavy tests (`test:heavy`: test/heavy/** of the packages that have them) one package at a time, then one
// closing line that adds up the vitest JSON reports of both runs: "N passed, N failed", after any
// failure repeated.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { stripVTControlCharacters } from "node:util";

const run = (cmd, args) =>
  spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, FORCE_COLOR: "0" } }).status ?? 1;
const reports = ["packages", "tests"].flatMap((dir) =>
  readdirSync(dir).flatMap((p) =>
    ["vitest.json", "vitest-heavy.json"].map((f) => join(dir, p, ".test-output", f)),
  ),
);
for (const r of reports) rmSync(r, { force: true });

const turbo = (tasks, ...more) =>
  run("turbo", [
    "run",
    ...tasks,
    "--output-logs=new-only",
    "--log-order=grouped",
    // One failing package must not hide how the others fare.
    "--continue",
    ...more,
    ...process.argv.slice(2),
  ]);

let status = run("biome", ["ci", ".", "--colors=off"]);
// No import circle in any package's source (type-only imports included): .dependency-cruiser.cjs.
if (status === 0) status = run("depcruise", ["packages/*/src", "--config", ".dependency-cruiser.cjs"]);
// The GitHub workflows, each against the schema GitHub validates them with (action-validator).
for (const file of readdirSync(".github/workflows").filter((f) => /\.ya?ml$/.test(f)))
  if (status === 0) status = run("action-validator", [join(".github/workflows", file)]);
if (status === 0) {
  status = turbo(["typecheck", "lint:package", "test"]);
  // After the main suite, even when it failed (its failures and these are reported together), and
  // serially: each heavy test is bounded by its work, measured alone, so nothing else runs beside it.
  const heavy = turbo(["test:heavy"], "--concurrency=1");
  if (status === 0) status = heavy;
}

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
