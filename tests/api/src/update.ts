// Writes every package's api-report.md from its built .d.ts (after `scripts/pnpm build`).
import { writeFileSync } from "node:fs";
import { apiReport, PACKAGES, reportPath } from "./report.ts";

for (const name of PACKAGES) {
  writeFileSync(reportPath(name), apiReport(name));
  console.log(`wrote ${reportPath(name)}`);
}
