import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type MockGateway, startMockGateway } from "@dataloop-ts/mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/cli.js");
let gateway: MockGateway;
let home: string;
const outputs: string[] = [];
// Not a word our own messages use (they say "--password-stdin").
const PASSWORD = "cli-S3cret-7e2b";

beforeAll(async () => {
  gateway = await startMockGateway({ users: [{ username: "bot@example.com", password: PASSWORD }] });
  home = await mkdtemp(join(tmpdir(), "dataloop-cli-"));
});
afterAll(async () => {
  await gateway?.stop();
  await rm(home, { recursive: true, force: true });
});

function dataloop(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, DATALOOP_TS_HOME: home, DATALOOP_GATE: gateway.gateUrl }, timeout: 30_000 },
      (error, stdout, stderr) => {
        outputs.push(stdout, stderr);
        done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
    else child.stdin?.end();
  });
}
const JWT_LINE = /^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/;

describe("the dataloop CLI against the mock gateway", () => {
  it("token without a login exits non-zero and says how to log in", async () => {
    const r = await dataloop(["token"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Log in first: dataloop login");
  });

  it("login with the password on stdin, then token prints exactly one line: a JWT", async () => {
    const login = await dataloop(
      ["login", "--email", "bot@example.com", "--password-stdin"],
      `${PASSWORD}\n`,
    );
    expect(login.code).toBe(0);
    expect(login.stderr).toMatch(
      /^Logged in to http:\/\/127\.0\.0\.1:\d+ as bot@example\.com; token valid until /,
    );
    expect(login.stdout).toBe("");
    const files = await readdir(home);
    expect(files).toHaveLength(1);
    const token = await dataloop(["token"]);
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(JWT_LINE);
    expect(token.stderr).toBe("");
    expect(gateway.route.calls.password).toBe(1);
  });

  it("token --decode shows the claims and the expiry on stderr, the JWT alone on stdout", async () => {
    const r = await dataloop(["token", "--decode"]);
    expect(r.stdout).toMatch(JWT_LINE);
    expect(r.stderr).toContain('"email": "bot@example.com"');
    expect(r.stderr).toMatch(/expires \d{4}-\d\d-\d\dT.*\(in \d+ min\)/);
  });

  it("with an expired stored token, token refreshes first", async () => {
    const [file = ""] = await readdir(home);
    const stored = JSON.parse(await readFile(join(home, file), "utf8"));
    stored.idToken = await gateway.route.sign(gateway.defaultBot, -60);
    delete stored.expiresAt;
    await writeFile(join(home, file), JSON.stringify(stored));
    const before = gateway.route.calls.refresh;
    const r = await dataloop(["token"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(JWT_LINE);
    expect(r.stdout.trim()).not.toBe(stored.idToken);
    expect(gateway.route.calls.refresh - before).toBe(1);
  });

  it("whoami, request and bots create call the typed client and print JSON", async () => {
    const me = await dataloop(["whoami"]);
    expect(me.code).toBe(0);
    expect(JSON.parse(me.stdout)).toHaveProperty("email");
    const req = await dataloop([
      "request",
      "GET",
      "/datasets/d1/items",
      "--query",
      "pageOffset=0",
      "--query",
      "pageSize=5",
    ]);
    expect(req.code).toBe(0);
    expect(JSON.parse(req.stdout)).toHaveProperty("items");
    const post = await dataloop(["request", "POST", "/projects", "--body", '{"name":"cli"}']);
    expect(JSON.parse(post.stdout)).toHaveProperty("id");
    const bot = await dataloop(["bots", "create", "--org", "o-1", "--name", "ci-bot"]);
    expect(bot.code).toBe(0);
    expect(bot.stderr).toContain("shown once");
    expect(JSON.parse(bot.stdout)).toHaveProperty("id");
  });

  it("a failing request exits non-zero with a readable error", async () => {
    const r = await dataloop(["request", "POST", "/projects", "--body", "{}"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dataloop: POST \/api\/v1\/projects failed with HTTP 422/);
    const bad = await dataloop(["request", "FETCH", "/x"]);
    expect(bad.code).toBe(2);
  });

  it("login with an API key, then logout removes the stored tokens", async () => {
    const key = await gateway.route.issueApiKey();
    expect((await dataloop(["login", "--api-key", key])).code).toBe(0);
    expect((await dataloop(["token"])).stdout.trim()).toBe(key);
    expect((await dataloop(["logout"])).code).toBe(0);
    expect(await readdir(home)).toEqual([]);
    expect((await dataloop(["token"])).code).toBe(1);
  });

  it("no password, refresh token or JWT in any output except token's stdout", () => {
    const secrets = [PASSWORD, ...gateway.route.issued.filter((s) => s.startsWith("rt_"))];
    const tokenLines = new Set(outputs.filter((o) => JWT_LINE.test(o)));
    const rest = outputs.filter((o) => !tokenLines.has(o)).join("\n");
    for (const s of secrets) expect(rest.includes(s), s.slice(0, 6)).toBe(false);
    expect(rest).not.toMatch(/eyJ[\w-]{10,}/);
  });
});
