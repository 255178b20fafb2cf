import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import {
  assertOpenApi3,
  loadSpec,
  type OpenApiDocument,
  parseDocument,
  publicOperations,
  readOverlayFile,
  repairSpec,
} from "@dataloop-ts/codegen";
import { writeFileAtomic } from "@dataloop-ts/core/node";
import { readManifest, specFiles } from "@dataloop-ts/spec";
import { getHttpOperationsFromSpec } from "@stoplight/prism-http";
import envPaths from "env-paths";
import { addBelievableExamples } from "./believable.js";
import { addResponseExamples, type ExampleReport } from "./examples.js";
import { createSpecValidator } from "./validate.js";

const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");

/**
 * Which document the mock serves (`spec`: a path or URL; default `@dataloop-ts/spec`'s) and where its prepared form is cached (`cacheDir`, `false` for none).
 * @example
 * ```ts
 * import { type MockSpecOptions, startMockGateway } from "@dataloop-ts/mock";
 *
 * const options: MockSpecOptions = { spec: "./openapi.json", cacheDir: "./.cache/mock" };
 * const gateway = await startMockGateway(options);
 * console.log(gateway.spec.title, gateway.spec.version);
 * await gateway.stop();
 * ```
 */
export interface MockSpecOptions {
  /**
   * The document to serve: a path or URL (JSON or YAML). Default: `@dataloop-ts/spec`, the document the
   * client's types were generated from. Another one (a newer pin, a draft) is repaired with the overlay
   * `@dataloop-ts/spec` ships, as the codegen repairs the pinned one.
   */
  spec?: string;
  /**
   * Where the prepared spec is cached (a warm start is then a JSON.parse): default the per-user cache
   * folder (`$XDG_CACHE_HOME/dataloop-ts/mock` or `~/.cache/…`; `DATALOOP_TS_CACHE` overrides it),
   * `false` for none. A folder that cannot be written only makes every start cold.
   */
  cacheDir?: string | false;
}

/**
 * What the mock serves, ready for Prism.
 * @example
 * ```ts
 * import { prepareMockSpec } from "@dataloop-ts/mock";
 *
 * const spec = await prepareMockSpec();
 * console.log(spec.cache, spec.upstream.sha256, spec.publicOperations.length, spec.examples);
 * ```
 */
export interface MockSpec {
  /** Prism's bundled operations (dereferenced once, JSON-safe). */
  operations: unknown[];
  /** `METHOD /template` of the operations the spec declares public (`security: []`). */
  publicOperations: string[];
  examples: ExampleReport;
  /** The repaired document with the examples, for request/response validation in tests. */
  document: OpenApiDocument;
  /** The document as upstream wrote it (served at `/api/v1/swagger-file`, like the gateway's). */
  upstream: { bytes: Buffer; sha256: string; contentType: string };
  /** `hit`: read from the cache; `miss`: built and cached; `off`: built, no cache (disabled or not writable). */
  cache: "hit" | "miss" | "off";
  /** Why the cache could not be written, when it could not. */
  cacheError?: string;
}

type Prepared = Pick<MockSpec, "operations" | "publicOperations" | "examples" | "document">;

/** What the worker needs to build a MockSpec: the upstream bytes and where they came from. */
export interface BuildInput {
  source: string;
  bytes: Uint8Array;
  /** The repaired document when it is already at hand (the default spec ships repaired). */
  repairedPath?: string;
  cacheFile?: string;
}

/** The mock's own build: a change in how examples are made must not be served from an older cache. */
const BUILD_KEY = sha256(
  // From dist/ either way: that is what the worker runs.
  ["../package.json", "../dist/examples.js", "../dist/believable.js", "../dist/spec.js"]
    .map((f) => {
      const url = new URL(f, import.meta.url);
      return existsSync(url) ? readFileSync(url) : "";
    })
    .join("\0"),
).slice(0, 16);

/**
 * Where prepared specs are cached unless `cacheDir` says otherwise: `$DATALOOP_TS_CACHE/mock`, else the per-user cache folder (`~/.cache/dataloop-ts/mock` on Linux). The newest four are kept.
 * @example
 * ```ts
 * import { defaultCacheDir } from "@dataloop-ts/mock";
 *
 * console.log(defaultCacheDir());
 * ```
 */
export function defaultCacheDir(): string {
  return process.env.DATALOOP_TS_CACHE
    ? join(process.env.DATALOOP_TS_CACHE, "mock")
    : join(envPaths("dataloop-ts", { suffix: "" }).cache, "mock");
}

/** The repaired document plus believable response examples that every JSON success response is served with. */
export function mockableDocument(repaired: OpenApiDocument): {
  document: OpenApiDocument;
  examples: ExampleReport;
} {
  const document = structuredClone(repaired);
  addBelievableExamples(document);
  const examples = addResponseExamples(document, createSpecValidator(document));
  return { document, examples };
}

