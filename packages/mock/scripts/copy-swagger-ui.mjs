// Copies the Swagger UI files the docs page serves (src/docs.ts) from swagger-ui-dist, a devDependency,
// into dist/swagger-ui/, so that users of the package get Swagger UI without installing swagger-ui-dist,
// which depends on @scarf/scarf (a postinstall that reports installs: telemetry). Source maps stay out
// (2.6 MB the docs page does not need). Run by the package's `build` script, after tsc.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const from = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const to = "dist/swagger-ui";
// What indexHtml in src/docs.ts loads, and the licences that travel with the bundles.
const FILES = [
  "swagger-ui-bundle.js",
  "swagger-ui-bundle.js.LICENSE.txt",
  "swagger-ui-standalone-preset.js",
  "swagger-ui-standalone-preset.js.LICENSE.txt",
  "swagger-ui.css",
  "favicon-32x32.png",
  "LICENSE",
  "NOTICE",
];
mkdirSync(to, { recursive: true });
for (const file of FILES) copyFileSync(join(from, file), join(to, file));
