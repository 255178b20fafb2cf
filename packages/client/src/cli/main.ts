#!/usr/bin/env node
// `dataloop`: log in once, then get tokens and call the API from the terminal. A bin of the client
// package, not a package of its own: every command is a client call, and one install gives both.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { AuthError, resolveGate } from "@dataloop-ts/auth";
import { fileStore } from "@dataloop-ts/auth/node";
import { DataloopApiError, DataloopConnectionError } from "../errors.js";
import { bots, type Context, login, logout, request, token, UsageError, whoami } from "./commands.js";
import { Output } from "./output.js";

const USAGE = `dataloop — the Dataloop API from a terminal

  dataloop login [--email E]         password or bot (M2M) account; asks on a terminal, else
                                     --password-stdin or DATALOOP_EMAIL + DATALOOP_PASSWORD
  dataloop login --api-key K         an API key (POST /apikeys)
  dataloop login --browser           the website login in your browser [--no-open] [--timeout S]
  dataloop token [--decode]          a valid JWT on stdout (refreshed first when due), for curl/Postman
  dataloop whoami                    who the stored session is (GET /users/me)
  dataloop request METHOD PATH       [--query k=v]... [--body JSON|@file]; JSON out
  dataloop bots create --org ORG --name NAME   a bot user; its credentials are printed once
  dataloop logout                    forget the stored tokens of this environment

  --env prod|rc|dev|local  or  --gate URL   one session per environment (env: DATALOOP_GATE)
  --json                   machine output: JSON on stdout, errors as JSON on stderr
  --version                the installed @dataloop-ts/client version
  Environment: DATALOOP_EMAIL, DATALOOP_PASSWORD, DATALOOP_API_KEY, DATALOOP_TS_HOME (token folder),
  BROWSER (command to open URLs; "none" to only print them), NO_COLOR`;

const COMMANDS: Record<string, (ctx: Context) => Promise<number>> = {
  login,
  token,
  whoami,
  logout,
  request,
  bots,
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").trim();
}

/** A question on the terminal; a secret is read without echo (npm's own `read`). */
async function ask(prompt: string, secret: boolean): Promise<string> {
  const { read } = await import("read");
  return (await read({ prompt, silent: secret, replace: "", output: process.stderr })).trim();
}

async function main(argv: string[], out: { current: Output }): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      env: { type: "string" },
      gate: { type: "string" },
      json: { type: "boolean", default: false },
      email: { type: "string" },
      password: { type: "string" },
      "password-stdin": { type: "boolean", default: false },
      "api-key": { type: "string" },
      browser: { type: "boolean", default: false },
      "no-open": { type: "boolean", default: false },
      timeout: { type: "string" },
      decode: { type: "boolean", default: false },
      query: { type: "string", multiple: true },
      body: { type: "string" },
      org: { type: "string" },
      name: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
      version: { type: "boolean", short: "v", default: false },
    },
  });
  if (values.version) {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
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
  if (!run) throw new UsageError(`unknown command "${command}"`);
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
    readStdin,
    interactive,
    ask,
  });
}

const out = { current: new Output({ json: process.argv.includes("--json") }) };
main(process.argv.slice(2), out).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const o = out.current;
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      o.fail({ code: "USAGE", message: (error as Error).message, hint: "Run dataloop --help for usage." });
      process.exitCode = 2;
    } else if (error instanceof AuthError) {
      o.fail({
        code: error.code,
        message: error.message,
        hint:
          error.code === "LOGIN_REQUIRED"
            ? "Log in first: dataloop login (asks for email and password; or --browser, --api-key K)"
            : error.hint,
        status: error.status,
      });
      process.exitCode = 1;
    } else if (error instanceof DataloopApiError) {
      o.fail({ code: "API_ERROR", message: error.message, status: error.status });
      process.exitCode = 1;
    } else if (error instanceof DataloopConnectionError) {
      o.fail({ code: "CONNECTION_ERROR", message: error.message });
      process.exitCode = 1;
    } else {
      o.fail({ code: "ERROR", message: error instanceof Error ? error.message : String(error) });
      process.exitCode = 1;
    }
  },
);
