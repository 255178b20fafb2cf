import { createHash } from "node:crypto";
import { appendFile, cp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import {
  type CliResult,
  NEW_SPEC,
  OLD_SPEC,
  runCli,
  serve,
  type TestServer,
  tempProject,
} from "./helpers.js";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("dataloop-codegen pull / generate / check", () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ root, cleanup } = await tempProject());
  });
  afterAll(() => cleanup());

  it("pull pins source, sha256, title, version, counts and time, with the repair report", async () => {
    const before = Date.now();
    const r = await runCli(["pull", "--from", NEW_SPEC], root);
    const after = Date.now();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Pinned Dataloop.ai REST API 1.11.2");
    expect(r.stdout).toContain("451 × remove");
    const pin = JSON.parse(await readFile(join(root, "specs/dataloop.lock.json"), "utf8"));
    expect(pin).toMatchObject({
      sha256: "7cf0585a21cb53a52d55db83061c40d586dc0f746b6da6c090904b58d8253ff7",
      title: "Dataloop.ai REST API",
      version: "1.11.2",
      openapi: "3.0.0",
      counts: { paths: 345, operations: 456, schemas: 812 },
    });
    expect(pin.source).not.toMatch(/^\//); // provenance without this machine's absolute path
    // Taken during the pull, however long the pull took (ISO time has whole milliseconds).
    expect(Date.parse(pin.retrievedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(pin.retrievedAt)).toBeLessThanOrEqual(after);
    // The document itself is pinned beside the lock, byte for byte.
    expect(pin.file).toBe("dataloop.openapi.json");
    expect(await readFile(join(root, "specs/dataloop.openapi.json"))).toEqual(await readFile(NEW_SPEC));
  });

  it("pulling the same spec again changes nothing", async () => {
    const before = await readFile(join(root, "specs/dataloop.lock.json"));
    const r = await runCli(["pull", "--from", NEW_SPEC], root);
    expect(r.stdout).toContain("Already pinned");
    expect(await readFile(join(root, "specs/dataloop.lock.json"))).toEqual(before);
  });

  it("check fails before generate (no generated code) and passes after", async () => {
    const out = join(root, "gen");
    const before = await runCli(["check", "--out", out], root);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain("generated code missing");
    const gen = await runCli(["generate", "--out", out], root);
    expect(gen.code).toBe(0);
    const after = await runCli(["check", "--out", out], root);
    expect(after.stdout).toBe("Spec matches the pin; generated code is current.\n");
    expect(after.code).toBe(0);
  });

  it("check exits 1 when the spec in hand differs from the pin, and when the overlay changed", async () => {
    const out = join(root, "gen");
    const changed = await runCli(["check", "--out", out, "--from", OLD_SPEC], root);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/spec changed: .* has sha256 56bab310ea66…, the pin 7cf0585a21cb…/);
    const overlayPath = join(root, "specs/dataloop.overlay.yaml");
    const overlay = await readFile(overlayPath, "utf8");
    await writeFile(overlayPath, `${overlay}\n  - target: $.info\n    update: { x-note: changed }\n`);
    try {
      const stale = await runCli(["check", "--out", out], root);
      expect(stale.code).toBe(1);
      expect(stale.stdout).toContain("is stale");
    } finally {
      await writeFile(overlayPath, overlay);
    }
  });

  it("generate needs nothing but specs/: a copy of it elsewhere builds (a clone with nothing beside it)", async () => {
    const fresh = await tempProject();
    try {
      await cp(join(root, "specs"), join(fresh.root, "specs"), { recursive: true });
      const r = await runCli(["generate", "--out", join(fresh.root, "gen")], fresh.root);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(await readFile(join(fresh.root, "gen/operations.ts"), "utf8")).toContain(
        '"sha256":"7cf0585a21cb53a52d55db83061c40d586dc0f746b6da6c090904b58d8253ff7"',
      );
    } finally {
      await fresh.cleanup();
    }
  });

  it("export writes the pinned bytes, the repaired document, the overlay and a manifest matching the generated types", async () => {
    const out = join(root, "spec-package");
    const r = await runCli(["export", "--out", out, "--json"], root);
    expect(r.code).toBe(0);
    const manifest = JSON.parse(r.stdout);
    expect(await readFile(join(out, "upstream.json"))).toEqual(await readFile(NEW_SPEC));
    expect(JSON.parse(await readFile(join(out, "manifest.json"), "utf8"))).toEqual(manifest);
    expect(manifest).toMatchObject({ sha256: sha(await readFile(NEW_SPEC)), counts: { operations: 456 } });
    const repaired = JSON.parse(await readFile(join(out, "openapi.json"), "utf8"));
    expect(repaired.paths["/projects/{projectId}"].get.operationId).toBe("getProject");
    expect(await readFile(join(out, "overlay.yaml"))).toEqual(
      await readFile(join(root, "specs/dataloop.overlay.yaml")),
    );
    // The client's generated header carries the same fingerprint: "these types are from this document".
    expect(await readFile(join(root, "gen/schema.ts"), "utf8")).toContain(
      `// fingerprint: ${manifest.fingerprint}`,
    );
  });
});

