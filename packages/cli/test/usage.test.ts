// Bad input is a usage error: exit 2, a message that says what was wrong, and nothing sent.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type EchoGateway, startEchoGateway } from "@dataloop-ts/mock/light";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanUp, dataloop, tempHome } from "./cli-run.js";

const BOT = { username: "bot@example.com", password: "usage-S3cret-5c3d" };
let gateway: EchoGateway;
let home: string;
const env = () => ({ DATALOOP_TS_HOME: home, DATALOOP_GATE: gateway.gateUrl });
beforeAll(async () => {
  gateway = await startEchoGateway({ users: [BOT] });
  home = await tempHome();
  const r = await dataloop(["login", "--email", BOT.username, "--password-stdin"], {
    stdin: BOT.password,
    env: env(),
  });
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  await gateway?.stop();
  await cleanUp();
});

describe("usage errors exit 2 and say what was wrong", () => {
  it("a gate without its scheme (--gate or DATALOOP_GATE), an unknown --env", async () => {
    const flag = await dataloop(["login", "--gate", "127.0.0.1:18081"], { env: { DATALOOP_TS_HOME: home } });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain(
      '--gate takes the gate\'s URL with its scheme, e.g. http://127.0.0.1:18081; got "127.0.0.1:18081"',
    );
    const variable = await dataloop(["whoami"], {
      env: { DATALOOP_TS_HOME: home, DATALOOP_GATE: "gate.example.com" },
    });
    expect(variable.code).toBe(2);
    expect(variable.stderr).toContain("DATALOOP_GATE takes the gate's URL with its scheme");
    const envName = await dataloop(["whoami", "--env", "staging"], {
      env: { DATALOOP_TS_HOME: home, DATALOOP_GATE: "" },
    });
    expect(envName.code).toBe(2);
    expect(envName.stderr).toContain('--env takes prod, rc, dev or local, got "staging"');
  });

  it.each([
    [["items"], "items needs a subcommand: upload, download or query"],
    [["items", "--dataset", "d-1"], "items needs a subcommand: upload, download or query"],
    [["items", "frob", "--dataset", "d-1"], 'items takes upload, download or query, got "frob"'],
    [
      ["items", "download", "--dataset", "d-1", "--out", "x", "--mode", "overwrite"],
      "--mode is for items upload, not items download",
    ],
    [
      ["items", "query", "--dataset", "d-1", "--remote-path", "/a"],
      "--remote-path is for items upload, not items query",
    ],
    [
      ["items", "query", "--dataset", "d-1", "--filter", '"abc"'],
      "--filter must be a JSON object (a DQL filter), got a string",
    ],
    [
      ["items", "query", "--dataset", "d-1", "--filter", "[1]"],
      "--filter must be a JSON object (a DQL filter), got an array",
    ],
    [
      ["items", "query", "--dataset", "d-1", "--filter", "@/nonexistent/filter.json"],
      "--filter @/nonexistent/filter.json: cannot read /nonexistent/filter.json (no such file)",
    ],
    [
      ["items", "upload", ".", "--dataset", "d-1", "--remote-path", "cats"],
      '--remote-path takes an absolute remote folder such as /cats, got "cats"',
    ],
    [
      ["items", "upload", ".", "--dataset", "d-1", "--remote-path", "/../../etc"],
      '--remote-path must not climb with "..", got "/../../etc"',
    ],
    [
      ["items", "upload", ".", "--dataset", "d-1", "--remote-path", "/a/../b"],
      '--remote-path must not climb with ".."',
    ],
  ])("dataloop %j", async (args, message) => {
    const before = gateway.stats.api;
    const r = await dataloop(args, { env: env() });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`dataloop: ${message}`);
    expect(r.stderr).toContain("dataloop --help");
    expect(r.stderr).not.toContain("bug");
    expect(gateway.stats.api - before).toBe(0);
  });

  it("a --filter file with JSON that is no object is refused as well; one with an object is used", async () => {
    const file = join(home, "filter.json");
    await writeFile(file, "42");
    const r = await dataloop(["items", "query", "--dataset", "d-1", "--filter", `@${file}`], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("got a number");
    await writeFile(file, '{"dir":"/cats"}');
    const before = gateway.stats.api;
    const ok = await dataloop(["items", "query", "--dataset", "d-1", "--filter", `@${file}`], { env: env() });
    // Used: the query was sent (what the echo gateway answers is no query answer: another matter, not usage).
    expect(ok.code, ok.stderr).not.toBe(2);
    expect(ok.stderr).not.toContain("--filter");
    expect(gateway.stats.api - before).toBe(1);
  });
});
