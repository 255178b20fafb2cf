import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import {
  findProject,
  listOperations,
  type OpenApiDocument,
  overlaySha,
  type Project,
  readPin,
  repairPinned,
  sha256,
  writeFileAtomic,
} from "@dataloop-ts/codegen";
import { getHttpOperationsFromSpec } from "@stoplight/prism-http";
import { addResponseExamples, type ExampleReport } from "./examples.js";
import { createSpecValidator } from "./validate.js";

const MOCK_VERSION: string = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8"),
).version;

/** What the mock serves, ready for Prism: cached by spec + overlay + mock version. */
export interface MockSpec {
  /** Prism's bundled operations (dereferenced once, JSON-safe). */
  operations: unknown[];
  /** `METHOD /template` of the operations the spec declares public (`security: []`). */
  publicOperations: string[];
  examples: ExampleReport;
  /** The repaired document with the examples, for request/response validation in tests. */
  document: OpenApiDocument;
  fromCache: boolean;
}

/** The repaired document plus response examples every JSON success response can be served with. */
export function mockableDocument(repaired: OpenApiDocument): {
  document: OpenApiDocument;
  examples: ExampleReport;
} {
  const document = structuredClone(repaired);
  const examples = addResponseExamples(document, createSpecValidator(document));
  return { document, examples };
}

/**
 * Repairs the project's pinned spec, adds examples and lets Prism bundle it — or reads all of that
 * from `specs/.cache/` when nothing changed (a warm start is a JSON.parse).
 */
export async function prepareMockSpec(project: Project = findProject()): Promise<MockSpec> {
  // The key needs only the pin and the overlay: a warm start must not repair the spec to find it.
  const pin = await readPin(project);
  const key = sha256(JSON.stringify([pin.sha256, await overlaySha(project), MOCK_VERSION])).slice(0, 24);
  const cacheFile = join(project.cacheDir, `mock-${key}.json`);
  if (existsSync(cacheFile)) {
    try {
      const cached = JSON.parse(readFileSync(cacheFile, "utf8")) as Omit<MockSpec, "fromCache">;
      return { ...cached, fromCache: true };
    } catch {
      // a damaged cache is rebuilt below
    }
  }
  const text = await buildInWorker(project, cacheFile);
  return { ...(JSON.parse(text) as Omit<MockSpec, "fromCache">), fromCache: false };
}

/**
 * The cold path: seconds of synchronous work (examples for 800 schemas, Prism's bundling). Runs in a
 * worker thread (prepare-worker.ts), because on the caller's thread it would stall every timer and
 * socket of the test process that starts the mock — long enough, on a busy CI box, for unrelated
 * deadlines to fire. Writes the cache and returns it as JSON text.
 */
export async function buildMockSpec(project: Project, cacheFile: string): Promise<string> {
  const { repaired } = await repairPinned(project);
  const { document, examples } = mockableDocument(repaired);
  const operations = await getHttpOperationsFromSpec(structuredClone(document) as never);
  const publicOperations = listOperations(document)
    .filter(({ operation }) => Array.isArray(operation.security) && operation.security.length === 0)
    .map(({ method, path }) => `${method.toUpperCase()} ${path}`);
  const text = JSON.stringify({ operations, publicOperations, examples, document });
  await writeFileAtomic(cacheFile, text);
  return text;
}

// Relative to the package, not to this file: the same path from src/ (the package's own tests) and
// from dist/, and the worker is always the built one.
const WORKER = new URL("../dist/prepare-worker.js", import.meta.url);

function buildInWorker(project: Project, cacheFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { project, cacheFile } });
    worker.once("message", (text: string) => resolve(text));
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`The mock's spec preparation stopped with exit code ${code}.`));
    });
  });
}
