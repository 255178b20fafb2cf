import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { listenLoopback } from "@dataloop-ts/core/node";
import { type CliRun, runCli as runNode } from "@dataloop-ts/test-kit";

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

/** The codegen CLI in `cwd`. */
export const runCli = (args: string[], cwd: string): Promise<CliRun> => runNode(CLI, args, { cwd });
export type { CliRun as CliResult };

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
  const server = await listenLoopback((req, res) => handler(req, res, ++state.calls));
  return {
    url: server.url,
    get calls() {
      return state.calls;
    },
    close: () => server.stop(),
  };
}
