// Empties the package's dist/ before a build: a module that was moved or deleted must not ship from
// an earlier build (its stale .d.ts.map would point at a source the tarball no longer has).
import { rmSync } from "node:fs";

rmSync("dist", { recursive: true, force: true });
