// The README's test command: lint, then every package's typecheck and tests through turbo, then one
// closing line that adds up the vitest JSON reports: "N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const run = (cmd, args) =>
  spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, FORCE_COLOR: "0" } }).status ?? 1;
const reports = ["packages", "tests"].flatMap((dir) =>
  readdirSync(dir).map((p) => join(dir, p, ".test-output", "vitest.json")),
);
for (const r of reports) rmSync(r, { force: true });

let status = run("biome", ["ci", ".", "--colors=off"]);
if (status === 0)
  status = run("turbo", [
    "run",
    "typecheck",
    "lint:package",
    "test",
    "--output-logs=new-only",
    "--log-order=grouped",
    ...process.argv.slice(2),
  ]);

let passed = 0;
let failed = 0;
let skipped = 0;
for (const r of reports.filter(existsSync)) {
  const json = JSON.parse(readFileSync(r, "utf8"));
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  skipped += json.numPendingTests + json.numTodoTests;
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(status !== 0 ? status : failed > 0 ? 1 : 0);
