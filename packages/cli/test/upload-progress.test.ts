// The progress bar of `items upload` moves with the bytes sent: while a single large file is still
// on its way (the gateway holds the body half-read), the bar already shows bytes, and 0/1 files.
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { type EchoGateway, startEchoGateway } from "@dataloop-ts/mock/light";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, cleanUp, dataloop, tempHome } from "./cli-run.js";

const BOT = { username: "bot@example.com", password: "progress-S3cret-2a7c" };
const FILE_BYTES = 64 * 1024 ** 2;
/** The gateway stops reading the body here, until the test has seen the bar. */
const HOLD_AT = 4 * 1024 ** 2;
let release: () => void = () => {};
let received = 0;
let framing: { length?: string | undefined; chunked?: string | undefined } = {};

function api(req: IncomingMessage, res: ServerResponse) {
  if (req.method !== "POST") return res.writeHead(200, { "content-type": "application/json" }).end("{}");
  received = 0;
  framing = { length: req.headers["content-length"], chunked: req.headers["transfer-encoding"] };
  let held = false;
  req.on("data", (c: Buffer) => {
    received += c.length;
    if (!held && received >= HOLD_AT) {
      held = true;
      req.pause();
      release = () => req.resume();
    }
  });
  req.on("end", () =>
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ id: "65f1c0ffee0123456789c0de", filename: "/big.bin", type: "file" })),
  );
}

let gateway: EchoGateway;
let home: string;
beforeAll(async () => {
  gateway = await startEchoGateway({ users: [BOT], api });
  home = await tempHome();
  const r = await dataloop(["login", "--email", BOT.username, "--password-stdin"], {
    stdin: BOT.password,
    env: { DATALOOP_TS_HOME: home, DATALOOP_GATE: gateway.gateUrl },
  });
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  release();
  await gateway?.stop();
  await cleanUp();
});

/** The bar's "sent / total" while no file is done yet, in MB (or kB). */
const BAR = /0\/1 files \| ([\d.]+) (B|kB|MB) \/ 64\.0 MB/g;
const inBytes = (value: string, unit: string) =>
  Number(value) * (unit === "MB" ? 1024 ** 2 : unit === "kB" ? 1024 : 1);

describe("items upload progress on a terminal", () => {
  it("shows bytes sent of a single large file before it is done", async () => {
    const file = join(home, "big.bin");
    await writeFile(file, Buffer.alloc(FILE_BYTES, 7));
    const { CI: _ci, NO_COLOR: _nc, ...inherited } = process.env;
    const child = spawn(
      "script",
      ["-qec", `"${process.execPath}" "${CLI}" items upload "${file}" --dataset d-1`, "/dev/null"],
      {
        env: {
          ...inherited,
          TERM: "xterm-256color",
          DEBUG: "",
          DATALOOP_TS_HOME: home,
          DATALOOP_GATE: gateway.gateUrl,
        },
      },
    );
    let transcript = "";
    const exit = new Promise<number>((done) => child.on("close", (code) => done(code ?? 1)));
    // Wait for the bar to show bytes while the gateway holds the body (up to 30 s on a busy machine).
    const shown = await new Promise<number>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`no bar with bytes sent:\n${stripVTControlCharacters(transcript)}`)),
        30_000,
      );
      child.stdout.on("data", (c: Buffer) => {
        transcript += c.toString("utf8");
        const seen = [...stripVTControlCharacters(transcript).matchAll(BAR)].map((m) =>
          inBytes(m[1] ?? "0", m[2] ?? "B"),
        );
        const moving = seen.find((b) => b > 0);
        if (moving !== undefined && received >= HOLD_AT) {
          clearTimeout(timer);
          done(moving);
        }
      });
    });
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(FILE_BYTES);
    release();
    expect(await exit).toBe(0);
    expect(stripVTControlCharacters(transcript)).toMatch(/Uploaded 1 file \(64\.0 MB\)/);
    // Counting the bytes keeps the file source's framing: its length declared, not a chunked body.
    expect(framing.chunked).toBeUndefined();
    expect(Number(framing.length)).toBeGreaterThan(FILE_BYTES);
  });
});
