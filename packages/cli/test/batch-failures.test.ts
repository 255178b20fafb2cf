// Failures of a batch that share a cause are grouped: one line per cause, with a count and examples.
import { mkdir, symlink, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { type EchoGateway, startEchoGateway } from "@dataloop-ts/mock/light";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanUp, dataloop, tempHome } from "./cli-run.js";

const BOT = { username: "bot@example.com", password: "batch-S3cret-9e4f" };
const FILES = 30;
const BROKEN = 2;
let uploads = 0;

const ITEMS = [
  { id: "65f1c0ffee0123456789a001", filename: "/cats/a.jpg", type: "file" },
  { id: "65f1c0ffee0123456789a002", filename: "/cats/b.jpg", type: "file" },
];

/**
 * The gateway goes away under every upload: the connection is cut as the body arrives. Downloads:
 * the query lists ITEMS; the first one's bytes come, the second one is gone (404).
 */
function api(req: IncomingMessage, res: ServerResponse) {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  if (path.endsWith("/query"))
    return res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ items: ITEMS, hasNextPage: false }));
  if (path.endsWith(`/items/${ITEMS[0]?.id}/stream`))
    return res.writeHead(200, { "content-type": "application/octet-stream" }).end("a cat");
  if (path.endsWith(`/items/${ITEMS[1]?.id}/stream`))
    return res.writeHead(404, { "content-type": "application/json" }).end('{"message":"Item not found"}');
  if (
    req.method === "POST" &&
    /\/datasets\/[^/]+\/items$/.test(new URL(req.url ?? "/", "http://x").pathname)
  ) {
    uploads++;
    req.socket.destroy();
    return;
  }
  res.writeHead(200, { "content-type": "application/json" }).end("{}");
}

let gateway: EchoGateway;
let home: string;
const env = () => ({ DATALOOP_TS_HOME: home, DATALOOP_GATE: gateway.gateUrl });
beforeAll(async () => {
  gateway = await startEchoGateway({ users: [BOT], api });
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

describe("items upload when the gateway goes away", () => {
  it("one line per cause with its count and a few examples, not one line per file; --json lists the causes", async () => {
    const tree = join(home, "tree");
    await mkdir(tree);
    for (let i = 0; i < FILES; i++)
      await writeFile(join(tree, `f-${String(i).padStart(2, "0")}.txt`), `file ${i}`);
    for (let i = 0; i < BROKEN; i++) await symlink(join(tree, `nowhere-${i}`), join(tree, `broken-${i}.txt`));
    const r = await dataloop(["items", "upload", tree, "--dataset", "d-1", "--concurrency", "32"], {
      env: env(),
    });
    expect(r.code).toBe(1);
    expect(uploads).toBeGreaterThanOrEqual(FILES);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      new RegExp(`^Uploaded 0 files \\(0 B\\) in [\\d.]+ s; ${FILES + BROKEN} failed:$`),
    );
    // Two causes, each a line and a line of examples.
    expect(lines).toHaveLength(1 + 2 * 2);
    expect(lines[1]).toMatch(new RegExp(`^ {2}${FILES} × .*could not reach the gateway`));
    // Each example: the remote path, and the local file beside it.
    const named = (file: string) => `/${file} (${join(tree, file)})`;
    expect(lines[2]).toBe(
      `      (${named("f-00.txt")}, ${named("f-01.txt")}, ${named("f-02.txt")} and ${FILES - 3} more)`,
    );
    // Links are not followed (a broken one neither): one cause for both.
    expect(lines[3]).toMatch(
      new RegExp(`^ {2}${BROKEN} × .*broken-0\\.txt is a symbolic link, not followed`),
    );
    expect(lines[4]).toBe(`      (${named("broken-0.txt")}, ${named("broken-1.txt")})`);
    const json = await dataloop(
      ["items", "upload", tree, "--dataset", "d-1", "--concurrency", "32", "--json"],
      {
        env: env(),
      },
    );
    const summary = JSON.parse(json.stdout);
    expect(summary.failed).toBe(FILES + BROKEN);
    expect(summary.causes.map((c: { code: string; count: number }) => [c.code, c.count])).toEqual([
      ["CONNECTION_ERROR", FILES],
      ["SYMLINK_NOT_FOLLOWED", BROKEN],
    ]);
    expect(summary.results).toHaveLength(FILES + BROKEN);
  });
});

describe("items download failures", () => {
  it("name the local path the item was going to, and its id", async () => {
    const out = join(home, "copy");
    const r = await dataloop(["items", "download", "--dataset", "d-1", "--out", out], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Downloaded 1 file \(.*\) in [\d.]+ s; 1 failed:$/m);
    expect(r.stderr).toContain(
      `  ${join(out, "cats", "b.jpg")} (${ITEMS[1]?.id}): GET /api/v1/items/${ITEMS[1]?.id}/stream failed with HTTP 404`,
    );
  });
});
