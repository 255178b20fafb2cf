import { readFile } from "node:fs/promises";
import {
  type Auth,
  type AuthStrategy,
  createAuth,
  defineStrategy,
  type Logger,
  memoryStore,
  passwordAuth,
  readClaims,
  readExpiry,
  type TokenStore,
} from "@dataloop-ts/auth";
import { browserAuth } from "@dataloop-ts/auth/node";
import { createDataloopClient } from "@dataloop-ts/client";
import { UsageError as CoreUsageError, printable } from "@dataloop-ts/core";
import { writeAnswer } from "./answer.js";
import { apiKeyAuth, checkApiKey } from "./api-key.js";
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
  /** `DEBUG=dataloop`: calls and token renewals on stderr (undefined when off). */
  logger?: Logger | undefined;
}

/** The stored session of an environment: no credentials, so a refused refresh means "log in". */
const storedSession: AuthStrategy = defineStrategy({ identity: "stored session", secrets: [] });
/**
 * The session of a command: `DATALOOP_API_KEY` when set (it wins over the stored login, as `GH_TOKEN`
 * does for gh: a CI job's key, not whoever logged in on the machine), else the stored session of this
 * gate. The logger goes to the session itself, so that `DEBUG=dataloop` shows token renewals too.
 */
function commandAuth(gateUrl: string, store: TokenStore, env: NodeJS.ProcessEnv, logger?: Logger): Auth {
  const key = env.DATALOOP_API_KEY;
  if (key) return apiKeyAuth(key, { gateUrl, source: "DATALOOP_API_KEY", ...(logger ? { logger } : {}) });
  return createAuth(storedSession, { gateUrl, store, ...(logger ? { logger } : {}) });
}
const session = (ctx: Context) => commandAuth(ctx.gateUrl, ctx.store, ctx.env, ctx.logger);
export const sessionClient = (
  gateUrl: string,
  store: TokenStore,
  env: NodeJS.ProcessEnv = {},
  logger?: Logger,
) =>
  createDataloopClient({
    gateUrl,
    auth: commandAuth(gateUrl, store, env, logger),
    ...(logger ? { logger } : {}),
  });
const client = (ctx: Context) => ctx.client();
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

const warn = (out: Output, text: string) => out.say(out.paint("yellow", `Warning: ${text}`));

/**
 * `login --api-key K` / `DATALOOP_API_KEY=K dataloop login`: the key is checked with one call
 * (`GET /users/me`) before it is stored, so that a key cut short, of another gate or expired is said
 * at login, not at the next command.
 */
async function loginWithApiKey(ctx: Context, key: string, source: string): Promise<number> {
  const { out } = ctx;
  if (source === "--api-key")
    warn(
      out,
      "an API key on the command line is visible to other users of this machine (ps) and stays in your shell history; prefer DATALOOP_API_KEY.",
    );
  const me = await out.spin(`Checking the API key with ${ctx.gateUrl}`, () =>
    checkApiKey(key, { gateUrl: ctx.gateUrl, source, ...(ctx.logger ? { logger: ctx.logger } : {}) }),
  );
  const storeKey = new URL(ctx.gateUrl).host;
  await ctx.store.save(storeKey, { idToken: key });
  const { expiresAt } = readExpiry(key);
  const identity = printable(String(me.email ?? me.username ?? me.id ?? "api-key"));
  out.done(
    { gate: ctx.gateUrl, method: "api-key", identity, expiresAt: iso(expiresAt) ?? null },
    `${out.color ? `${out.paint("green", "✔")} ` : ""}Logged in to ${ctx.gateUrl} as ${identity} (API key)${expiresAt ? `; key valid until ${iso(expiresAt)}` : ""}.`,
  );
  return 0;
}

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
  if (apiKey && !values.browser)
    return loginWithApiKey(ctx, apiKey, values["api-key"] ? "--api-key" : "DATALOOP_API_KEY");
  let strategy: AuthStrategy;
  let method: "password" | "browser";
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
      warn(out, "a password on the command line stays in your shell history; prefer --password-stdin.");
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
  const auth = createAuth(strategy, {
    gateUrl: ctx.gateUrl,
    store: staged,
    storeKey,
    ...(ctx.logger ? { logger: ctx.logger } : {}),
  });
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
  // The stored session, even with DATALOOP_API_KEY set: that key is in the environment, not stored.
  await createAuth(storedSession, { gateUrl: ctx.gateUrl, store: ctx.store }).logout();
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
    (p: string, init: object) => Promise<{ data?: ArrayBuffer; response: Response }>
  >;
  // Read as bytes: the answer may be JSON, or an item's bytes (`/items/{id}/stream`), or any text.
  const { data, response } = await ctx.out.spin(
    `${method} ${path}`,
    call[method](path, {
      params: { query },
      parseAs: "arrayBuffer",
      ...(body !== undefined ? { body } : {}),
    }),
  );
  await writeAnswer(
    ctx.out,
    {
      contentType: response.headers.get("content-type") ?? "",
      bytes: new Uint8Array(data ?? new ArrayBuffer(0)),
    },
    ctx.values.output,
  );
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
  const bot = (data ?? {}) as { id?: unknown; username?: unknown; email?: unknown; password?: unknown };
  const who = printable(String(bot.username ?? bot.email ?? name));
  // Only an answer that carries the bot's password has credentials to keep; say so, never the reverse.
  if (typeof bot.password === "string" && bot.password)
    ctx.out.say(
      ctx.out.paint("yellow", "The bot's credentials are shown once: keep them in a secret store."),
    );
  else
    warn(
      ctx.out,
      `created bot ${who}${typeof bot.id === "string" ? ` (user ${printable(bot.id)})` : ""} in org ${printable(org)}, but the gateway's answer carries no credentials (no password): set one for it in the Dataloop console before logging in as it.`,
    );
  ctx.out.result(data);
  return 0;
}
