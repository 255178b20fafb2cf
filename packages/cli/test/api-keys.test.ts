// API keys: checked at login with one call, said what is wrong with them, honoured by every command
// through DATALOOP_API_KEY, and a warning when one is typed on the command line.
import { readdir } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type EchoGateway, startEchoGateway } from "@dataloop-ts/mock/light";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cleanUp, dataloop, tempHome } from "./cli-run.js";

function api(req: IncomingMessage, res: ServerResponse) {
  const path = new URL(req.url ?? "/", "http://x").pathname.replace(/^\/api\/v1/, "");
  const body = path === "/users/me" ? { id: "u-7", email: "keyed@example.com", type: "human" } : { path };
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
}

let gateway: EchoGateway;
let home: string;
const env = (extra: NodeJS.ProcessEnv = {}) => ({
  DATALOOP_TS_HOME: home,
  DATALOOP_GATE: gateway.gateUrl,
  ...extra,
});
beforeAll(async () => {
  gateway = await startEchoGateway({
    users: [{ username: "keyed@example.com", password: "unused-pw-1" }],
    api,
  });
});
beforeEach(async () => {
  home = await tempHome();
});
afterAll(async () => {
  await gateway?.stop();
  await cleanUp();
});

const ARGV_WARNING = "visible to other users";

describe("dataloop login with an API key", () => {
  it("a valid key is checked with GET /users/me and stored; from the environment, no argv warning", async () => {
    const key = await gateway.route.issueApiKey();
    const before = gateway.stats.api;
    const r = await dataloop(["login"], { env: env({ DATALOOP_API_KEY: key }) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Logged in to ${gateway.gateUrl} as keyed@example.com (API key)`);
    expect(r.stderr).not.toContain(ARGV_WARNING);
    expect(gateway.stats.api - before).toBe(1);
    expect(await readdir(home)).toHaveLength(1);
    const me = await dataloop(["whoami"], { env: env() });
    expect(me.stdout).toContain("keyed@example.com");
  });

  it("--api-key on the command line warns that argv is visible to other users", async () => {
    const key = await gateway.route.issueApiKey();
    const r = await dataloop(["login", "--api-key", key], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(ARGV_WARNING);
    expect(r.stderr).toContain("prefer DATALOOP_API_KEY");
  });

  it("a key that is not one is refused at login (exit 1, API_KEY_REJECTED), and nothing is stored", async () => {
    const r = await dataloop(["login"], { env: env({ DATALOOP_API_KEY: "garbage" }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${gateway.gateUrl} refused the API key (DATALOOP_API_KEY): HTTP 401`);
    expect(r.stderr).not.toContain("Logged in");
    expect(await readdir(home)).toEqual([]);
    const json = await dataloop(["login", "--json"], { env: env({ DATALOOP_API_KEY: "garbage" }) });
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: "API_KEY_REJECTED", status: 401 } });
  });

  it("an expired key is said to be expired, with its date, never blamed on this machine's clock", async () => {
    const key = await gateway.route.issueApiKey(undefined, -3600);
    const r = await dataloop(["login", "--api-key", key, "--json"], { env: env() });
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.stderr.split("\n").find((l) => l.startsWith("{")) ?? "{}");
    expect(error).toMatchObject({ code: "API_KEY_EXPIRED" });
    expect(error.message).toMatch(/^The API key \(--api-key\) expired at \d{4}-\d\d-\d\dT/);
    expect(r.stderr).not.toContain("clock");
    expect(await readdir(home)).toEqual([]);
  });
});

describe("DATALOOP_API_KEY in every command", () => {
  it("whoami, token and request use the key without a login, and win over a stored session", async () => {
    const stored = await dataloop(["login", "--email", "keyed@example.com", "--password-stdin"], {
      stdin: "unused-pw-1",
      env: env(),
    });
    expect(stored.code, stored.stderr).toBe(0);
    const key = await gateway.route.issueApiKey();
    const withKey = env({ DATALOOP_API_KEY: key });
    const me = await dataloop(["whoami"], { env: withKey });
    expect(me.code, me.stderr).toBe(0);
    expect(me.stdout).toBe(`keyed@example.com on ${gateway.gateUrl} (user u-7, human)\n`);
    const token = await dataloop(["token"], { env: withKey });
    expect(token.stdout).toBe(`${key}\n`);
    const request = await dataloop(["request", "GET", "/projects", "--json"], { env: withKey });
    expect(JSON.parse(request.stdout)).toEqual({ path: "/projects" });
    // The stored session is still there, untouched: the key was used for these commands only.
    expect((await dataloop(["token"], { env: env() })).stdout).not.toBe(`${key}\n`);
  });

  it("an expired or refused key in the environment is named as such by any command", async () => {
    const expired = await dataloop(["whoami"], {
      env: env({ DATALOOP_API_KEY: await gateway.route.issueApiKey(undefined, -60) }),
    });
    expect(expired.code).toBe(1);
    expect(expired.stderr).toContain("The API key (DATALOOP_API_KEY) expired at");
    const garbage = await dataloop(["whoami"], { env: env({ DATALOOP_API_KEY: "garbage" }) });
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toContain("DATALOOP_API_KEY");
    expect(garbage.stderr).not.toContain("Not logged in");
  });

  it("logout forgets the stored session even while DATALOOP_API_KEY is set (an expired one too)", async () => {
    const key = await gateway.route.issueApiKey();
    expect((await dataloop(["login"], { env: env({ DATALOOP_API_KEY: key }) })).code).toBe(0);
    expect(await readdir(home)).toHaveLength(1);
    const expired = await gateway.route.issueApiKey(undefined, -60);
    const r = await dataloop(["logout"], { env: env({ DATALOOP_API_KEY: expired }) });
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(home)).toEqual([]);
  });
});
