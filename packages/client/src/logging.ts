import { redactTokens } from "@dataloop-ts/auth";
import type { Middleware } from "openapi-fetch";

export type LogFn = (line: string) => void;

/**
 * One line per request and per answer: method, path, status, time. No headers, no bodies; every line
 * passes through redaction anyway, so a token in a URL is not printed either.
 */
export function loggingMiddleware(log: LogFn): Middleware {
  const started = new Map<string, number>();
  const line = (text: string) => log(redactTokens(text));
  return {
    onRequest({ request, id }) {
      started.set(id, performance.now());
      line(`dataloop → ${request.method} ${new URL(request.url).pathname}`);
      return undefined;
    },
    onResponse({ request, response, id }) {
      const ms = performance.now() - (started.get(id) ?? performance.now());
      started.delete(id);
      line(
        `dataloop ← ${response.status} ${request.method} ${new URL(request.url).pathname} ${ms.toFixed(0)} ms`,
      );
      return undefined;
    },
    onError({ request, error, id }) {
      started.delete(id);
      line(
        `dataloop ✗ ${request.method} ${new URL(request.url).pathname}: ${(error as Error)?.message ?? String(error)}`,
      );
      return undefined;
    },
  };
}

/** `DEBUG=dataloop` (or `dataloop:*`, `*`) turns logging on to stderr. */
export function debugFromEnv(
  // Browsers and edge runtimes have no `process`: there, no DEBUG switch.
  env: Record<string, string | undefined> = globalThis.process?.env ?? {},
): LogFn | undefined {
  const pattern = env.DEBUG ?? "";
  return pattern.split(/[\s,]+/).some((p) => p === "*" || p === "dataloop" || p.startsWith("dataloop:"))
    ? (l) => process.stderr.write(`${l}\n`)
    : undefined;
}
