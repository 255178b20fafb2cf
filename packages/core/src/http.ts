/** `GET /projects/{projectId}`: one spelling of "an operation" everywhere (logs, reports, routing). */
export const operationKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

/** An absolute http(s) URL (a spec source, a gate): anything else is a path or a name. */
export const isHttpUrl = (text: string) => /^https?:\/\//i.test(text);

/**
 * Worth another attempt, unchanged, later: a timeout (408), a rate limit (429), a gateway or server
 * failure (5xx). Every retry of dataloop-ts (the client's, the codegen's spec download) asks this.
 */
export const isTransientStatus = (status: number) => status === 408 || status === 429 || status >= 500;
