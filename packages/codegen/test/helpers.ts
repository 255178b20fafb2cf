import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, "../../..");
export const CLI = resolve(here, "../dist/cli.js");
/** Two real snapshots of the gateway's document, both committed: the pinned one, and the one before it. */
export const NEW_SPEC = join(REPO_ROOT, "specs/dataloop.openapi.json");
export const OLD_SPEC = join(REPO_ROOT, "tests/fixtures/specs/dataloop-2026-03-29.json");

/** A scratch project: the repository's overlay, no pin yet. */
export async function tempProject(): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "dataloop-codegen-"));
  await mkdir(join(root, "specs"));
  await copyFile(join(REPO_ROOT, "specs/dataloop.overlay.yaml"), join(root, "specs/dataloop.overlay.yaml"));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

export interface TestServer {
  url: string;
  calls: number;
  close(): Promise<void>;
}

/** A loopback HTTP server for the network paths; counts requests. */
export async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, call: number) => void,
): Promise<TestServer> {
  const state = { calls: 0 };
  const server = createServer((req, res) => handler(req, res, ++state.calls));
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return state.calls;
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
