import { type Logger, redactTokens } from "@dataloop-ts/auth";
import type { Middleware } from "openapi-fetch";

/**
 * One line per request and per answer (errors included): method, path, status, time. No headers, no
 * bodies; every line passes through redaction anyway, so a token in a URL is not printed either. The
 * start time is held by the request itself (a WeakMap), so a request another hook throws on leaves
 * nothing behind.
 */
export function loggingMiddleware(logger: Logger): Middleware {
  const started = new WeakMap<Request, number>();
  const line = (text: string) => logger.debug?.(redactTokens(text));
  const where = (request: Request) => `${request.method} ${new URL(request.url).pathname}`;
  return {
    onRequest({ request }) {
      started.set(request, performance.now());
      line(`dataloop → ${where(request)}`);
      return undefined;
    },
    onResponse({ request, response }) {
      const ms = performance.now() - (started.get(request) ?? performance.now());
      line(`dataloop ← ${response.status} ${where(request)} ${ms.toFixed(0)} ms`);
      return undefined;
    },
    onError({ request, error }) {
      line(`dataloop ✗ ${where(request)}: ${(error as Error)?.message ?? String(error)}`);
      return undefined;
    },
  };
}

/** `DEBUG=dataloop` (or `dataloop:*`, `*`) turns logging on to stderr: requests and token renewals. */
export function debugFromEnv(
  // Browsers and edge runtimes have no `process`: there, no DEBUG switch.
  env: Record<string, string | undefined> = globalThis.process?.env ?? {},
): Logger | undefined {
  const pattern = env.DEBUG ?? "";
  if (!pattern.split(/[\s,]+/).some((p) => p === "*" || p === "dataloop" || p.startsWith("dataloop:")))
    return undefined;
  const write = (l: string) => process.stderr.write(`${l}\n`);
  return { debug: write, warn: write };
}
