import { execFile } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type MockGateway, startMockGateway } from "@dataloop-ts/mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installPacked, repo } from "../src/packed.js";
import { RUNTIMES, type RuntimeName } from "../src/runtimes.js";

const execFileAsync = promisify(execFile);

let work: string;
let app: string;
let gateway: MockGateway;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "dataloop-runtimes-"));
  await installPacked(work, ["core", "auth", "client"]);
  app = join(work, "app");
  await cp(join(repo, "tests/runtimes/fixtures/program.mjs"), join(app, "program.mjs"));
  gateway = await startMockGateway({ strict: false });
});
afterAll(async () => {
  await gateway?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Runs fixtures/program.mjs on `command` from the fresh project; its JSON line, and the token route's calls it made. */
async function runProgram(command: string, args: string[]) {
  const bot = gateway.defaultBot;
  // Tokens already due, made by the mock itself (no waiting on a clock): an id token that expired a
  // minute ago and a refresh token the token route will honour once.
  const dueTokens = {
    idToken: await gateway.route.sign(bot, -60),
    refreshToken: gateway.route.mintRefreshToken(bot),
  };
  const before = { ...gateway.route.calls };
  const { stdout } = await execFileAsync(command, args, {
    cwd: app,
    encoding: "utf8",
    env: {
      ...process.env,
      DATALOOP_GATE_URL: gateway.gateUrl,
      DATALOOP_DUE_TOKENS: JSON.stringify(dueTokens),
      // Deno: its cache inside the test's folder, and no update check over the network.
      DENO_DIR: join(work, "deno-dir"),
      DENO_NO_UPDATE_CHECK: "1",
      NO_COLOR: "1",
    },
    timeout: 120_000,
  });
  const calls = gateway.route.calls;
  return {
    printed: JSON.parse(stdout.trim().split("\n").pop() ?? "{}"),
    logins: calls.password - before.password,
    refreshes: calls.refresh - before.refresh,
  };
}

describe("the packed client and auth on every runtime, against the mock gateway", () => {
  const cases: Array<[string, () => { command: string; args: string[] }]> = [
    // The same program on the Node running the tests: what Bun and Deno are held to.
    ["node", () => ({ command: process.execPath, args: ["program.mjs"] })],
    ...(Object.keys(RUNTIMES) as RuntimeName[]).map(
      (name) =>
        [name, () => ({ command: RUNTIMES[name].binary(), args: RUNTIMES[name].args("program.mjs") })] as [
          string,
          () => { command: string; args: string[] },
        ],
    ),
  ];

  it.each(cases)(
    "%s: a typed call logs in, the due token is refreshed (never a second login), an item goes up and comes back byte for byte",
    async (name, how) => {
      const { command, args } = how();
      const { printed, logins, refreshes } = await runProgram(command, args);
      expect(printed.runtime).toMatch(new RegExp(`^${name} \\d+\\.\\d+`));
      expect(printed).toMatchObject({
        projectId: "65f1c0ffee0123456789abcd",
        email: expect.stringContaining("@"),
        itemId: expect.stringMatching(/^[0-9a-f]{24}$/),
        remotePath: `/runtimes/${name}.bin`,
        sentBytes: 512,
        backBytes: 512,
      });
      expect(printed.backSha256).toBe(printed.sentSha256);
      // The first session's password grant; the second session's one refresh of its due token, which
      // then served the upload and the download.
      expect({ logins, refreshes }).toEqual({ logins: 1, refreshes: 1 });
    },
  );
});
