#!/usr/bin/env node
// `dataloop`: log in once, then get tokens and call the API from the terminal. Parsing (args.ts),
// dispatch (here), prompts (prompts.ts) and error rendering (render-error.ts) are apart; each command
// is a function of a Context (commands.ts).
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { UsageError } from "@dataloop-ts/core";
import { parseCommandLine, USAGE } from "./args.js";
import type { Context } from "./commands.js";
import { debugLogger } from "./debug.js";
import { endQuietlyOnClosedPipe, Output } from "./output.js";
import { ask, readStdin } from "./prompts.js";
import type { GateChoice } from "./render-error.js";

// A command's module (and the client, auth and their transports with it) is loaded when it runs: all of
// them cost a process ~40 MB of RSS before it did anything (`dataloop --version` peaked at 87 MB), which
// `annotations convert`, offline, never needs (the annotations bench measures its peak).
type Command = (ctx: Context) => Promise<number>;
const commands = () => import("./commands.js");
const COMMANDS: Record<string, () => Promise<Command>> = {
  login: async () => (await commands()).login,
  token: async () => (await commands()).token,
  whoami: async () => (await commands()).whoami,
  logout: async () => (await commands()).logout,
  request: async () => (await commands()).request,
  bots: async () => (await commands()).bots,
  items: async () => (await import("./items.js")).items,
  annotations: async () => (await import("./annotations.js")).annotations,
};

/** The gate this run talks to, and how to name it again in a hint; a gate without http(s):// is a usage error. */
async function chooseGate(values: {
  gate?: string | undefined;
  env?: string | undefined;
}): Promise<GateChoice> {
  const { resolveGate } = await import("@dataloop-ts/auth");
  const [raw, source] = values.gate
    ? [values.gate, "--gate"]
    : process.env.DATALOOP_GATE
      ? [process.env.DATALOOP_GATE, "DATALOOP_GATE"]
      : [values.env ?? "prod", "--env"];
  let gateUrl: string;
  try {
    gateUrl = resolveGate(raw);
  } catch (error) {
    throw new UsageError({
      message:
        source === "--env"
          ? `--env takes prod, rc, dev or local, got "${raw}"`
          : // A scheme other than http(s) (file:, ftp:): the session's own words say what is wanted.
            /^[a-z][a-z\d+.-]*:\/\//i.test(raw)
            ? `${source}: ${(error as Error).message}`
            : `${source} takes the gate's URL with its scheme, e.g. http://${raw.replace(/^\W+/, "")}; got "${raw}"`,
      hint: "Run dataloop --help for usage.",
    });
  }
  const flag = source === "--env" ? (raw === "prod" ? "" : `--env ${raw}`) : `--gate ${gateUrl}`;
  return { gateUrl, flag };
}

async function main(argv: string[], state: { out: Output; gate?: GateChoice }): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  if (values.version) {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    console.log(`${pkg.name} ${pkg.version}`);
    return 0;
  }
  state.out = new Output({ json: values.json });
  const [command, ...args] = positionals;
  if (values.help || !command) {
    (command || values.help ? console.log : console.error)(USAGE);
    return command || values.help ? 0 : 2;
  }
  const load = COMMANDS[command];
  if (!load)
    throw new UsageError({ message: `unknown command "${command}"`, hint: "Run dataloop --help for usage." });
  // Offline: no gate, no token folder, no client.
  if (command === "annotations" && args[0] === "convert")
    return (await import("./annotations-convert.js")).convert({
      out: state.out,
      values,
      args: args.slice(1),
    });
  const run = await load();
  const gate = await chooseGate(values);
  state.gate = gate;
  const { gateUrl } = gate;
  const { fileStore } = await import("@dataloop-ts/auth/node");
  const store = fileStore(process.env.DATALOOP_TS_HOME ?? join(homedir(), ".dataloop-ts"));
  const { sessionClient } = await commands();
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  const logger = debugLogger(process.env);
  return run({
    gateUrl,
    store,
    out: state.out,
    env: process.env,
    values,
    args,
    readStdin: () => readStdin(),
    interactive,
    ask,
    logger,
    client: () => sessionClient(gateUrl, store, process.env, logger),
  });
}

endQuietlyOnClosedPipe();
const state: { out: Output; gate?: GateChoice } = {
  out: new Output({ json: process.argv.includes("--json") }),
};
main(process.argv.slice(2), state).then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    const { renderError } = await import("./render-error.js");
    process.exitCode = await renderError(error, state.out, process.env, state.gate);
  },
);
