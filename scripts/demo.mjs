// The main job on its embedded default: for now, show that the pinned spec and generated code agree.
import { execFileSync } from "node:child_process";

execFileSync(process.execPath, ["packages/codegen/dist/cli.js", "check"], { stdio: "inherit" });
