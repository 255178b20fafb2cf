import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { LinkChecker, LinkState } from "linkinator";
import ts from "typescript";
import { beforeAll, describe, expect, inject, it } from "vitest";
import {
  coverageProblems,
  membersNotListed,
  notYetDocumented,
  PAGES_URL,
  publicExports,
} from "../../../scripts/docs.mjs";

const root = resolve(import.meta.dirname, "../../..");
const examplesDir = resolve(import.meta.dirname, "../.test-output/examples");
/** The covered packages: typedoc.json's entryPoints, the one list (extend it there). */
const covered: string[] = JSON.parse(readFileSync(join(root, "typedoc.json"), "utf8")).entryPoints;

type Export = ReturnType<typeof publicExports>[number];
// Built once for every test file of this package (test/build-reference.global.ts).
const build = inject("reference");
const out = build.out;
let exports: Export[] = [];

beforeAll(() => {
  if (build.status === 0) exports = publicExports(JSON.parse(readFileSync(join(out, "api.json"), "utf8")));
});

describe("the API reference", () => {
  it("builds with zero warnings (TypeDoc's validation and every export's summary and @example)", () => {
    expect(build.output.split("\n").filter((l) => /\[(warning|error)\]/.test(l))).toEqual([]);
    expect(build.status, build.output).toBe(0);
  });

  it("covers every package listed in typedoc.json, each of its entry points", () => {
    const entries = new Set(exports.map((e) => e.id.slice(0, e.id.indexOf("#"))));
    for (const dir of covered) {
      const pkg = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
      const typed = Object.entries(pkg.exports as Record<string, unknown>)
        .filter(([, target]) => typeof target === "object" && target !== null && "types" in target)
        .map(([subpath]) => `${pkg.name}${subpath.slice(1)}`);
      const listed = [...entries].filter((e) => e === pkg.name || e.startsWith(`${pkg.name}/`));
      expect(listed.sort()).toEqual(typed.sort());
    }
  });

  it("is linked from each covered package's README, at a page the build made", () => {
    for (const dir of covered) {
      const readme = readFileSync(join(root, dir, "README.md"), "utf8");
      const name = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")).name as string;
      const pages = [
        ...readme.matchAll(new RegExp(`\\(${PAGES_URL.replace(/[.]/g, "\\.")}([^)#]+)`, "g")),
      ].map((m) => m[1] ?? "");
      expect(pages, `${dir}/README.md links to no page of ${PAGES_URL}`).not.toEqual([]);
      for (const page of pages)
        expect(existsSync(join(out, page)), `${dir}/README.md links to ${page}`).toBe(true);
      // One of the pages it links to is its own package's (others may be its command's, or its entries').
      const titles = pages.map(
        (page) => /<title>(.*?)<\/title>/.exec(readFileSync(join(out, page), "utf8"))?.[1],
      );
      expect(titles).toContain(`${name} | dataloop-ts`);
    }
  });

  it("each covered package's README names every error code its exports carry", async () => {
    const core = await import("@dataloop-ts/core");
    for (const dir of covered) {
      const pkg = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
      const readme = readFileSync(join(root, dir, "README.md"), "utf8");
      const codes = new Set<string>();
      for (const [subpath, target] of Object.entries(pkg.exports as Record<string, unknown>)) {
        if (typeof target !== "object" || target === null || !("types" in target)) continue;
        const mod: Record<string, unknown> = await import(`${pkg.name}${subpath.slice(1)}`);
        for (const value of Object.values(mod)) {
          const isError =
            value === core.DataloopError ||
            (typeof value === "function" && value.prototype instanceof core.DataloopError);
          // Classes re-exported from core are core's to document.
          const own = pkg.name === "@dataloop-ts/core" || !(Object.values(core) as unknown[]).includes(value);
          if (isError && own) codes.add((value as { code: string }).code);
        }
      }
      expect(
        [...codes].filter((code) => !readme.includes(`\`${code}\``)),
        `${dir}/README.md`,
      ).toEqual([]);
    }
  });

  it("summarises the types generated from the spec: their pages list none of the API's routes or schemas", () => {
    expect(membersNotListed.length).toBeGreaterThan(0);
    for (const id of membersNotListed) {
      const [entry = "", name = ""] = id.split("#");
      expect(exports.find((e) => e.id === id)?.summary, id).toBeTruthy();
      const file = readdirSync(join(out, "interfaces")).find((f) =>
        f.endsWith(`${entry.replace(/[@/]/g, "_")}.${name}.html`),
      );
      expect(file, id).toBeDefined();
      const page = readFileSync(join(out, "interfaces", file ?? ""), "utf8");
      // Every route and schema listed made these pages tens of megabytes each.
      expect(page).not.toContain("/accounts/{accountId}");
      expect(page.length, id).toBeLessThan(200_000);
    }
  });

  it("has no broken link between its pages (local files only)", async () => {
    const checker = new LinkChecker();
    const result = await checker.check({
      path: out,
      recurse: true,
      // Source links point at GitHub: the network is not this test's business.
      linksToSkip: async (link) => !/^https?:\/\/(localhost|127\.0\.0\.1)[:/]/.test(link),
    });
    const broken = result.links
      .filter((l) => l.state === LinkState.BROKEN)
      .map((l) => `${l.url} (on ${l.parent})`);
    expect(broken).toEqual([]);
    // Proof that it looked: every page of the site was reached.
    expect(result.links.filter((l) => l.state === LinkState.OK).length).toBeGreaterThan(exports.length);
  });

  it("every public export has a summary and an @example, but for the printed allow-list", () => {
    if (notYetDocumented.length > 0)
      console.log(
        `Not yet documented (scripts/docs.mjs notYetDocumented, ${notYetDocumented.length}: document them and empty the list):\n  ${notYetDocumented.join("\n  ")}`,
      );
    expect(exports.length).toBeGreaterThan(0);
    expect(coverageProblems(exports)).toEqual([]);
  });

  it("every @example type-checks against the built packages, as a user's strict ESM module", () => {
    rmSync(examplesDir, { recursive: true, force: true });
    mkdirSync(examplesDir, { recursive: true });
    const files = new Map<string, string>();
    for (const e of exports)
      e.examples.forEach((code, i) => {
        // Numbered: `point` and `Point` are two exports, and file names that differ only in case are one
        // file on some systems (and an error to TypeScript's forceConsistentCasingInFileNames).
        const file = join(examplesDir, `${files.size}_${e.id.replace(/[^\w]+/g, "_")}_${i}.ts`);
        // `export {}`: each example is a module of its own, even one without an import.
        writeFileSync(file, `${code}\nexport {};\n`);
        files.set(file, e.id);
      });
    expect(files.size).toBeGreaterThan(0);
    const base = ts.getParsedCommandLineOfConfigFile(
      join(root, "tsconfig.base.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        },
      },
    );
    const program = ts.createProgram([...files.keys()], {
      ...base?.options,
      noEmit: true,
      declaration: false,
      declarationMap: false,
      sourceMap: false,
      types: ["node"],
      typeRoots: [resolve(import.meta.dirname, "../node_modules/@types")],
    });
    const failing = new Set<string>();
    const problems = ts.getPreEmitDiagnostics(program).flatMap((d) => {
      const id = (d.file && files.get(d.file.fileName)) ?? d.file?.fileName ?? "";
      failing.add(id);
      const line =
        d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      const message = `${id} (example line ${line}): ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
      return notYetDocumented.includes(id) ? [] : [message];
    });
    // An allow-listed export whose summary and examples all pass now is held to the standard from here on.
    const stale = exports
      .filter(
        (e) => notYetDocumented.includes(e.id) && e.summary && e.examples.length > 0 && !failing.has(e.id),
      )
      .map((e) => `${e.id} is documented now: remove it from notYetDocumented in scripts/docs.mjs`);
    expect([...problems, ...stale]).toEqual([]);
  });
});

describe("the coverage check itself", () => {
  const documented: Export = { id: "@x/a#a", file: "a.ts", summary: "A.", examples: ["a();"] };

  it("names an export without a summary or an example, and passes one with both", () => {
    const bare: Export = { id: "@x/a#b", file: "b.ts", summary: "", examples: [] };
    expect(coverageProblems([documented, bare], [])).toEqual([
      "@x/a#b (b.ts) lacks a summary and an @example with a ```ts block",
    ]);
  });

  it("lets an allow-listed export lack both, and names an allow-list entry that is no export", () => {
    const bare: Export = { id: "@x/a#b", file: "b.ts", summary: "", examples: [] };
    expect(coverageProblems([documented, bare], ["@x/a#b", "@x/a#gone"])).toEqual([
      "@x/a#gone is no public export: remove it from notYetDocumented in scripts/docs.mjs",
    ]);
  });
});
