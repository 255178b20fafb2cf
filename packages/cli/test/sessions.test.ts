// One stored session shared by many processes (CLI commands, an SDK process) over several token
// lifetimes, with refresh tokens that work once; and logins that fail without harming it.
//
// Time is the test's: the token route and every process read a clock that the test moves forward by a
// token lifetime between rounds, so tokens expire when the test says and no one sleeps. The CLI reads
// the real clock (the auth session's default, core's `systemClock`); each `dataloop` child started here
// gets a preload that moves that clock forward by the round's offset. Only `systemClock` moves: patching
// `Date.now` would make every lock file look stale to proper-lockfile and void the store's lock.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type EchoGateway, startEchoGateway } from "@dataloop-ts/mock/light";
import { runCli } from "@dataloop-ts/test-kit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const CLI = resolve(here, "../dist/main.js");
const AUTH = resolve(here, "../../auth/dist/index.js");
const AUTH_NODE = resolve(here, "../../auth/dist/node.js");
const CORE = resolve(here, "../../core/dist/index.js");
const PASSWORD = "s0ak-Secret-91c2";
const BOT = { username: "bot@example.com", password: PASSWORD };
type StoredTokens = { idToken: string; refreshToken?: string; expiresAt?: number };
/** The token lifetime (the gateway's default) and how far the clock moves between rounds. */
const LIFETIME_MS = 3_600_000;

/** What the test's clock reads ahead of the real one: moved between rounds, never while a process runs. */
let offsetMs = 0;
let gateway: EchoGateway;
let home: string;
let scripts: string;
/** One line per process that has read the stored session (see clock.mjs). */
let marks: string;
const marked = async () => (await readFile(marks, "utf8").catch(() => "")).split("\n").length - 1;
/**
 * Holds the token route's answers until `n` more processes than `from` have read the stored session
 * (or `racing` has settled: a process that fails early is reported by the test, not waited for), so
 * that they all race for the one renewal whatever the machine's speed; then lets them go.
 */
async function lineUp(n: number, from: number, racing: Promise<unknown>, release: () => void) {
  let settled = false;
  void racing.finally(() => {
    settled = true;
  });
  while (!settled && (await marked()) - from < n) await new Promise((r) => setTimeout(r, 20));
  release();
}
const homes: string[] = [];
beforeAll(async () => {
  scripts = await mkdtemp(join(tmpdir(), "dataloop-sessions-scripts-"));
  homes.push(scripts);
  await writeFile(
    join(scripts, "clock.mjs"),
    `import { appendFileSync } from "node:fs";
     import { systemClock } from ${JSON.stringify(pathToFileURL(CORE).href)};
     const offset = Number(process.env.DATALOOP_TEST_CLOCK_OFFSET_MS);
     // The session first reads the clock right after it has read the store: that is marked, so that
     // the test can hold the first renewal until every process it started has read the same session.
     let marked = false;
     systemClock.now = () => {
       if (!marked) {
         marked = true;
         appendFileSync(process.env.DATALOOP_TEST_CLOCK_MARKS, process.pid + "\\n");
       }
       return Date.now() + offset;
     };`,
  );
  // The SDK process: a long-running service on the stored session (no credentials: a refused refresh
  // would be fatal). Each line "OFFSET CALLS" sets its clock and makes CALLS token calls; it answers with
  // the tokens it was given, one line per round.
  await writeFile(
    join(scripts, "sdk.mjs"),
    `import { appendFileSync } from "node:fs";
     import { createInterface } from "node:readline";
     import { createAuth, refreshTokenAuth } from ${JSON.stringify(pathToFileURL(AUTH).href)};
     import { fileStore } from ${JSON.stringify(pathToFileURL(AUTH_NODE).href)};
     let offset = 0;
     let marked = true;
     const clock = {
       now: () => {
         if (!marked) {
           marked = true;
           appendFileSync(process.argv[4], process.pid + "\\n");
         }
         return Date.now() + offset;
       },
     };
     const auth = createAuth(refreshTokenAuth("rt_placeholder"), { gateUrl: process.argv[2], store: fileStore(process.argv[3]), clock });
     for await (const line of createInterface({ input: process.stdin })) {
       const [at, calls] = line.split(" ").map(Number);
       offset = at;
       marked = false; // its first clock read of the round is marked, as a CLI process's
       const tokens = new Set();
       for (let i = 0; i < calls; i++) {
         tokens.add(await auth.token());
         await new Promise((r) => setImmediate(r));
       }
       console.log([...tokens].join(" "));
     }`,
  );
});
beforeEach(async () => {
  offsetMs = 0;
  // Rotating refresh tokens, as the gateway; its clock is the test's.
  gateway = await startEchoGateway({ users: [BOT], clock: { now: () => Date.now() + offsetMs } });
  home = await mkdtemp(join(tmpdir(), "dataloop-sessions-"));
  homes.push(home);
  marks = join(scripts, `marks-${homes.length}`);
});
afterEach(() => gateway?.stop());
afterAll(() => Promise.all(homes.map((h) => rm(h, { recursive: true, force: true }))));

const dataloop = (args: string[], stdin?: string) =>
  runCli(CLI, args, {
    env: {
      DATALOOP_TS_HOME: home,
      DATALOOP_GATE: gateway.gateUrl,
      BROWSER: "none",
      DEBUG: "",
      NODE_OPTIONS: `--import=${pathToFileURL(join(scripts, "clock.mjs")).href}`,
      DATALOOP_TEST_CLOCK_OFFSET_MS: String(offsetMs),
      DATALOOP_TEST_CLOCK_MARKS: marks,
    },
    ...(stdin !== undefined ? { stdin } : {}),
  });
