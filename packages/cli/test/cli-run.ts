// Running the built `dataloop` as a user does, for the test files of this folder: in a token folder
// of the test's own, against a gateway the test started, with every output held to the leak rules.
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const CLI = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/main.js");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout as bytes (an answer that is not text). */
  bytes: Buffer;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  /** Close stdout's reading end before the CLI writes anything: every write it makes meets EPIPE. */
  closedStdout?: boolean;
}

/** A token folder per test; `cleanUp` removes them all. */
export async function tempHome(prefix = "dataloop-cli-"): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), prefix));
  homes.push(home);
  return home;
}
const homes: string[] = [];
export const cleanUp = () => Promise.all(homes.splice(0).map((h) => rm(h, { recursive: true, force: true })));

/** `node dist/main.js ARGS…` to its end, with `env` over the test's own (DEBUG cleared unless given). */
export function dataloop(args: string[], options: RunOptions = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, BROWSER: "none", DEBUG: "", CI: "1", ...options.env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    if (options.closedStdout) child.stdout.destroy();
    else child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.stdin.on("error", () => {}); // a CLI that never reads stdin may exit before it is written
    child.stdin.end(options.stdin ?? "");
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", fail);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const bytes = Buffer.concat(out);
      const run = {
        code: code ?? (signal ? 128 : 1),
        stdout: bytes.toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        bytes,
      };
      // No terminal escape when not on a terminal; no JWT in what people read.
      expect(run.stderr, args.join(" ")).not.toContain("\u001b");
      expect(run.stderr, args.join(" ")).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
      done(run);
    });
  });
}

/** The CLI on a pseudo-terminal (util-linux `script`): what a person sees, stdout and stderr mixed. */
export function onTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { CI: _ci, NO_COLOR: _nc, FORCE_COLOR: _fc, ...inherited } = process.env;
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  return new Promise((done, fail) =>
    execFile(
      "script",
      ["-qec", `"${process.execPath}" "${CLI}" ${quoted}`, "/dev/null"],
      { env: { ...inherited, TERM: "xterm-256color", BROWSER: "none", DEBUG: "", ...env }, timeout: 30_000 },
      (error, stdout) => (stdout ? done(stdout) : fail(error ?? new Error("no output"))),
    ),
  );
}
