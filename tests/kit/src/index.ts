import { execFile } from "node:child_process";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** Added to (or, with `undefined` values, removed from) the test's own environment. */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed (closed at once when absent). */
  stdin?: string;
  timeoutMs?: number;
}

/** Runs `node SCRIPT ARGS…` to its end: exit code (1 when it died by a signal or the timeout), stdout, stderr. */
export function runCli(script: string, args: string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [script, ...args],
      {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 60_000,
      },
      (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(options.stdin);
  });
}

/** The same value with the keys of every object in reverse order: a document that serialises differently. */
export const reorderKeys = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(reorderKeys)
    : value && typeof value === "object"
      ? Object.fromEntries(
          Object.entries(value)
            .reverse()
            .map(([k, v]) => [k, reorderKeys(v)]),
        )
      : value;
