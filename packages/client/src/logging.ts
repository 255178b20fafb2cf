import type { Logger } from "@dataloop-ts/auth";

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