async function login() {
  const r = await dataloop(["login", "--email", BOT.username, "--password-stdin"], `${PASSWORD}\n`);
  expect(r.code, r.stderr).toBe(0);
}

/**
 * A hang guard, not a speed bet: what these tests do is a fixed number of CLI processes run one after
 * another, and one such step took up to 6 s on a 2-core machine at load 18; 30 s each is the margin.
 */
const STEP_BUDGET_MS = 30_000;

describe("processes sharing the stored session", () => {
  it(
    "10 `dataloop token` started together when the token is due: all succeed, one refresh, the session survives",
    async () => {
      await login();
      offsetMs += LIFETIME_MS; // expired in the store
      const before = { ...gateway.route.calls };
      const from = await marked();
      const release = gateway.route.pause(); // the first refresh waits until all 10 have read the session
      const racing = Promise.all(Array.from({ length: 10 }, () => dataloop(["token"])));
      await lineUp(10, from, racing, release);
      const runs = await racing;
      expect(runs.map((r) => r.code)).toEqual(Array(10).fill(0));
      expect(new Set(runs.map((r) => r.stdout)).size).toBe(1);
      expect(gateway.route.calls.refresh - before.refresh).toBe(1);
      expect(gateway.route.calls.rejected - before.rejected).toBe(0);
      expect((await dataloop(["whoami", "--json"])).code).toBe(0);
    },
    5 * STEP_BUDGET_MS, // the login, the ten at once (counted as three), whoami
  );

  it(
    "soak: three CLI loops and an SDK process over four token lifetimes, renewed at expiry and early: no failed command, no refresh token used twice, one refresh per renewal",
    async () => {
      const ROUNDS = 4;
      const COMMANDS = 2; // per CLI loop and round
      const SDK_CALLS = 20; // per round
      await login();
      const child = spawn(process.execPath, [join(scripts, "sdk.mjs"), gateway.gateUrl, home, marks]);
      let err = "";
      child.stderr.on("data", (d: Buffer) => (err += d));
      const exited = new Promise<number>((done) => child.on("close", (code) => done(code ?? 1)));
      const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const sdkRound = async () => {
        child.stdin.write(`${offsetMs} ${SDK_CALLS}\n`);
        const { value } = await answers.next();
        return String(value ?? "")
          .split(" ")
          .filter(Boolean);
      };
      const loop = async () => {
        const runs: Array<{ code: number; stdout: string; stderr: string }> = [];
        for (let i = 0; i < COMMANDS; i++) runs.push(await dataloop(["token"]));
        return runs;
      };
      const sessionFile = join(home, `${new URL(gateway.gateUrl).host.replace(":", "_")}.json`);
      const stored = async () => JSON.parse(await readFile(sessionFile, "utf8")) as StoredTokens;
      const before = { ...gateway.route.calls };
      const failed: string[] = [];
      const renewed: string[] = [(await stored()).idToken];
      for (let round = 1; round <= ROUNDS; round++) {
        // Odd rounds: every token issued so far has expired, for every process: all wait for one renewal.
        // Even rounds: one second into the early-renewal window (a minute before expiry): every process
        // is served the valid token at once, and one of them renews in the background.
        const early = round % 2 === 0;
        if (early) offsetMs = ((await stored()).expiresAt ?? 0) - 59_000 - Date.now();
        else offsetMs += LIFETIME_MS;
        // The first renewal of the round waits until the SDK process and the first command of each
        // loop have read the session: all four race for it, every round.
        const from = await marked();
        const release = gateway.route.pause();
        const racing = Promise.all([loop(), loop(), loop(), sdkRound()]);
        await lineUp(4, from, racing, release);
        const [a, b, c, sdk] = await racing;
        const runs = [...a, ...b, ...c];
        failed.push(...runs.filter((r) => r.code !== 0).map((r) => `round ${round}: ${r.stderr}`));
        const served = new Set([...runs.map((r) => r.stdout.trim()), ...sdk]);
        const [held, now] = [renewed.at(-1), (await stored()).idToken];
        renewed.push(now);
        // What each process was given: the renewed token, or (only while it was still valid) the held one.
        expect(
          [...served].filter((t) => t !== now && !(early && t === held)),
          `round ${round}`,
        ).toEqual([]);
      }
      child.stdin.end();
      expect(await exited, err).toBe(0);
      expect(failed).toEqual([]);
      // One new token per round, stored for all.
      expect(new Set(renewed).size).toBe(ROUNDS + 1);
      // One refresh per renewal, whatever the number of processes, and none refused: with rotating refresh
      // tokens, a refresh token used twice would have been refused.
      expect(gateway.route.calls.refresh - before.refresh).toBe(ROUNDS);
      expect(gateway.route.calls.rejected - before.rejected).toBe(0);
      expect(gateway.route.calls.password - before.password).toBe(0);
      // The session file is there, and nothing else (no lock, no temp file left).
      expect(await readdir(home)).toEqual([`${new URL(gateway.gateUrl).host.replace(":", "_")}.json`]);
    },
    (2 + 4 * 2) * STEP_BUDGET_MS,
  ); // the login, then ROUNDS × COMMANDS steps, and one to spare
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
  ])(
    "%s",
    async (_name, failingLogin) => {
      await login();
      const before = await dataloop(["token"]);
      const failed = await failingLogin();
      expect(failed.code).toBe(1);
      const after = await dataloop(["token"]);
      expect(after.code, after.stderr).toBe(0);
      expect(after.stdout).toBe(before.stdout);
    },
    4 * STEP_BUDGET_MS,
  );
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
    expect(r.code).toBe(2); // a usage error: the gate is the user's input
    expect(r.stderr).toContain('"file:///etc/passwd" is neither a Dataloop environment');
    expect(r.stderr).not.toContain("null/etc/passwd");
  });
});
