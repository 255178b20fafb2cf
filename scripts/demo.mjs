// The main job on its embedded default: the README quick start against the local mock gateway
// (token route + Prism on the pinned spec): bot login, a typed call, a paged listing, a refresh.
import { spawnSync } from "node:child_process";

const { status } = spawnSync(process.execPath, ["examples/quickstart.ts"], {
  cwd: "packages/client",
  stdio: "inherit",
});
process.exit(status ?? 1);
