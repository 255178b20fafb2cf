// What the CLI says about the gateway's answers: which gate a missing login is for, the reasons of a
// 400/422 (redacted), what `bots create` really got, and token renewals under DEBUG=dataloop.
import { readdir, readFile, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { type EchoGateway, startEchoGateway } from "@dataloop-ts/mock/light";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cleanUp, dataloop, tempHome } from "./cli-run.js";

const BOT = { username: "bot@example.com", password: "answers-S3cret-0b1e" };
/** A JWT-shaped string the gateway echoes in a reason: it must not reach the user. */
const ECHOED_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJlY2hvZWQtc2VjcmV0In0.c2lnbmF0dXJlLXNlY3JldA";
let botPassword: string | undefined;

function api(req: IncomingMessage, res: ServerResponse) {
  const path = new URL(req.url ?? "/", "http://x").pathname.replace(/^\/api\/v1/, "");
  const json = (status: number, body: unknown) =>
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  req.resume();
  req.on("end", () => {
    if (path === "/projects")
      return json(422, {
        title: "Invalid request",
        status: 422,
        validation: [
          { location: ["body"], message: "Request body must have required property 'name'" },
          { location: ["body", "token"], message: `must not be ${ECHOED_JWT}` },
        ],
      });
    if (path === "/datasets")
      return json(400, { status: 400, message: "Bad request", errors: ["filter: must be an object"] });
    if (path === "/orgs/o-1/bots")
      return json(200, {
        id: "b-1",
        username: "ci-bot@bots.example.com",
        ...(botPassword ? { password: botPassword } : {}),
      });
    json(200, { id: "u-1", email: BOT.username });
  });
}

let gateway: EchoGateway;
let home: string;
const env = (extra: NodeJS.ProcessEnv = {}) => ({
  DATALOOP_TS_HOME: home,
  DATALOOP_GATE: gateway.gateUrl,
  ...extra,
});
beforeAll(async () => {
  gateway = await startEchoGateway({ users: [BOT], api });
});
beforeEach(async () => {
  home = await tempHome();
  botPassword = undefined;
});
afterAll(async () => {
  await gateway?.stop();
  await cleanUp();
});

async function login() {
  const r = await dataloop(["login", "--email", BOT.username, "--password-stdin"], {
    stdin: BOT.password,
    env: env(),
  });
  expect(r.code, r.stderr).toBe(0);
}

describe("not logged in", () => {
  it("names the gate and says how to log in to that gate (--gate URL, --env NAME)", async () => {
    const byUrl = await dataloop(["whoami"], { env: env() });
    expect(byUrl.code).toBe(1);
    expect(byUrl.stderr).toContain(`dataloop: Not logged in to ${gateway.gateUrl}.`);
    expect(byUrl.stderr).toContain(`dataloop login --gate ${gateway.gateUrl}`);
    expect(byUrl.stderr).toContain("Each gate keeps its own session");
    // --env rc: no call is made (nothing stored), and the hint names the environment the same way.
    const byEnv = await dataloop(["token", "--env", "rc"], {
      env: { DATALOOP_TS_HOME: home, DATALOOP_GATE: "" },
    });
    expect(byEnv.stderr).toMatch(/Not logged in to https:\/\/\S+\./);
    expect(byEnv.stderr).toContain("dataloop login --env rc ");
  });
});

describe("the gateway's reasons for a 400/422", () => {
  it("are listed for people, in --json and under DEBUG=dataloop, with an echoed token redacted", async () => {
    await login();
    const human = await dataloop(["request", "POST", "/projects", "--body", "{}"], { env: env() });
    expect(human.code).toBe(1);
    expect(human.stderr).toContain("failed with HTTP 422");
    expect(human.stderr).toContain("\n  - body: Request body must have required property 'name'\n");
    expect(human.stderr).toContain("\n  - body.token: must not be");
    const json = await dataloop(["request", "POST", "/projects", "--body", "{}", "--json"], { env: env() });
    const { error } = JSON.parse(json.stderr);
    expect(error).toMatchObject({ code: "API_ERROR", status: 422 });
    expect(error.reasons[0]).toBe("body: Request body must have required property 'name'");
    expect(error.body.validation).toHaveLength(2);
    const debug = await dataloop(["request", "POST", "/projects", "--body", "{}"], {
      env: env({ DEBUG: "dataloop" }),
    });
    expect(debug.stderr).toContain("Request body must have required property 'name'");
    for (const r of [human, json, debug]) expect(r.stderr).not.toContain(ECHOED_JWT.split(".")[1]);
    const bad = await dataloop(["request", "POST", "/datasets", "--body", "{}"], { env: env() });
    expect(bad.stderr).toContain("HTTP 400: Bad request\n  - filter: must be an object\n");
  });
});

describe("bots create", () => {
  it("without credentials in the answer: says what was created and what is missing, never 'shown once'", async () => {
    await login();
    const r = await dataloop(["bots", "create", "--org", "o-1", "--name", "ci-bot"], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("shown once");
    expect(r.stderr).toContain("created bot ci-bot@bots.example.com (user b-1) in org o-1");
    expect(r.stderr).toContain("carries no credentials");
    expect(JSON.parse(r.stdout)).toMatchObject({ id: "b-1" });
  });

  it("with a password in the answer: warns that it is shown once", async () => {
    await login();
    botPassword = "bot-pw-once";
    const r = await dataloop(["bots", "create", "--org", "o-1", "--name", "ci-bot"], { env: env() });
    expect(r.stderr).toContain("The bot's credentials are shown once");
    expect(JSON.parse(r.stdout)).toMatchObject({ password: "bot-pw-once" });
  });
});

describe("DEBUG=dataloop", () => {
  it("logs the token renewal of a stored session, redacted", async () => {
    await login();
    const [file = ""] = await readdir(home);
    const stored = JSON.parse(await readFile(join(home, file), "utf8"));
    stored.idToken = await gateway.route.sign(BOT, -60);
    delete stored.expiresAt;
    await writeFile(join(home, file), JSON.stringify(stored));
    const before = gateway.route.calls.refresh;
    const r = await dataloop(["whoami"], { env: env({ DEBUG: "dataloop" }) });
    expect(r.code, r.stderr).toBe(0);
    expect(gateway.route.calls.refresh - before).toBe(1);
    expect(r.stderr).toMatch(/auth: refreshed \(expired\) for stored session; expires \d{4}-/);
    expect(r.stderr).not.toContain(stored.refreshToken);
  });
});
