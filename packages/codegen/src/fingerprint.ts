import { readFileSync } from "node:fs";
import { sha256 } from "./source.js";

/** This package's version: a new codegen may emit differently, so it is part of the fingerprint. */
export const CODEGEN_VERSION: string = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8"),
).version;

/** openapi-typescript options, fixed: they are part of the output's fingerprint. */
export const EMIT_OPTIONS = {
  // The gateway marks optional body fields with `default`; with the default `true` they would turn required.
  defaultNonNullable: false,
  silent: true,
} as const;

/**
 * TypeScript types for string formats openapi-typescript leaves as `string`: a `format: binary` part or
 * body is bytes, which a caller passes (and gets) as a Blob (a File is one).
 */
export const FORMAT_TYPES = { binary: "Blob" } as const;

/** What decides the output: a change in any of these makes generated code stale. */
export const fingerprintOf = (specSha256: string, overlaySha256: string) =>
  sha256(
    JSON.stringify({
      specSha256,
      overlaySha256,
      codegen: CODEGEN_VERSION,
      options: EMIT_OPTIONS,
      formats: FORMAT_TYPES,
    }),
  ).slice(0, 32);

const FINGERPRINT_LINE = /^\/\/ fingerprint: ([0-9a-f]+)$/m;
export const readFingerprint = (generated: string) => FINGERPRINT_LINE.exec(generated)?.[1];
