import type { Logger } from "@dataloop-ts/auth";

/**
 * `DEBUG=dataloop` (or `dataloop:*`, `*`): calls and token renewals on stderr, as the client's own
 * switch does. The CLI hands the logger to the session too: the client passes its logger only to
 * sessions it creates itself, and the CLI creates its session (on the token store) apart.
 */
export function debugLogger(env: NodeJS.ProcessEnv): Logger | undefined {
  const on = (env.DEBUG ?? "")
    .split(/[\s,]+/)
    .some((p) => p === "*" || p === "dataloop" || p.startsWith("dataloop:"));
  if (!on) return undefined;
  const write = (line: string) => process.stderr.write(`${line}\n`);
  return { debug: write, warn: write };
}
