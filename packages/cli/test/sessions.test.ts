// One stored session shared by many processes (CLI commands, an SDK process) over several token
// lifetimes, with refresh tokens that work once; and logins that fail without harming it.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type EchoGateway, startEchoGateway } from "@dataloop-ts/mock/light";
import { runCli } from "@dataloop-ts/test-kit";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const CLI = resolve(here, "../dist/main.js");
const AUTH = resolve(here, "../../auth/dist/index.js");
const AUTH_NODE = resolve(here, "../../auth/dist/node.js");
const PASSWORD = "s0ak-Secret-91c2";
const BOT = { username: "bot@example.com", password: PASSWORD };

let gateway: EchoGateway;
let home: string;
const homes: string[] = [];
beforeEach(async () => {
  gateway = await startEchoGateway({ users: [BOT] }); // rotating refresh tokens, as the gateway
  home = await mkdtemp(join(tmpdir(), "dataloop-sessions-"));
  homes.push(home);
});
afterEach(() => gateway?.stop());
afterAll(() => Promise.all(homes.map((h) => rm(h, { recursive: true, force: true }))));

const dataloop = (args: string[], stdin?: string) =>
  runCli(CLI, args, {
    env: { DATALOOP_TS_HOME: home, DATALOOP_GATE: gateway.gateUrl, BROWSER: "none", DEBUG: "" },
    ...(stdin !== undefined ? { stdin } : {}),
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function login() {
  const r = await dataloop(["login", "--email", BOT.username, "--password-stdin"], `${PASSWORD}\n`);
  expect(r.code, r.stderr).toBe(0);
}

describe("processes sharing the stored session", () => {
  it("10 `dataloop token` started together when the token is due: all succeed, one refresh, the session survives", async () => {
    gateway.route.lifetimeSeconds = 2;
    await login();
    await sleep(2_100); // expired in the store
    gateway.route.lifetimeSeconds = 3600;
    const before = { ...gateway.route.calls };
    const runs = await Promise.all(Array.from({ length: 10 }, () => dataloop(["token"])));
    expect(runs.map((r) => r.code)).toEqual(Array(10).fill(0));
    expect(new Set(runs.map((r) => r.stdout)).size).toBe(1);
    expect(gateway.route.calls.refresh - before.refresh).toBe(1);
    expect(gateway.route.calls.rejected - before.rejected).toBe(0);
    expect((await dataloop(["whoami", "--json"])).code).toBe(0);
  });

  it("soak: three CLI loops and an SDK process over four token lifetimes: no failed command, no refresh token used twice, one refresh per renewal", async () => {
    const lifetimeS = 3;
    gateway.route.lifetimeSeconds = lifetimeS;
    await login();
    const durationMs = 4 * lifetimeS * 1000;
    const sdk = join(home, "..", `sdk-${process.pid}-${Date.now()}.mjs`);
    await writeFile(
      sdk,
      `import { createAuth, refreshTokenAuth } from ${JSON.stringify(AUTH)};
       import { fileStore } from ${JSON.stringify(AUTH_NODE)};
       // The stored session (no credentials: a refused refresh would be fatal), as a long-running service holds it.
       const auth = createAuth(refreshTokenAuth("rt_placeholder"), { gateUrl: process.argv[2], store: fileStore(process.argv[3]) });
       const end = Date.now() + Number(process.argv[4]);
       let calls = 0;
       while (Date.now() < end) { await auth.token(); calls++; await new Promise((r) => setTimeout(r, 50)); }
       console.log(calls);`,
    );
    const before = { ...gateway.route.calls };
    const started = Date.now();
    const service = new Promise<{ code: number; out: string; err: string }>((done) => {
      const child = spawn(process.execPath, [sdk, gateway.gateUrl, home, String(durationMs)]);
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => (out += d));
      child.stderr.on("data", (d: Buffer) => (err += d));
      child.on("close", (code) => done({ code: code ?? 1, out, err }));
    });
    const loop = async () => {
      const codes: number[] = [];
      while (Date.now() - started < durationMs) codes.push((await dataloop(["token"])).code);
      return codes;
    };
    const [a, b, c, svc] = await Promise.all([loop(), loop(), loop(), service]);
    await rm(sdk, { force: true });
    const commands = [...a, ...b, ...c];
    expect(svc.code, svc.err).toBe(0);
    expect(Number(svc.out)).toBeGreaterThan(20);
    expect(commands.length).toBeGreaterThan(15);
    expect(commands.filter((code) => code !== 0)).toEqual([]);
    expect(gateway.route.calls.rejected - before.rejected).toBe(0);
    // One refresh per renewal, whatever the number of processes: each used a refresh token no one had
    // used (rotation would have refused a second use: none was refused), and they come no faster than
    // a token is due. A token is renewed at half its life here (the lifetime is below the 60 s skew), its
    // `iat` floored to the second: a renewal every (lifetime − 1) / 2 s at the most.
    const refreshes = gateway.route.calls.refresh - before.refresh;
    expect(refreshes).toBeGreaterThanOrEqual(3);
    expect(refreshes).toBeLessThanOrEqual(
      Math.ceil((Date.now() - started) / (((lifetimeS - 1) * 1000) / 2)) + 1,
    );
    // The session file is there, and nothing else (no lock, no temp file left).
    expect(await readdir(home)).toEqual([`${new URL(gateway.gateUrl).host.replace(":", "_")}.json`]);
  });
});

describe("a failed login leaves a working session as it was", () => {
  it.each([
    [
      "a wrong password",
      async () => dataloop(["login", "--email", BOT.username, "--password-stdin"], "not-it\n"),
    ],
    [
      "a failing token route",
      async () => {
        gateway.route.mode = "error500";
        try {
          return await dataloop(["login", "--email", BOT.username, "--password-stdin"], `${PASSWORD}\n`);
        } finally {
          gateway.route.mode = "normal";
        }
      },
    ],
  ])("%s", async (_name, failingLogin) => {
    await login();
    const before = await dataloop(["token"]);
    const failed = await failingLogin();
    expect(failed.code).toBe(1);
    const after = await dataloop(["token"]);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe(before.stdout);
  });
});

describe("input from outside is printed safely", () => {
  it("an e-mail with a line break and a terminal escape is shown escaped, on one line", async () => {
    const r = await dataloop(["login", "--email", "evil\n\u001b[31m@example.com", "--password-stdin"], "x\n");
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("\u001b");
    expect(r.stderr).toContain("evil\\u000a\\u001b[31m@example.com");
  });

  it("a file: URL as the gate is refused, naming what is wanted", async () => {
    const r = await runCli(CLI, ["token", "--gate", "file:///etc/passwd"], {
      env: { DATALOOP_TS_HOME: home, DEBUG: "" },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"file:///etc/passwd" is neither a Dataloop environment');
    expect(r.stderr).not.toContain("null/etc/passwd");
  });
});
