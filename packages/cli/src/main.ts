#!/usr/bin/env node
// `dataloop`: log in once, then get tokens and call the API from the terminal. Parsing (args.ts),
// dispatch (here), prompts (prompts.ts) and error rendering (render-error.ts) are apart; each command
// is a function of a Context (commands.ts).
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { resolveGate } from "@dataloop-ts/auth";
import { fileStore } from "@dataloop-ts/auth/node";
import { UsageError } from "@dataloop-ts/core";
import { annotations } from "./annotations.js";
import { parseCommandLine, USAGE } from "./args.js";
import { bots, type Context, login, logout, request, sessionClient, token, whoami } from "./commands.js";
import { items } from "./items.js";
import { Output } from "./output.js";
import { ask, readStdin } from "./prompts.js";
import { renderError } from "./render-error.js";

const COMMANDS: Record<string, (ctx: Context) => Promise<number>> = {
  login,
  token,
  whoami,
  logout,
  request,
  bots,
  items,
  annotations,
};

async function main(argv: string[], out: { current: Output }): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  if (values.version) {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    console.log(`${pkg.name} ${pkg.version}`);
    return 0;
  }
  out.current = new Output({ json: values.json });
  const [command, ...args] = positionals;
  if (values.help || !command) {
    (command || values.help ? console.log : console.error)(USAGE);
    return command || values.help ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run)
    throw new UsageError({ message: `unknown command "${command}"`, hint: "Run dataloop --help for usage." });
  const gateUrl = resolveGate(values.gate ?? process.env.DATALOOP_GATE ?? values.env ?? "prod");
  const store = fileStore(process.env.DATALOOP_TS_HOME ?? join(homedir(), ".dataloop-ts"));
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  return run({
    gateUrl,
    store,
    out: out.current,
    env: process.env,
    values,
    args,
    readStdin: () => readStdin(),
    interactive,
    ask,
    client: () => sessionClient(gateUrl, store),
  });
}

const out = { current: new Output({ json: process.argv.includes("--json") }) };
main(process.argv.slice(2), out).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = renderError(error, out.current);
  },
);