describe("a damaged pin: a typed error that names the file and the command that fixes it", () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ root, cleanup } = await tempProject());
    expect((await runCli(["pull", "--from", NEW_SPEC], root)).code).toBe(0);
  });
  afterAll(() => cleanup());
  const generateIn = async (dir: string) => runCli(["generate", "--out", join(dir, "gen")], dir);
  const copy = async (edit: (specs: string) => Promise<void>) => {
    const fresh = await tempProject();
    await cp(join(root, "specs"), join(fresh.root, "specs"), { recursive: true });
    await edit(join(fresh.root, "specs"));
    return fresh;
  };
  const cases: Array<[string, (specs: string) => Promise<void>, RegExp, RegExp]> = [
    [
      "the pinned document is missing",
      (specs) => rm(join(specs, "dataloop.openapi.json")),
      /The pinned spec .*dataloop\.openapi\.json is missing/,
      /git checkout -- specs\//,
    ],
    [
      "the pinned document was edited (sha256 mismatch)",
      (specs) => appendFile(join(specs, "dataloop.openapi.json"), "\n"),
      /has sha256 [0-9a-f]{12}…, the lock says 7cf0585a21cb…/,
      /pull --from specs\/dataloop\.openapi\.json/,
    ],
    [
      "the lock is not JSON",
      (specs) => writeFile(join(specs, "dataloop.lock.json"), "{ oops"),
      /dataloop\.lock\.json cannot be read: it is not JSON/,
      /git checkout -- specs\//,
    ],
    [
      "the lock has no file (written by an older codegen)",
      async (specs) => {
        const pin = JSON.parse(await readFile(join(specs, "dataloop.lock.json"), "utf8"));
        delete pin.file;
        await writeFile(join(specs, "dataloop.lock.json"), JSON.stringify(pin));
      },
      /cannot be read: it has no "file"/,
      /dataloop-codegen pull --from/,
    ],
  ];
  it.each(cases)("%s", async (_name, edit, message, fix) => {
    const fresh = await copy(edit);
    try {
      const r = await generateIn(fresh.root);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(fix);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      await fresh.cleanup();
    }
  });

  it("no lock at all", async () => {
    const fresh = await tempProject();
    try {
      const r = await generateIn(fresh.root);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /No spec pin at .*dataloop\.lock\.json \(ENOENT\)\.\n {2}→ Run `dataloop-codegen pull`/,
      );
    } finally {
      await fresh.cleanup();
    }
  });
});

