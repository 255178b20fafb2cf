import { readFile } from "node:fs/promises";
import { reorderKeys } from "@dataloop-ts/test-kit";
import { describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import { canonicalSha256 } from "../src/canonical.js";
import { parseDocument } from "../src/source.js";
import { NEW_SPEC, OLD_SPEC } from "./helpers.js";

describe("the noise rule: when is an upstream document unchanged", () => {
  it("key order, indentation and JSON vs YAML do not count (the real snapshot, re-serialised three ways)", async () => {
    const doc = JSON.parse(await readFile(NEW_SPEC, "utf8"));
    const sha = canonicalSha256(doc);
    expect(canonicalSha256(reorderKeys(doc))).toBe(sha);
    expect(canonicalSha256(JSON.parse(JSON.stringify(doc)))).toBe(sha);
    expect(canonicalSha256(parseDocument(Buffer.from(toYaml(doc)), "x.yaml").document)).toBe(sha);
  });

  it("the host in `servers` does not count; anything else does, a description included", async () => {
    const doc = JSON.parse(await readFile(NEW_SPEC, "utf8"));
    const sha = canonicalSha256(doc);
    expect(canonicalSha256({ ...doc, servers: [{ url: "https://rc-gate.dataloop.ai/api/v1" }] })).toBe(sha);
    expect(canonicalSha256({ ...doc, info: { ...doc.info, description: "another build" } })).not.toBe(sha);
    expect(canonicalSha256({ ...doc, info: { ...doc.info, version: "1.11.3" } })).not.toBe(sha);
  });

  it("the two real snapshots differ", async () => {
    const [a, b] = await Promise.all(
      [OLD_SPEC, NEW_SPEC].map(async (p) => JSON.parse(await readFile(p, "utf8"))),
    );
    expect(canonicalSha256(a)).not.toBe(canonicalSha256(b));
  });
});
