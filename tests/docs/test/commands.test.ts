// The command-line tools' references: each is a page of the API reference made from the built command's
// own `--help` (scripts/docs.mjs `commands`), linked from the reference's index and from its README; the
// help names every option the parser takes; the mock's README lists every flag of its help.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { commands, helpOf, PAGES_URL } from "../../../scripts/docs.mjs";

const root = resolve(import.meta.dirname, "../../..");

/** The text a page shows: tags dropped, entities decoded. */
const shown = (html: string) =>
  html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(Number.parseInt(n, 16)))
    .replace(/&amp;/g, "&");

/** Every `-x` and `--name` a help text offers. */
const flagsOf = (help: string) => [...new Set(help.match(/(?<![\w-])--?[a-z][\w-]*(?![\w-])/g) ?? [])];

// Built once for every test file of this package (test/build-reference.global.ts).
const build = inject("reference");
const out = build.out;

const pageOf = (page: string) => join(out, "documents", `${page}.html`);
const commandNamed = (bin: string) => {
  const command = commands.find((c) => c.bin === bin);
  if (!command) throw new Error(`no command ${bin} in scripts/docs.mjs`);
  return command;
};

describe("the command references", () => {
  it("build with the reference", () => {
    expect(build.status, build.output).toBe(0);
  });

  for (const command of commands)
    it(`${command.bin}: its page shows what the built ${command.bin} --help prints, line for line`, () => {
      // Run here as a user runs it (node on the package's bin), not read from the page's source.
      const bin = JSON.parse(readFileSync(join(root, command.dir, "package.json"), "utf8")).bin[command.bin];
      const run = spawnSync(process.execPath, [join(root, command.dir, bin), "--help"], { encoding: "utf8" });
      expect(run.status).toBe(0);
      const help = run.stdout.trimEnd();
      expect(help).toBe(helpOf(root, command));
      const page = shown(readFileSync(pageOf(command.page), "utf8"));
      const lines = help.split("\n").filter((l) => l.trim());
      expect(lines.length).toBeGreaterThan(5);
      expect(lines.filter((l) => !page.includes(l.trim()))).toEqual([]);
    });

  for (const command of commands)
    it(`${command.bin}: linked from the reference's index and from its package's README`, () => {
      const index = readFileSync(join(out, "index.html"), "utf8");
      expect(index).toContain(`documents/${command.page}.html`);
      const readme = readFileSync(join(root, command.dir, "README.md"), "utf8");
      expect(readme).toContain(`(${PAGES_URL}documents/${command.page}.html)`);
    });

  it("dataloop --help names every option the command line parses", async () => {
    const { OPTIONS } = await import(join(root, "packages/cli/dist/args.js"));
    const help = helpOf(root, commandNamed("dataloop"));
    const offered = flagsOf(help);
    const declared = Object.entries(OPTIONS as Record<string, { short?: string }>).flatMap(([name, o]) => [
      `--${name}`,
      ...(o.short ? [`-${o.short}`] : []),
    ]);
    expect(declared.length).toBeGreaterThan(10);
    expect(declared.filter((flag) => !offered.includes(flag))).toEqual([]);
  });

  it("the mock's README lists every flag of dataloop-mock --help, and the npx form that works from any folder", () => {
    const help = helpOf(root, commandNamed("dataloop-mock"));
    const flags = flagsOf(help);
    expect(flags).toContain("--fixtures");
    const readme = readFileSync(join(root, "packages/mock/README.md"), "utf8");
    const listed = flagsOf(readme);
    expect(flags.filter((flag) => !listed.includes(flag))).toEqual([]);
    // `npx dataloop-mock` in a project without the package fetches whatever npm calls dataloop-mock.
    expect(readme).toContain("npx -p @dataloop-ts/mock dataloop-mock");
    expect(readme).not.toMatch(/npx dataloop-mock/);
  });
});
