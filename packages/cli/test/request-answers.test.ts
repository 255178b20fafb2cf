// `dataloop request` writes an answer that is not JSON as it is: to --output FILE atomically, as
// raw bytes to a pipe, as a short notice on a terminal; JSON is pretty-printed as before.
import { readdir, readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { type EchoGateway, startEchoGateway } from "@dataloop-ts/mock/light";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanUp, dataloop, onTerminal, tempHome } from "./cli-run.js";

const PASSWORD = "answers-S3cret-77aa";
/** Every byte value, twice: what a JSON parser or a UTF-8 decoder would mangle. */
const BINARY = Buffer.from([
  ...Array.from({ length: 256 }, (_, i) => i),
  ...Array.from({ length: 256 }, (_, i) => 255 - i),
]);

function api(req: IncomingMessage, res: ServerResponse) {
  const path = new URL(req.url ?? "/", "http://x").pathname.replace(/^\/api\/v1/, "");
  if (path === "/items/i-bin/stream")
    return res.writeHead(200, { "content-type": "application/octet-stream" }).end(BINARY);
  if (path === "/items/i-text/stream")
    return res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("hello file\n");
  if (path === "/not-json")
    return res.writeHead(200, { "content-type": "application/json" }).end("hello, not json");
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, path }));
}

let gateway: EchoGateway;
let home: string;
const env = () => ({ DATALOOP_TS_HOME: home, DATALOOP_GATE: gateway.gateUrl });
beforeAll(async () => {
  gateway = await startEchoGateway({ users: [{ username: "bot@example.com", password: PASSWORD }], api });
  home = await tempHome();
  const login = await dataloop(["login", "--email", "bot@example.com", "--password-stdin"], {
    stdin: PASSWORD,
    env: env(),
  });
  expect(login.code, login.stderr).toBe(0);
});
afterAll(async () => {
  await gateway?.stop();
  await cleanUp();
});

describe("dataloop request with answers that are not JSON", () => {
  it("GET /items/ID/stream to a pipe: the item's bytes, exactly, and nothing on stderr", async () => {
    const r = await dataloop(["request", "GET", "/items/i-bin/stream"], { env: env() });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.bytes.equals(BINARY)).toBe(true);
    const closed = await dataloop(["request", "GET", "/items/i-bin/stream"], {
      env: env(),
      closedStdout: true,
    });
    expect([closed.code, closed.stderr]).toEqual([0, ""]);
    const text = await dataloop(["request", "GET", "/items/i-text/stream"], { env: env() });
    expect(text.code).toBe(0);
    expect(text.stdout).toBe("hello file\n");
  });

  it("--output FILE writes the bytes to the file (no temp file left), stdout stays empty; --json says where", async () => {
    const file = join(home, "out", "item.bin");
    const r = await dataloop(["request", "GET", "/items/i-bin/stream", "--output", file], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`to ${file}`);
    expect((await readFile(file)).equals(BINARY)).toBe(true);
    expect(await readdir(join(home, "out"))).toEqual(["item.bin"]);
    const json = await dataloop(["request", "GET", "/items/i-bin/stream", "-o", file, "--json"], {
      env: env(),
    });
    expect(JSON.parse(json.stdout)).toEqual({
      path: file,
      bytes: BINARY.length,
      contentType: "application/octet-stream",
    });
  });

  it("on a terminal: binary is not printed, a notice says how to save it; text is shown", async () => {
    const binary = await onTerminal(["request", "GET", "/items/i-bin/stream"], env());
    expect(binary).toContain("not printed on a terminal");
    expect(binary).toContain("--output FILE");
    expect(binary).not.toContain("\u00ff");
    const text = await onTerminal(["request", "GET", "/items/i-text/stream"], env());
    expect(text).toContain("hello file");
  });

  it("JSON is still pretty-printed, or one line with --json; a body labelled JSON that is not is written as is", async () => {
    const pretty = await dataloop(["request", "GET", "/projects"], { env: env() });
    expect(pretty.stdout).toBe(`${JSON.stringify({ ok: true, path: "/projects" }, null, 2)}\n`);
    const line = await dataloop(["request", "GET", "/projects", "--json"], { env: env() });
    expect(line.stdout).toBe('{"ok":true,"path":"/projects"}\n');
    const bad = await dataloop(["request", "GET", "/not-json"], { env: env() });
    expect(bad.code).toBe(0);
    expect(bad.stdout).toBe("hello, not json");
    expect(bad.stderr).not.toContain("bug");
  });
});
