import { readFile } from "node:fs/promises";
import {
  type AuthStrategy,
  createAuth,
  customAuth,
  defineStrategy,
  memoryStore,
  passwordAuth,
  readClaims,
  readExpiry,
  type TokenStore,
} from "@dataloop-ts/auth";
import { browserAuth } from "@dataloop-ts/auth/node";
import { createDataloopClient } from "@dataloop-ts/client";
import { UsageError as CoreUsageError, printable } from "@dataloop-ts/core";
import type { Values } from "./args.js";
import { openBrowser } from "./open-browser.js";
import type { Output } from "./output.js";

/** A mistake in the command line: exit 2 and point at --help. */
class UsageError extends CoreUsageError {
  constructor(message: string) {
    super({ message, hint: "Run dataloop --help for usage." });
  }
}

export interface Context {
  gateUrl: string;
  store: TokenStore;
  out: Output;
  env: NodeJS.ProcessEnv;
  /** The parsed options, typed from the parser's own declaration (args.ts). */
  values: Values;
  args: string[];
  readStdin(): Promise<string>;
  /** A client on the stored session of this environment. */
  client(): ReturnType<typeof createDataloopClient>;
  /** Whether stdin and stderr are a terminal a person can answer on. */
  interactive: boolean;
  ask(prompt: string, secret: boolean): Promise<string>;
}

/** The stored session of an environment: no credentials, so a refused refresh means "log in". */
const storedSession: AuthStrategy = defineStrategy({ identity: "stored session", secrets: [] });
const storedAuth = (gateUrl: string, store: TokenStore) => createAuth(storedSession, { gateUrl, store });
const session = (ctx: Context) => storedAuth(ctx.gateUrl, ctx.store);
export const sessionClient = (gateUrl: string, store: TokenStore) =>
  createDataloopClient({ gateUrl, auth: storedAuth(gateUrl, store) });
const client = (ctx: Context) => ctx.client();
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export async function login(ctx: Context): Promise<number> {
  const { values, out, env } = ctx;
  const chosen = [
    values.browser && "--browser",
    values["api-key"] && "--api-key",
    values.email && "--email",
  ].filter(Boolean);
  if (chosen.length > 1) throw new UsageError(`login takes one way in; got ${chosen.join(" and ")}`);
  // Flags first, then the environment (CI): an API key there must not override an explicit --email.
  const apiKey = values["api-key"] ?? (chosen.length === 0 ? env.DATALOOP_API_KEY : undefined);
  let strategy: AuthStrategy;
  let method: "password" | "api-key" | "browser";
  if (values.browser) {
    method = "browser";
    const seconds = Number(values.timeout ?? 300);
    if (!(seconds > 0)) throw new UsageError(`--timeout takes a number of seconds, got "${values.timeout}"`);
    strategy = browserAuth({
      timeoutMs: seconds * 1000,
      open: async (url) => {
        const opened = !values["no-open"] && (await openBrowser(url, env));
        out.say(
          opened
            ? `Opening the Dataloop login in your browser. If it does not open, visit:\n  ${url}`
            : `Open this URL in a browser and sign in:\n  ${url}`,
        );
      },
    });
  } else if (apiKey) {
    method = "api-key";
    // Given as a source rather than as a fixed token, so that the session stores it like any login.
    strategy = customAuth(async () => apiKey, "api-key");
  } else {
    method = "password";
    let email = values.email ?? env.DATALOOP_EMAIL;
    let password = values["password-stdin"]
      ? await ctx.readStdin()
      : (values.password ?? env.DATALOOP_PASSWORD);
    // On a terminal, ask (the password without echo, as `npm login` does); in scripts, say what is missing.
    if (ctx.interactive && !values["password-stdin"]) {
      email ||= await ctx.ask("Email: ", false);
      password ||= await ctx.ask("Password: ", true);
    }
    if (values.password)
      out.say(
        out.paint(
          "yellow",
          "Warning: a password on the command line stays in your shell history; prefer --password-stdin.",
        ),
      );
    if (!email || !password)
      throw new UsageError(
        "login needs --email and a password (--password-stdin or DATALOOP_PASSWORD), --api-key, or --browser",
      );
    strategy = passwordAuth({ email, password });
  }
  // The new login happens in memory and replaces the stored session only once it succeeded: a wrong
  // password, a failing or hanging token route leave a working session as it was.
  const staged = memoryStore();
  const storeKey = new URL(ctx.gateUrl).host;
  const auth = createAuth(strategy, { gateUrl: ctx.gateUrl, store: staged, storeKey });
  const token = await out.spin(
    method === "browser" ? "Waiting for the browser login (Ctrl-C cancels)" : `Logging in to ${ctx.gateUrl}`,
    () => auth.token(),
  );
  const tokens = await staged.load(storeKey);
  if (tokens) await ctx.store.save(storeKey, tokens);
  const { expiresAt } = readExpiry(token);
  const claims = readClaims(token);
  // From the user or the token: printed only once made printable (no line breaks, no terminal escapes).
  const identity = printable(
    method === "browser" ? String(claims.email ?? claims.sub ?? "you") : strategy.identity,
  );
  out.done(
    { gate: ctx.gateUrl, method, identity, expiresAt: iso(expiresAt) ?? null },
    `${out.color ? `${out.paint("green", "✔")} ` : ""}Logged in to ${ctx.gateUrl} as ${identity}${expiresAt ? `; token valid until ${iso(expiresAt)}` : ""}.`,
  );
  return 0;
}

