#!/usr/bin/env node
// `dataloop`: log in once, then get tokens and call the API from the terminal. A bin of the client
// package because every command is a client call; the auth package's file store keeps one session
// per environment.
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  AuthError,
  type AuthStrategy,
  apiKeyAuth,
  createAuth,
  fileStore,
  passwordAuth,
  readExpiry,
  resolveGate,
} from "@dataloop-ts/auth";
import { createDataloopClient } from "./client.js";
import { DataloopApiError, DataloopConnectionError } from "./errors.js";

const USAGE = `dataloop — the Dataloop API from a terminal

  dataloop login --email E [--password P | --password-stdin]   password or bot (M2M) account
  dataloop login --api-key K                                    an API key (POST /apikeys)
  dataloop token [--decode]       a valid JWT on stdout (refreshed first when due), for curl/Postman
  dataloop whoami                 GET /users/me
  dataloop request METHOD PATH [--query k=v]... [--body JSON|@file]
  dataloop bots create --org ORG --name NAME
  dataloop logout

  --env prod|rc|dev|local   or  --gate URL   (env: DATALOOP_GATE; default prod)
  Environment: DATALOOP_EMAIL, DATALOOP_PASSWORD, DATALOOP_API_KEY, DATALOOP_TS_HOME (token folder)`;

class UsageError extends Error {}

/** The stored session of an environment: no credentials, so a refused refresh means "log in". */
const storedSession: AuthStrategy = { kind: "refresh-token", identity: "stored session", secrets: [] };

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").trim();
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      env: { type: "string" },
      gate: { type: "string" },
      email: { type: "string" },
      password: { type: "string" },
      "password-stdin": { type: "boolean", default: false },
      "api-key": { type: "string" },
      decode: { type: "boolean", default: false },
      query: { type: "string", multiple: true },
      body: { type: "string" },
      org: { type: "string" },
      name: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const gateUrl = resolveGate(values.gate ?? process.env.DATALOOP_GATE ?? values.env ?? "prod");
  const store = fileStore(process.env.DATALOOP_TS_HOME ?? join(homedir(), ".dataloop-ts"));
  const session = () => createAuth(storedSession, { gate: gateUrl, store });
  const client = () => createDataloopClient({ gateUrl, auth: session(), retry: false });
  const out = (value: unknown) => console.log(JSON.stringify(value, null, 2));

  switch (command) {
    case "login": {
      const apiKey = values["api-key"] ?? process.env.DATALOOP_API_KEY;
      let strategy: AuthStrategy;
      if (apiKey) strategy = apiKeyAuth(apiKey);
      else {
        const email = values.email ?? process.env.DATALOOP_EMAIL;
        const password = values["password-stdin"]
          ? await readStdin()
          : (values.password ?? process.env.DATALOOP_PASSWORD);
        if (!email || !password)
          throw new UsageError(
            "login needs --email and a password (--password-stdin or DATALOOP_PASSWORD), or --api-key",
          );
        strategy = passwordAuth({ email, password });
      }
      const auth = createAuth(strategy, { gate: gateUrl, store });
      await auth.logout(); // a new login replaces the stored session
      const token = await auth.token();
      // A grant stores itself; an API key is used as is, so store it here.
      if (apiKey) await store.save(new URL(gateUrl).host, { idToken: apiKey });
      const { expiresAt } = readExpiry(token);
      console.error(
        `Logged in to ${gateUrl} as ${strategy.identity}${expiresAt ? `; token valid until ${new Date(expiresAt).toISOString()}` : ""}.`,
      );
      return 0;
    }
    case "token": {
      const token = await session().token();
      if (values.decode) {
        const [, payload = ""] = token.split(".");
        const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<
          string,
          unknown
        >;
        const exp = typeof claims.exp === "number" ? claims.exp * 1000 : undefined;
        console.error(JSON.stringify(claims, null, 2));
        if (exp)
          console.error(
            `expires ${new Date(exp).toISOString()} (in ${Math.round((exp - Date.now()) / 60_000)} min)`,
          );
      }
      process.stdout.write(`${token}\n`);
      return 0;
    }
    case "whoami": {
      const { data } = await client().GET("/users/me");
      out(data);
      return 0;
    }
    case "logout": {
      await session().logout();
      console.error(`Logged out of ${gateUrl}.`);
      return 0;
    }
    case "request": {
      const [method = "", path = ""] = rest;
      if (!/^(GET|POST|PUT|PATCH|DELETE)$/i.test(method) || !path.startsWith("/")) {
        throw new UsageError("request needs METHOD and PATH, e.g. dataloop request GET /projects");
      }
      const query = Object.fromEntries(
        (values.query ?? []).map((kv) => {
          const at = kv.indexOf("=");
          if (at < 1) throw new UsageError(`--query takes k=v, got "${kv}"`);
          return [kv.slice(0, at), kv.slice(at + 1)];
        }),
      );
      let body: unknown;
      if (values.body !== undefined) {
        const text = values.body.startsWith("@") ? await readFile(values.body.slice(1), "utf8") : values.body;
        try {
          body = JSON.parse(text);
        } catch {
          throw new UsageError("--body must be JSON (or @file with JSON)");
        }
      }
      // An arbitrary path is not in the generated types: this is the one untyped door.
      const call = client() as unknown as Record<
        string,
        (p: string, init: object) => Promise<{ data?: unknown }>
      >;
      const fn = call[method.toUpperCase()];
      if (!fn) throw new UsageError(`unknown method ${method}`);
      const { data } = await fn(path, { params: { query }, ...(body !== undefined ? { body } : {}) });
      out(data ?? null);
      return 0;
    }
    case "bots": {
      if (rest[0] !== "create" || !values.org || !values.name)
        throw new UsageError("bots create --org ORG --name NAME");
      const { data } = await client().POST("/orgs/{orgId}/bots", {
        params: { path: { orgId: values.org } },
        body: { name: values.name },
      });
      console.error("The bot's credentials are shown once: keep them in a secret store.");
      out(data);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`dataloop: ${(error as Error).message}\nRun dataloop --help for usage.`);
      process.exitCode = 2;
    } else if (error instanceof AuthError) {
      console.error(
        `dataloop: ${error.message}\n  → ${error.code === "LOGIN_REQUIRED" ? "Log in first: dataloop login --email E --password-stdin" : error.hint}`,
      );
      process.exitCode = 1;
    } else if (error instanceof DataloopApiError || error instanceof DataloopConnectionError) {
      console.error(`dataloop: ${error.message}`);
      process.exitCode = 1;
    } else {
      console.error(`dataloop: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  },
);
