import { execFile, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { type MockGateway, startMockGateway } from "@dataloop-ts/mock";
import {
  CHROMIUM_FLAGS,
  chromiumExecutable,
  chromiumProcesses,
  describeProcesses,
} from "@dataloop-ts/test-chromium";
import { runCli } from "@dataloop-ts/test-kit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/main.js");
let gateway: MockGateway;
/** This test's token folder: every test starts logged out, in a folder of its own (no test needs another's state). */
let home: string;
const homes: string[] = [];
// Not a word our own messages use (they say "--password-stdin").
const PASSWORD = "cli-S3cret-7e2b";
/** A password may begin and end with spaces: --password-stdin strips the final line break only. */
const SPACED_PASSWORD = "  sp4ced pass  ";

beforeAll(async () => {
  gateway = await startMockGateway({
    strict: false,
    users: [
      { username: "bot@example.com", password: PASSWORD },
      { username: "spaced@example.com", password: SPACED_PASSWORD },
    ],
  });
});
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "dataloop-cli-"));
  homes.push(home);
});
afterAll(async () => {
  await gateway?.stop();
  await Promise.all(homes.map((h) => rm(h, { recursive: true, force: true })));
});

/**
 * What every run of the CLI is held to, in every test: no password, refresh token or JWT in what it
 * wrote (a JWT only where `token` prints it), and no terminal escape when it is not on a terminal.
 */
function expectNoSecrets(text: string, where: string) {
  const refreshTokens = gateway.route.issued.filter((t) => t.startsWith("rt_"));
  for (const secret of [PASSWORD, SPACED_PASSWORD, ...refreshTokens])
    expect(text.includes(secret), `${where}: ${secret.slice(0, 6)}…`).toBe(false);
  expect(text, where).not.toMatch(/eyJ[\w-]{10,}/);
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
const cliEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  DATALOOP_TS_HOME: home,
  DATALOOP_GATE: gateway.gateUrl,
  BROWSER: "none",
  ...extra,
});

async function dataloop(
  args: string[],
  options: { stdin?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Run> {
  const run = await runCli(CLI, args, {
    env: cliEnv(options.env),
    timeoutMs: 30_000,
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
  });
  const where = `dataloop ${args.join(" ")}`;
  expectNoSecrets(`${args[0] === "token" ? "" : run.stdout}\n${run.stderr}`, where);
  expect(run.stderr, where).not.toContain("\u001b");
  return run;
}

/** Starts `dataloop login --browser …` and hands back the login URL it prints, plus its exit. */
function browserLogin(
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<{ url: string; exit: Promise<Run> }> {
  const child = spawn(process.execPath, [CLI, "login", "--browser", ...args], { env: cliEnv(env) });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString("utf8");
  });
  const exit = new Promise<Run>((done) =>
    child.on("close", (code) => {
      expectNoSecrets(`${stdout}\n${stderr}`, "dataloop login --browser");
      done({ code: code ?? 1, stdout, stderr });
    }),
  );
  return new Promise((resolveUrl, reject) => {
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString("utf8");
      const url = /(http:\/\/\S+\/login\?callback=\S+)/.exec(stderr)?.[1];
      if (url) resolveUrl({ url, exit });
    });
    void exit.then((r) => reject(new Error(`the CLI exited before printing a URL: ${r.stderr}`)));
  });
}

