import { execFileSync, spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, "..");

/** Child processes of `pid` still alive (Linux: from ps). */
const childrenOf = (pid: number): string[] => {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
      .trim()
      .split(/\s+/)
      .filter(Boolean);
  } catch (error) {
    if ((error as { status?: number }).status === 1) return []; // ps: no such process
    throw error;
  }
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A hang guard, not a speed bet: the example may have to build the mock's spec cold (48–62 s measured on
 * the 2-core machine at load 18, see mock's test/heavy/spec-build.test.ts), then start Prism.
 */
const COLD_START_BUDGET_MS = 240_000;

describe("the README quick start", () => {
  it(
    "runs as written: bot login, a typed GET, a paged listing, one refresh after the clock passes expiry",
    async () => {
      const child = spawn(process.execPath, ["examples/quickstart.ts"], {
        cwd: packageDir,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => (out += d));
      child.stderr.on("data", (d: Buffer) => (err += d));
      const code = await new Promise<number | null>((ok) => child.on("exit", ok));
      expect(err.replace(/.*ExperimentalWarning.*\n?|.*--trace-warnings.*\n?/g, "")).toBe("");
      expect(code).toBe(0);
      expect(out).toMatch(/^mock gateway: http:\/\/127\.0\.0\.1:\d+\/api\/v1 \(started in \d+ ms\)$/m);
      // Data that looks like the gateway's, and the id asked for comes back.
      expect(out).toMatch(
        /^GET \/projects\/\{projectId\} → project "[a-z]+(-[a-z]+)+" \(id 65f1c0ffee0123456789abcd\)$/m,
      );
      expect(out).toMatch(/^first item: \S+\.jpg \(file\)$/m);
      expect(out).toMatch(/^paged listing: \d+ items$/m);
      expect(out).toMatch(/^after expiry: GET \/users\/me → [^@\s]+@[^@\s]+; refresh calls: 1$/m);
      expect(out).toMatch(/^token calls in all: 1 login, 1 refresh$/m);
      expect(out).not.toMatch(/eyJ|password/);
      expect(childrenOf(child.pid ?? 0)).toEqual([]);
    },
    COLD_START_BUDGET_MS,
  );
});

describe("the dataloop-mock CLI", () => {
  it(
    "prints the gate URL, the API base URL and the default bot, serves, and leaves nothing behind on SIGTERM",
    async () => {
      const cli = resolve(packageDir, "../mock/dist/cli.js");
      const child = spawn(process.execPath, [cli], { cwd: packageDir, stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      await new Promise<void>((ok, fail) => {
        child.stdout.on("data", (d: Buffer) => {
          out += d;
          if (out.includes("Ctrl-C")) ok();
        });
        child.on("exit", () => fail(new Error(`exited early: ${out}`)));
      });
      const gate = /gate URL: +(\S+)/.exec(out)?.[1] ?? "";
      expect(out).toMatch(/API base URL: +http:\/\/127\.0\.0\.1:\d+\/api\/v1/);
      expect(out).toMatch(/default bot: +bot@example\.com \/ password/);
      expect(out).toMatch(/spec: +Dataloop\.ai REST API 1\.11\.2, sha256 7cf0585a21cb…/);
      const token = await fetch(`${gate}/token?default`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "bot@example.com", password: "password", type: "user_credentials" }),
      });
      expect(token.status).toBe(200);
      const pid = child.pid ?? 0;
      child.kill("SIGTERM");
      const code = await new Promise<number | null>((ok) => child.on("exit", ok));
      expect(code).toBe(0);
      expect(alive(pid)).toBe(false);
      expect(childrenOf(pid)).toEqual([]);
      await expect(fetch(`${gate}/token?default`, { method: "POST" })).rejects.toThrow();
    },
    COLD_START_BUDGET_MS,
  );
});