function inHumanTerms(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const span = minutes < 90 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
  return ms >= 0 ? `in ${span}` : `${span} ago`;
}

export async function token(ctx: Context): Promise<number> {
  const jwt = await session(ctx).token();
  const { expiresAt } = readExpiry(jwt);
  if (ctx.out.json) {
    ctx.out.result({
      token: jwt,
      expiresAt: iso(expiresAt) ?? null,
      ...(ctx.values.decode ? { claims: readClaims(jwt) } : {}),
    });
    return 0;
  }
  if (ctx.values.decode) {
    ctx.out.say(JSON.stringify(readClaims(jwt), null, 2));
    if (expiresAt) ctx.out.say(`expires ${iso(expiresAt)} (${inHumanTerms(expiresAt - Date.now())})`);
  }
  ctx.out.result(jwt, jwt);
  return 0;
}

export async function whoami(ctx: Context): Promise<number> {
  const { data } = await ctx.out.spin("Asking who you are", client(ctx).GET("/users/me"));
  const me = (data ?? {}) as { email?: string; username?: string; id?: string; type?: string };
  ctx.out.result(
    data,
    `${me.email ?? me.username ?? "unknown"} on ${ctx.gateUrl}${me.id ? ` (user ${me.id}${me.type ? `, ${me.type}` : ""})` : ""}`,
  );
  return 0;
}

export async function logout(ctx: Context): Promise<number> {
  await session(ctx).logout();
  ctx.out.done({ gate: ctx.gateUrl, loggedOut: true }, `Logged out of ${ctx.gateUrl}.`);
  return 0;
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export async function request(ctx: Context): Promise<number> {
  const [rawMethod = "", path = ""] = ctx.args;
  const method = rawMethod.toUpperCase() as (typeof METHODS)[number];
  if (!METHODS.includes(method) || !path.startsWith("/"))
    throw new UsageError(
      `request needs METHOD (${METHODS.join("|")}) and PATH, e.g. dataloop request GET /projects`,
    );
  const query = Object.fromEntries(
    (ctx.values.query ?? []).map((kv) => {
      const at = kv.indexOf("=");
      if (at < 1) throw new UsageError(`--query takes k=v, got "${kv}"`);
      return [kv.slice(0, at), kv.slice(at + 1)];
    }),
  );
  let body: unknown;
  if (ctx.values.body !== undefined) {
    const source = ctx.values.body;
    const text = source.startsWith("@") ? await readFile(source.slice(1), "utf8") : source;
    try {
      body = JSON.parse(text);
    } catch {
      throw new UsageError(
        `--body must be JSON (or @file with JSON); could not parse ${source.startsWith("@") ? source : "it"}`,
      );
    }
  }
  // An arbitrary path is not in the generated types: this is the one untyped door.
  const call = client(ctx) as unknown as Record<
    (typeof METHODS)[number],
    (p: string, init: object) => Promise<{ data?: unknown }>
  >;
  const { data } = await ctx.out.spin(
    `${method} ${path}`,
    call[method](path, { params: { query }, ...(body !== undefined ? { body } : {}) }),
  );
  ctx.out.result(data ?? null);
  return 0;
}

export async function bots(ctx: Context): Promise<number> {
  const { org, name } = ctx.values;
  if (ctx.args[0] !== "create" || !org || !name)
    throw new UsageError("usage: dataloop bots create --org ORG --name NAME");
  const { data } = await ctx.out.spin(
    `Creating bot ${name}`,
    client(ctx).POST("/orgs/{orgId}/bots", { params: { path: { orgId: org } }, body: { name } }),
  );
  ctx.out.say(ctx.out.paint("yellow", "The bot's credentials are shown once: keep them in a secret store."));
  ctx.out.result(data);
  return 0;
}
