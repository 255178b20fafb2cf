import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { apiReport, PACKAGES, reportPath } from "../src/report.ts";

describe("the committed API report of each package matches its built surface", () => {
  it.each(PACKAGES)("%s", (name) => {
    const path = reportPath(name);
    expect(existsSync(path), `${path} is missing`).toBe(true);
    // On a mismatch: the surface changed. If that is meant, run
    // `scripts/pnpm api:update` and commit the new report with the change.
    expect(apiReport(name)).toBe(readFileSync(path, "utf8"));
  });

  it("a report tells surfaces apart: classes with their code, functions with their signature", () => {
    const core = apiReport("core");
    expect(core).toMatch(/class DataloopError \{\n\s+new\(init: DataloopErrorInit\): DataloopError/);
    expect(core).toContain("const operationKey: (method: string, path: string) => string");
    expect(core).not.toContain("captureStackTrace"); // what Error brings is not the package's surface
  });
});
