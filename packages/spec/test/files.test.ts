import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// The codegen's own function, by path: the spec package's fingerprint must be exactly what it computes.
import { fingerprintOf } from "../../codegen/src/fingerprint.js";
import { readManifest, readRepairedSpec, specFiles } from "../src/index.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const lock = JSON.parse(readFileSync(join(repo, "specs/dataloop.lock.json"), "utf8"));

describe("the files @dataloop-ts/spec ships", () => {
  it("upstream.json is the repository's pinned document, byte for byte", () => {
    expect(sha(specFiles.upstream)).toBe(lock.sha256);
    expect(readFileSync(specFiles.upstream)).toEqual(readFileSync(join(repo, "specs", lock.file)));
  });

  it("the manifest names the pin, the overlay and the fingerprint in the client's generated types", () => {
    const manifest = readManifest();
    expect(manifest).toMatchObject({ sha256: lock.sha256, title: lock.title, version: lock.version });
    expect(manifest.overlaySha256).toBe(sha(join(repo, "specs/dataloop.overlay.yaml")));
    expect(sha(specFiles.overlay)).toBe(manifest.overlaySha256);
    // What the codegen writes into the generated types' header for this pin and overlay.
    expect(manifest.fingerprint).toBe(fingerprintOf(lock.sha256, manifest.overlaySha256));
  });

  it("openapi.json is the repaired document: unique operationIds, no per-operation security: []", () => {
    const doc = readRepairedSpec() as {
      paths: Record<string, Record<string, { operationId?: string; security?: unknown[] }>>;
    };
    const ops = Object.values(doc.paths).flatMap((item) =>
      Object.values(item).filter((o) => typeof o === "object" && o && "responses" in o),
    );
    const ids = ops.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => typeof id === "string" && !id.includes(" "))).toBe(true);
    expect(doc.paths["/users/me"]?.get?.security).toBeUndefined();
  });
});