/**
 * The spec the mock serves — `@dataloop-ts/spec` unless `options.spec` names another — repaired, given
 * examples and bundled for Prism, or all of that read from the cache when nothing changed.
 * @example
 * ```ts
 * import { createSpecValidator, prepareMockSpec } from "@dataloop-ts/mock";
 *
 * const spec = await prepareMockSpec({ cacheDir: false });
 * const validator = createSpecValidator(spec.document);
 * console.log(validator.response("GET", "/users/me", 200, { id: 1 }));
 * ```
 */
export async function prepareMockSpec(options: MockSpecOptions = {}): Promise<MockSpec> {
  const overlaySha = sha256(readFileSync(specFiles.overlay));
  let input: BuildInput;
  let key: string;
  let contentType = "application/json";
  if (options.spec) {
    const loaded = await loadSpec(options.spec);
    assertOpenApi3(loaded.document, options.spec);
    if (loaded.format === "yaml") contentType = "application/yaml";
    input = { source: options.spec, bytes: loaded.bytes };
    key = sha256(JSON.stringify([loaded.sha256, overlaySha, BUILD_KEY]));
  } else {
    const manifest = readManifest();
    input = {
      source: specFiles.upstream,
      bytes: readFileSync(specFiles.upstream),
      repairedPath: specFiles.repaired,
    };
    key = sha256(JSON.stringify([manifest.sha256, manifest.overlaySha256, BUILD_KEY]));
  }
  const bytes = Buffer.from(input.bytes);
  const upstream = { bytes, sha256: sha256(bytes), contentType };
  const dir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const cacheFile = dir ? join(dir, `mock-${key.slice(0, 24)}.json`) : undefined;
  if (cacheFile && existsSync(cacheFile)) {
    try {
      const cached = JSON.parse(readFileSync(cacheFile, "utf8")) as Prepared;
      return { ...cached, upstream, cache: "hit" };
    } catch {
      // a damaged cache is rebuilt below
    }
  }
  const built = await buildInWorker({ ...input, ...(cacheFile ? { cacheFile } : {}) });
  return {
    ...(JSON.parse(built.text) as Prepared),
    upstream,
    cache: built.cacheError || !cacheFile ? "off" : "miss",
    ...(built.cacheError ? { cacheError: built.cacheError } : {}),
  };
}

/**
 * The cold path: seconds of synchronous work (examples for 800 schemas, Prism's bundling). Runs in a
 * worker thread (prepare-worker.ts), because on the caller's thread it would stall every timer and
 * socket of the test process that starts the mock — long enough, on a busy CI box, for unrelated
 * deadlines to fire. Writes the cache when it can and returns the result as JSON text.
 */
export async function buildMockSpec(input: BuildInput): Promise<{ text: string; cacheError?: string }> {
  let repaired: OpenApiDocument;
  if (input.repairedPath) {
    repaired = JSON.parse(readFileSync(input.repairedPath, "utf8")) as OpenApiDocument;
  } else {
    const raw = parseDocument(Buffer.from(input.bytes), input.source).document;
    assertOpenApi3(raw, input.source);
    repaired = repairSpec(raw, await readOverlayFile(specFiles.overlay), input.source).document;
  }
  const { document, examples } = mockableDocument(repaired);
  const operations = await getHttpOperationsFromSpec(structuredClone(document) as never);
  const text = JSON.stringify({
    operations,
    publicOperations: publicOperations(document),
    examples,
    document,
  });
  if (!input.cacheFile) return { text };
  try {
    await writeFileAtomic(input.cacheFile, text);
    pruneCache(input.cacheFile);
    return { text };
  } catch (error) {
    return {
      text,
      cacheError: `${input.cacheFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    };
  }
}

/** Keeps the newest few prepared specs (each is megabytes): one per spec and mock version in use. */
function pruneCache(kept: string, keep = 4) {
  const dir = join(kept, "..");
  const files = readdirSync(dir)
    .filter((f) => /^mock-[0-9a-f]+\.json$/.test(f))
    .map((f) => ({ path: join(dir, f), mtime: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { path } of files.slice(keep)) if (path !== kept) rmSync(path, { force: true });
}

// Relative to the package, not to this file: the same path from src/ (the package's own tests) and
// from dist/, and the worker is always the built one.
const WORKER = new URL("../dist/prepare-worker.js", import.meta.url);

function buildInWorker(input: BuildInput): Promise<{ text: string; cacheError?: string }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: input });
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`The mock's spec preparation stopped with exit code ${code}.`));
    });
  });
}