/** Waits (up to 15 s) until no process has `marker` on its command line. */
async function untilGone(marker: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const pids = (await readdir("/proc")).filter((p) => /^\d+$/.test(p));
    const cmdlines = await Promise.all(
      pids.map((p) => readFile(`/proc/${p}/cmdline`, "utf8").catch(() => "")),
    );
    if (!cmdlines.some((c) => c.includes(marker))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Logs the default bot in, in this test's home. */
async function loginBot(): Promise<void> {
  const r = await dataloop(["login", "--email", "bot@example.com", "--password-stdin"], {
    stdin: `${PASSWORD}\n`,
  });
  expect(r.code, r.stderr).toBe(0);
}

/** Expires the stored id token, so the next command must refresh it. */
async function expireStoredToken(): Promise<string> {
  const [file = ""] = await readdir(home);
  const stored = JSON.parse(await readFile(join(home, file), "utf8"));
  stored.idToken = await gateway.route.sign(gateway.defaultBot, -60);
  delete stored.expiresAt;
  await writeFile(join(home, file), JSON.stringify(stored));
  return stored.idToken;
}

const JWT_LINE = /^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/;

describe("the dataloop CLI against the mock gateway", () => {
  it("--help and --version answer without a session", async () => {
    const help = await dataloop(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["login --browser", "token", "whoami", "request", "bots create", "logout"])
      expect(help.stdout).toContain(`dataloop ${command}`);
    const version = await dataloop(["--version"]);
    expect(version.stdout).toMatch(/^@dataloop-ts\/cli \d+\.\d+\.\d+/);
  });

  it("token without a login exits non-zero and says how to log in (as text, or JSON with --json)", async () => {
    const r = await dataloop(["token"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`Not logged in to ${gateway.gateUrl}.`);
    expect(r.stderr).toContain(`Log in to it: dataloop login --gate ${gateway.gateUrl}`);
    const json = await dataloop(["token", "--json"]);
    expect(json.code).toBe(1);
    expect(json.stdout).toBe("");
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: "LOGIN_REQUIRED" } });
  });

  it("login with the password on stdin, then token prints exactly one line: a JWT", async () => {
    const before = gateway.route.calls.password;
    const login = await dataloop(["login", "--email", "bot@example.com", "--password-stdin"], {
      stdin: `${PASSWORD}\n`,
    });
    expect(login.code).toBe(0);
    expect(login.stderr).toMatch(
      /^Logged in to http:\/\/127\.0\.0\.1:\d+ as bot@example\.com; token valid until \d{4}-/,
    );
    expect(login.stdout).toBe("");
    expect(await readdir(home)).toHaveLength(1);
    const token = await dataloop(["token"]);
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(JWT_LINE);
    expect(token.stderr).toBe("");
    expect(gateway.route.calls.password - before).toBe(1);
  });

  it("--password-stdin keeps a password's own leading and trailing spaces, dropping only the final newline", async () => {
    const r = await dataloop(["login", "--email", "spaced@example.com", "--password-stdin"], {
      stdin: `${SPACED_PASSWORD}\n`,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Logged in to \S+ as spaced@example\.com/);
  });

  it("an explicit way in wins over the environment; two at once is a usage error", async () => {
    const before = gateway.route.calls.password;
    const login = await dataloop(["login", "--email", "bot@example.com", "--password-stdin"], {
      stdin: PASSWORD,
      env: { DATALOOP_API_KEY: "eyJhbGciOiJub25lIn0.e30." },
    });
    expect(login.code).toBe(0);
    expect(gateway.route.calls.password - before).toBe(1);
    const onCommandLine = await dataloop(["login", "--email", "bot@example.com", "--password", PASSWORD]);
    expect(onCommandLine.code).toBe(0);
    expect(onCommandLine.stderr).toContain("prefer --password-stdin");
    const both = await dataloop(["login", "--browser", "--api-key", "k"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("login takes one way in; got --browser and --api-key");
  });

  it("keeps one session per environment: another gate is not logged in", async () => {
    await loginBot();
    const other = gateway.gateUrl.replace("127.0.0.1", "localhost");
    const r = await dataloop(["token", "--gate", other]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Not logged in");
  });

  it("token --decode shows the claims and the expiry on stderr, the JWT alone on stdout", async () => {
    await loginBot();
    const r = await dataloop(["token", "--decode"]);
    expect(r.stdout).toMatch(JWT_LINE);
    expect(r.stderr).toContain('"email": "bot@example.com"');
    expect(r.stderr).toMatch(/expires \d{4}-\d\d-\d\dT.*\(in \d+ min\)/);
  });

  it("with an expired stored token, token refreshes first", async () => {
    await loginBot();
    const expired = await expireStoredToken();
    const before = gateway.route.calls.refresh;
    const r = await dataloop(["token"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(JWT_LINE);
    expect(r.stdout.trim()).not.toBe(expired);
    expect(gateway.route.calls.refresh - before).toBe(1);
  });

  it("whoami prints who you are; --json prints the user", async () => {
    await loginBot();
    const me = await dataloop(["whoami"]);
    expect(me.code).toBe(0);
    expect(me.stdout).toMatch(new RegExp(`^\\S+ on ${gateway.gateUrl.replace(/\./g, "\\.")}`));
    const json = await dataloop(["whoami", "--json"]);
    expect(json.stdout.trim().split("\n")).toHaveLength(1);
    // DEBUG=dataloop logs each call on stderr, redacted (the leak check at the end reads it too).
    const debug = await dataloop(["whoami"], { env: { DEBUG: "dataloop" } });
    expect(debug.stderr).toMatch(/GET \S*\/api\/v1\/users\/me/);
    expect(JSON.parse(json.stdout)).toHaveProperty("email");
  });

  it("request calls the API with query and body (inline or @file) and prints JSON", async () => {
    await loginBot();
    const list = await dataloop([
      "request",
      "GET",
      "/datasets/d1/items",
      "--query",
      "pageOffset=0",
      "--query",
      "pageSize=5",
    ]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toHaveProperty("items");
    const post = await dataloop(["request", "post", "/projects", "--body", '{"name":"cli"}', "--json"]);
    expect(post.stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(post.stdout)).toHaveProperty("id");
    const file = join(home, "..", `body-${process.pid}.json`);
    await writeFile(file, '{"name":"from-file"}');
    const fromFile = await dataloop(["request", "POST", "/projects", "--body", `@${file}`]);
    await rm(file);
    expect(fromFile.code).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toHaveProperty("id");
  });

  it("bots create prints the bot, and says when the answer carries no credentials", async () => {
    await loginBot();
    const bot = await dataloop(["bots", "create", "--org", "o-1", "--name", "ci-bot"]);
    expect(bot.code).toBe(0);
    // The mock answers the spec's APIUser, which has no password: nothing to keep, and it says so.
    expect(bot.stderr).not.toContain("shown once");
    expect(bot.stderr).toContain("the gateway's answer carries no credentials");
    expect(JSON.parse(bot.stdout)).toHaveProperty("id");
    const missing = await dataloop(["bots", "create", "--org", "o-1"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("bots create --org ORG --name NAME");
  });

  it("a failing request exits non-zero with a readable error; bad usage exits 2", async () => {
    await loginBot();
    const r = await dataloop(["request", "POST", "/projects", "--body", "{}"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dataloop: POST \/api\/v1\/projects failed with HTTP 422/);
    const json = await dataloop(["request", "POST", "/projects", "--body", "{}", "--json"]);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: "API_ERROR", status: 422 } });
    for (const args of [
      ["request", "FETCH", "/x"],
      ["request", "GET", "/x", "--body", "{nope"],
      ["frobnicate"],
      ["whoami", "--colour"],
    ]) {
      const bad = await dataloop(args);
      expect(bad.code, args.join(" ")).toBe(2);
      expect(bad.stderr, args.join(" ")).toContain("dataloop --help");
    }
  });

  it("items upload, query and download end to end (--json), and a file that cannot be read fails the run, listed", async () => {
    await loginBot();
    const tree = join(home, "..", `tree-${process.pid}-${Date.now()}`);
    const { mkdir, symlink } = await import("node:fs/promises");
    await mkdir(join(tree, "sub"), { recursive: true });
    const files: Record<string, string> = {
      "a.txt": "alpha",
      "sub/b.txt": "beta",
      "naïve name.txt": "gamma",
    };
    for (const [name, text] of Object.entries(files)) await writeFile(join(tree, name), text);
    const dataset = "65f1c0ffee0123456789c11a";
    const up = await dataloop([
      "items",
      "upload",
      tree,
      "--dataset",
      dataset,
      "--remote-path",
      "/cli",
      "--json",
    ]);
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ done: 3, failed: 0 });
    const query = await dataloop(["items", "query", "--dataset", dataset]);
    const lines = query.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { filename: string });
    expect(lines.map((l) => l.filename).sort()).toEqual([
      "/cli/a.txt",
      "/cli/naïve name.txt",
      "/cli/sub/b.txt",
    ]);
    const out = join(home, "..", `out-${process.pid}-${Date.now()}`);
    const down = await dataloop(["items", "download", "--dataset", dataset, "--out", out, "--json"]);
    expect(JSON.parse(down.stdout)).toMatchObject({ done: 3, failed: 0 });
    for (const [name, text] of Object.entries(files))
      expect(await readFile(join(out, "cli", name), "utf8")).toBe(text);
    await symlink(join(tree, "nowhere"), join(tree, "broken.txt"));
    const partial = await dataloop(["items", "upload", tree, "--dataset", dataset, "--remote-path", "/cli"]);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toMatch(
      /^Uploaded 3 files \(.*\) in [\d.]+ s; 1 failed:\n {2}\/cli\/broken\.txt \(.*broken\.txt\): .*broken\.txt is a symbolic link, not followed\./m,
    );
    await Promise.all([tree, out].map((d) => rm(d, { recursive: true, force: true })));
    const usage = await dataloop(["items", "upload", tree]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("items needs --dataset ID");
  });

  it("login --browser: the test plays the browser, follows the redirect, and the CLI stores the session", async () => {
    const before = { browser: gateway.route.calls.browser, refresh: gateway.route.calls.refresh };
    const { url, exit } = await browserLogin();
    expect(url).toMatch(new RegExp(`^${gateway.gateUrl}/login\\?callback=http%3A%2F%2Flocalhost%3A\\d+$`));
    const page = await fetch(url); // 302 to http://localhost:PORT/?id_token=… — fetch follows it
    expect(new URL(page.url).hostname).toBe("localhost");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("You are logged in");
    const r = await exit;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Open this URL in a browser and sign in");
    expect(r.stderr).toMatch(/Logged in to \S+ as bot@example\.com/);
    expect(gateway.route.calls.browser - before.browser).toBe(1);
    const me = await dataloop(["whoami", "--json"]);
    expect(me.code).toBe(0);
    // The refresh token from the redirect keeps the session alive.
    await expireStoredToken();
    expect((await dataloop(["token"])).stdout).toMatch(JWT_LINE);
    expect(gateway.route.calls.refresh - before.refresh).toBe(1);
  });

  it("login --browser with a real browser: Debian's chromium, opened through $BROWSER", async () => {
    const chromium = chromiumExecutable();
    const profile = await mkdtemp(join(tmpdir(), "dataloop-cli-chromium-"));
    const flags = CHROMIUM_FLAGS.join(" ");
    try {
      const before = gateway.route.calls.browser;
      // --dump-dom: load the page (and follow the redirect to the callback), print it, exit.
      const { exit } = await browserLogin(["--timeout", "60"], {
        BROWSER: `${chromium} ${flags} --user-data-dir=${profile} --dump-dom`,
      });
      const r = await exit;
      // Should the browser hang, say what its processes were doing (they are still there to look at).
      const diagnosis = r.code === 0 ? "" : `\nchromium:\n${describeProcesses(chromiumProcesses(profile))}`;
      expect(r.stderr).toContain("Opening the Dataloop login in your browser");
      expect(r.code, r.stderr + diagnosis).toBe(0);
      expect(gateway.route.calls.browser - before).toBe(1);
      expect((await dataloop(["whoami", "--json"])).code).toBe(0);
    } finally {
      // The CLI left Chromium running detached (as it should); wait until it has gone, then clean up.
      await untilGone(profile);
      await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    }
  });

  it("login --browser with no display and no $BROWSER only prints the URL", async () => {
    const { url, exit } = await browserLogin(["--timeout", "20"], {
      BROWSER: "",
      DISPLAY: "",
      WAYLAND_DISPLAY: "",
    });
    await fetch(url);
    const r = await exit;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Open this URL in a browser and sign in");
  });

  it("login --browser times out cleanly when no browser comes back", async () => {
    const { exit } = await browserLogin(["--timeout", "1"]);
    const r = await exit;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("No login arrived from the browser within 1 s");
  });

  it("login --browser reports a failed sign-in and ignores stray visits", async () => {
    const { url, exit } = await browserLogin(["--timeout", "20"]);
    const callback = decodeURIComponent(new URL(url).searchParams.get("callback") ?? "");
    const stray = await fetch(`${callback}/?id_token=not-a-jwt`);
    expect(stray.status).toBe(400);
    gateway.route.mode = "error500";
    try {
      const page = await fetch(url);
      expect(page.status).toBe(400);
      expect(await page.text()).toContain("Login failed");
    } finally {
      gateway.route.mode = "normal";
    }
    const r = await exit;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("The browser login failed: the token service is down");
  });

  it("login with an API key, then logout removes the stored tokens", async () => {
    const key = await gateway.route.issueApiKey();
    const login = await dataloop(["login", "--api-key", key, "--json"]);
    // The key is checked with GET /users/me at login: the identity is the user it answers.
    expect(JSON.parse(login.stdout)).toMatchObject({ method: "api-key", identity: expect.any(String) });
    expect((await dataloop(["token"])).stdout.trim()).toBe(key);
    expect((await dataloop(["logout"])).code).toBe(0);
    expect(await readdir(home)).toEqual([]);
    expect((await dataloop(["token"])).code).toBe(1);
  });

  it("on a terminal: a spinner while it waits and colours, NO_COLOR turns colours off, --json neither", async () => {
    // util-linux `script` gives the CLI a pseudo-terminal; CI is unset because CI logs are not terminals.
    const onTty = (args: string, extra: NodeJS.ProcessEnv = {}) =>
      new Promise<string>((done, fail) => {
        const { CI: _ci, NO_COLOR: _nc, FORCE_COLOR: _fc, ...inherited } = cliEnv({ TERM: "xterm-256color" });
        const env = { ...inherited, ...extra };
        execFile(
          "script",
          ["-qec", `"${process.execPath}" "${CLI}" ${args}`, "/dev/null"],
          { env, timeout: 30_000 },
          (error, stdout) => (stdout ? done(stdout) : fail(error ?? new Error("no output"))),
        );
      });
    const ESC = "\u001b";
    // The cursor hidden, then a braille frame, then the spinner's text.
    const SPINNER = new RegExp(`${ESC}\\[\\?25l.*[\u2800-\u28ff].* Asking who you are`);
    const COLOUR = new RegExp(`${ESC}\\[3\\dm`);
    const plain = await onTty("token --gate http://127.0.0.1:9");
    expect(plain).toMatch(COLOUR); // the red "dataloop:" of the error
    const spun = await onTty("whoami --gate http://127.0.0.1:9");
    expect(spun).toMatch(SPINNER);
    const noColour = await onTty("whoami --gate http://127.0.0.1:9", { NO_COLOR: "1" });
    expect(noColour).toMatch(SPINNER);
    expect(noColour).not.toMatch(COLOUR);
    expect(noColour).toContain("dataloop: Not logged in to http://127.0.0.1:9.");
    const json = await onTty("whoami --json --gate http://127.0.0.1:9");
    expect(json).not.toContain("\u001b");
    expect(JSON.parse(json)).toMatchObject({ error: { code: "LOGIN_REQUIRED" } });
  });

  it("on a terminal, login asks for the password without echoing it", async () => {
    const { CI: _ci, ...env } = cliEnv({ TERM: "xterm-256color" });
    // `script` gives the CLI a pseudo-terminal; --echo never keeps script itself from echoing input.
    const child = spawn(
      "script",
      ["-qE", "never", "-c", `"${process.execPath}" "${CLI}" login --email bot@example.com`, "/dev/null"],
      { env },
    );
    let transcript = "";
    let answered = false;
    const exit = new Promise<number>((done) => child.on("close", (code) => done(code ?? 1)));
    child.stdout.on("data", (c: Buffer) => {
      transcript += c.toString("utf8");
      // Type only once asked, as a person would (typed-ahead keys are echoed by any terminal).
      if (!answered && transcript.includes("Password: ")) {
        answered = true;
        child.stdin.write(`${PASSWORD}\r`);
      }
    });
    expect(await exit).toBe(0);
    expect(transcript).toContain("Password: ");
    expect(transcript).toMatch(/Logged in to \S+ as bot@example\.com/);
    expect(transcript).not.toContain(PASSWORD);
    expectNoSecrets(stripVTControlCharacters(transcript), "login on a terminal");
  });
});