describe("pull from a URL", () => {
  it("retries a 500 and then pins what the server sends, YAML included", async () => {
    const yaml = toYaml(JSON.parse(await readFile(OLD_SPEC, "utf8")));
    const server = await serve((_req, res, call) => {
      if (call === 1) {
        res.writeHead(500).end("busy");
        return;
      }
      res.writeHead(200, { "content-type": "application/yaml" }).end(yaml);
    });
    const { root, cleanup } = await tempProject();
    try {
      const r = await runCli(
        ["pull", "--from", `${server.url}/api/v1/swagger-file`, "--attempts", "3"],
        root,
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(server.calls).toBe(2);
      const pin = JSON.parse(await readFile(join(root, "specs/dataloop.lock.json"), "utf8"));
      expect(pin.source).toBe(`${server.url}/api/v1/swagger-file`);
      expect(pin.sha256).toBe(sha(Buffer.from(yaml)));
      // Pinned as sent: YAML bytes in a .yaml file, the overlay beside it and nothing else.
      expect(pin.file).toBe("dataloop.openapi.yaml");
      expect(await readFile(join(root, "specs/dataloop.openapi.yaml"), "utf8")).toBe(yaml);
      expect((await readdir(join(root, "specs"))).sort()).toEqual([
        "dataloop.lock.json",
        "dataloop.openapi.yaml",
        "dataloop.overlay.yaml",
      ]);
      // A later JSON pull replaces the YAML file: one pinned document at a time.
      expect((await runCli(["pull", "--from", NEW_SPEC], root)).code).toBe(0);
      expect((await readdir(join(root, "specs"))).sort()).toEqual([
        "dataloop.lock.json",
        "dataloop.openapi.json",
        "dataloop.overlay.yaml",
      ]);
      expect(pin.counts.operations).toBe(445);
    } finally {
      await server.close();
      await cleanup();
    }
  });
});

describe("bad input: a clear message, a non-zero exit, the pin untouched", () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let pinBefore: Buffer;
  let specsBefore: string[];
  const servers: TestServer[] = [];
  beforeAll(async () => {
    ({ root, cleanup } = await tempProject());
    const r = await runCli(["pull", "--from", NEW_SPEC], root);
    expect(r.code).toBe(0);
    pinBefore = await readFile(join(root, "specs/dataloop.lock.json"));
    specsBefore = await readdir(join(root, "specs"));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await cleanup();
  });

  async function expectRefused(r: CliResult, message: RegExp) {
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/\n {2}→ \S/); // and a hint saying what to do
    expect(await readFile(join(root, "specs/dataloop.lock.json"))).toEqual(pinBefore);
    expect(await readdir(join(root, "specs"))).toEqual(specsBefore); // no new or temp file
  }
  const file = async (name: string, content: string) => {
    const path = join(root, name);
    await writeFile(path, content);
    return path;
  };

  it("a missing file", async () => {
    await expectRefused(
      await runCli(["pull", "--from", join(root, "nope.json")], root),
      /Cannot read the spec file .*nope\.json: ENOENT/,
    );
  });

  it("a URL whose server hangs: each attempt is abandoned at its timeout, then the next one starts", async () => {
    // What the server saw, in order. The CLI, not the test, must end each hanging request: a timeout
    // that is not applied leaves the first request open for good (and this test to its own timeout);
    // one that rejects without aborting leaves the requests open (no "abandoned"). No wall-clock bet:
    // how long the attempts took on a busy machine says nothing about whether they were abandoned.
    const seen: string[] = [];
    let bothAbandoned: () => void = () => {};
    const abandoned = new Promise<void>((resolve) => {
      bothAbandoned = resolve;
    });
    const server = await serve((_q, res, call) => {
      seen.push(`request ${call}`);
      res.on("close", () => {
        if (res.writableEnded) return;
        seen.push(`abandoned ${call}`);
        if (call === 2) bothAbandoned();
      }); // never answers
    });
    servers.push(server);
    const r = await runCli(["pull", "--from", server.url, "--timeout", "300", "--attempts", "2"], root);
    await expectRefused(r, /did not answer within 300 ms \(after 2 attempts\)/);
    // The server may learn of the second abandon only after the CLI has exited; a CLI that never
    // aborted has its sockets closed at exit, both after "request 2": the order tells them apart.
    await abandoned;
    expect(seen).toEqual(["request 1", "abandoned 1", "request 2", "abandoned 2"]);
    expect(server.calls).toBe(2);
  });

  it("a URL that answers 500", async () => {
    const server = await serve((_q, res) => res.writeHead(500).end("down"));
    servers.push(server);
    await expectRefused(
      await runCli(["pull", "--from", server.url, "--attempts", "2"], root),
      /answered HTTP 500 \(after 2 attempts\)/,
    );
  });

  it("a URL nobody listens on", async () => {
    const server = await serve(() => {});
    await server.close();
    await expectRefused(
      await runCli(["pull", "--from", server.url, "--attempts", "1"], root),
      /Cannot reach the spec URL .*ECONNREFUSED/,
    );
  });

  it("non-JSON (an HTML page)", async () => {
    const path = await file("page.html", "<!doctype html><html><body>Login</body></html>");
    await expectRefused(await runCli(["pull", "--from", path], root), /neither JSON nor YAML/);
  });

  it("broken JSON", async () => {
    const path = await file("broken.json", '{"openapi": "3.0.0", ');
    await expectRefused(await runCli(["pull", "--from", path], root), /neither JSON nor YAML/);
  });

  it("JSON that is not OpenAPI", async () => {
    const path = await file("package.json", '{"name": "x", "version": "1.0.0"}');
    await expectRefused(
      await runCli(["pull", "--from", path], root),
      /not an OpenAPI document \(no "openapi" version field\)/,
    );
  });

  it("Swagger 2.0", async () => {
    const path = await file(
      "swagger.json",
      JSON.stringify({ swagger: "2.0", info: { title: "t", version: "1" }, paths: {} }),
    );
    await expectRefused(
      await runCli(["pull", "--from", path], root),
      /is Swagger 2\.0; the codegen reads OpenAPI 3\.x only/,
    );
  });

  it("a spec whose $ref points nowhere", async () => {
    const spec = {
      openapi: "3.0.3",
      info: { title: "t", version: "1" },
      paths: {
        "/x": {
          get: {
            responses: {
              200: {
                description: "ok",
                content: { "application/json": { schema: { $ref: "#/components/schemas/Gone" } } },
              },
            },
          },
        },
      },
    };
    const path = await file("dangling.json", JSON.stringify(spec));
    await expectRefused(
      await runCli(["pull", "--from", path], root),
      /1 \$ref that point nowhere: #\/components\/schemas\/Gone/,
    );
  });

  it("a usage error exits 2 and says how to get help", async () => {
    const r = await runCli(["pull", "--timeout", "soon"], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--timeout takes a whole number");
  });
});
