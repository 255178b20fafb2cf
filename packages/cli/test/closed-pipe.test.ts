// `dataloop … | head -1`: a reader that goes away early ends the command quietly (exit 0, nothing on
// stderr), as `git log | head` does, for every command that writes to stdout.
import { execFile } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type EchoGateway, startEchoGateway } from "@dataloop-ts/mock/light";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, cleanUp, dataloop, tempHome } from "./cli-run.js";

const PASSWORD = "pipe-S3cret-41d0";
const PAGES = 5;
const PER_PAGE = 500;

/** `POST /datasets/{id}/query`: PAGES pages of PER_PAGE items each (about 400 kB of JSON lines, far more than a pipe holds). */
function api(req: IncomingMessage, res: ServerResponse) {
  let body = "";
  req.on("data", (c: Buffer) => {
    body += c.toString("utf8");
  });
  req.on("end", () => {
    const after = /"id":\{"\$gt":"i-(\d+)"\}/.exec(body)?.[1];
    const page = after === undefined ? 0 : Math.floor((Number(after) + 1) / PER_PAGE);
    const items = Array.from({ length: PER_PAGE }, (_, k) => {
      const n = page * PER_PAGE + k;
      return { id: `i-${String(n).padStart(6, "0")}`, filename: `/pipes/file-${n}.jpg`, type: "file" };
    });
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ items, hasNextPage: page + 1 < PAGES, totalItemsCount: PAGES * PER_PAGE }));
  });
}

let gateway: EchoGateway;
let home: string;
beforeAll(async () => {
  gateway = await startEchoGateway({ users: [{ username: "bot@example.com", password: PASSWORD }], api });
  home = await tempHome();
  const login = await dataloop(["login", "--email", "bot@example.com", "--password-stdin"], {
    stdin: PASSWORD,
    env: { DATALOOP_TS_HOME: home, DATALOOP_GATE: gateway.gateUrl },
  });
  expect(login.code, login.stderr).toBe(0);
});
afterAll(async () => {
  await gateway?.stop();
  await cleanUp();
});

const env = () => ({ DATALOOP_TS_HOME: home, DATALOOP_GATE: gateway.gateUrl });

describe("output to a pipe closed early", () => {
  it("`items query … | head -1` prints one item and the CLI exits 0 without an EPIPE error", async () => {
    // bash reports the CLI's own exit status (PIPESTATUS), not head's.
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((done, fail) =>
      execFile(
        "bash",
        [
          "-c",
          `"${process.execPath}" "${CLI}" items query --dataset d-1 | head -1; echo "cli exit $\{PIPESTATUS[0]}" >&2`,
        ],
        { env: { ...process.env, ...env(), DEBUG: "" }, timeout: 30_000 },
        (error, out, err) => (error ? fail(error) : done({ stdout: out, stderr: err })),
      ),
    );
    expect(JSON.parse(stdout)).toMatchObject({ id: "i-000000" });
    expect(stderr).toBe("cli exit 0\n");
  });

  it.each([
    ["items query", ["items", "query", "--dataset", "d-1"]],
    ["token", ["token"]],
    ["token --json", ["token", "--json"]],
    ["whoami", ["whoami"]],
    ["request", ["request", "GET", "/projects"]],
    ["--help", ["--help"]],
  ])("%s into a closed pipe exits 0 and says nothing", async (_name, args) => {
    const r = await dataloop(args, { env: env(), closedStdout: true });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});
