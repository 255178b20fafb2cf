import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { isHttpUrl, isTransientStatus, type RetryPolicy, retryAfterMs, withRetries } from "@dataloop-ts/core";
import { parse as parseYaml } from "yaml";
import { SpecHttpError, SpecNotFoundError, SpecNotParsableError, SpecUnreachableError } from "./errors.js";

/**
 * Where the gateway serves its OpenAPI document.
 * @example
 * ```ts
 * import { DEFAULT_SPEC_URL, loadSpec } from "@dataloop-ts/codegen";
 *
 * const { sha256 } = await loadSpec(DEFAULT_SPEC_URL);
 * ```
 */
export const DEFAULT_SPEC_URL = "https://gate.dataloop.ai/api/v1/swagger-file";

/**
 * How a spec URL is fetched: the per-attempt timeout, the retries (`attempts`, `baseDelayMs`, `maxDelayMs`) and the `fetch` used.
 * @example
 * ```ts
 * import { type LoadOptions, loadSpec } from "@dataloop-ts/codegen";
 *
 * const options: LoadOptions = { timeoutMs: 60_000, attempts: 5, baseDelayMs: 1_000 };
 * const spec = await loadSpec("https://gate.dataloop.ai/api/v1/swagger-file", options);
 * ```
 */
export interface LoadOptions extends RetryPolicy {
  /** Per-attempt timeout for URLs, ms (default 30 000). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * A document as read: its exact bytes and their sha256, parsed but not yet checked to be OpenAPI.
 * @example
 * ```ts
 * import { type LoadedSpec, loadSpec } from "@dataloop-ts/codegen";
 *
 * const spec: LoadedSpec = await loadSpec("specs/dataloop.openapi.json");
 * console.log(spec.format, spec.sha256, spec.bytes.length);
 * ```
 */
export interface LoadedSpec {
  /** The URL or absolute path it came from. */
  source: string;
  /** The exact bytes read: what the sha256 pins. */
  bytes: Buffer;
  sha256: string;
  /** Parsed, not yet checked to be OpenAPI. */
  document: unknown;
  /** How the bytes are written. */
  format: "json" | "yaml";
}

/**
 * Reads a spec from a URL or a file path (JSON or YAML).
 * @example
 * ```ts
 * import { assertOpenApi3, loadSpec } from "@dataloop-ts/codegen";
 *
 * const { document, source } = await loadSpec("https://gate.dataloop.ai/api/v1/swagger-file");
 * assertOpenApi3(document, source);
 * console.log(document.info.version);
 * ```
 */
export async function loadSpec(source: string, options: LoadOptions = {}): Promise<LoadedSpec> {
  const bytes = isHttpUrl(source) ? await fetchBytes(source, options) : await readBytes(source);
  return { source, bytes, sha256: sha256(bytes), ...parseDocument(bytes, source) };
}

export function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new SpecNotFoundError({
      message: `Cannot read the spec file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      hint: "Check the path (a URL must start with http:// or https://), or pull from the gateway URL.",
      cause: error,
    });
  }
}

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter: string | null,
  ) {
    super(`HTTP ${status}`);
  }
}

/** The document at `url`, with the retries every download of dataloop-ts makes (network errors, 408, 429, 5xx). */
async function fetchBytes(url: string, options: LoadOptions): Promise<Buffer> {
  const { timeoutMs = 30_000, fetch: doFetch = fetch } = options;
  let attempts = 0;
  try {
    return await withRetries(
      async (n) => {
        attempts = n;
        const response = await doFetch(url, {
          signal: AbortSignal.timeout(timeoutMs),
          headers: { accept: "application/json, application/yaml;q=0.9, */*;q=0.1" },
        });
        if (!response.ok) {
          await response.body?.cancel();
          throw new HttpStatusError(response.status, response.headers.get("retry-after"));
        }
        return Buffer.from(await response.arrayBuffer());
      },
      (error) =>
        error instanceof HttpStatusError
          ? { retry: isTransientStatus(error.status), retryAfterMs: retryAfterMs(error.retryAfter) }
          : { retry: true },
      { baseDelayMs: 500, ...options },
    );
  } catch (error) {
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : "";
    if (error instanceof HttpStatusError) {
      throw new SpecHttpError({
        message: `The spec URL ${url} answered HTTP ${error.status}${tries}.`,
        hint: "Check the URL; for a 5xx try again later, or pull from a saved file with --from PATH.",
        cause: error,
      });
    }
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    throw new SpecUnreachableError({
      message: timedOut
        ? `The spec URL ${url} did not answer within ${timeoutMs} ms${tries}.`
        : `Cannot reach the spec URL ${url}: ${describe(error)}${tries}.`,
      hint: "Check your network or the URL, raise --timeout, or pull from a saved file with --from PATH.",
      cause: error,
    });
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause as { code?: string; message?: string } | undefined;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}

/**
 * Parses spec bytes (JSON, else YAML); `source` names them in errors.
 * @example
 * ```ts
 * import { readFile } from "node:fs/promises";
 * import { parseDocument } from "@dataloop-ts/codegen";
 *
 * const { document, format } = parseDocument(await readFile("openapi.yaml"), "openapi.yaml");
 * ```
 */
export function parseDocument(bytes: Buffer, source: string): { document: unknown; format: "json" | "yaml" } {
  const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return { document: JSON.parse(text), format: "json" };
    } catch (error) {
      throw notParsable(source, (error as Error).message, error);
    }
  }
  try {
    const doc = parseYaml(text, { maxAliasCount: 10_000 });
    if (doc !== null && typeof doc === "object") return { document: doc, format: "yaml" };
    throw new Error(`it parses as a ${doc === null ? "null" : typeof doc}, not as an object`);
  } catch (error) {
    throw notParsable(source, (error as Error).message, error);
  }
}

function notParsable(source: string, detail: string, cause: unknown) {
  return new SpecNotParsableError({
    message: `The spec from ${source} is neither JSON nor YAML: ${detail.split("\n")[0]}`,
    hint: "Point --from at the OpenAPI document itself (for Dataloop: /api/v1/swagger-file), not an HTML page.",
    cause,
  });
}
