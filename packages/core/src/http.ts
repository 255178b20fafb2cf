/**
 * `GET /projects/{projectId}`: one spelling of "an operation" everywhere (logs, reports, routing).
 * @example
 * ```ts
 * import { operationKey } from "@dataloop-ts/core";
 *
 * operationKey("get", "/projects/{projectId}"); // "GET /projects/{projectId}"
 * ```
 */
export const operationKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

/**
 * An absolute http(s) URL (a spec source, a gate): anything else is a path or a name.
 * @example
 * ```ts
 * import { isHttpUrl } from "@dataloop-ts/core";
 *
 * isHttpUrl("https://gate.dataloop.ai/api/v1/swagger-file"); // true
 * isHttpUrl("specs/dataloop.openapi.json"); // false: a path
 * ```
 */
export const isHttpUrl = (text: string) => /^https?:\/\//i.test(text);

/**
 * Worth another attempt, unchanged, later: a timeout (408), a rate limit (429), a gateway or server
 * failure (5xx). Every retry of dataloop-ts (the client's, the codegen's spec download) asks this.
 * @example
 * ```ts
 * import { isTransientStatus } from "@dataloop-ts/core";
 *
 * isTransientStatus(503); // true: try again later
 * isTransientStatus(404); // false: the same request fails the same way
 * ```
 */
export const isTransientStatus = (status: number) => status === 408 || status === 429 || status >= 500;
