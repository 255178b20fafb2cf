import { InvalidArgumentError, isHttpUrl } from "@dataloop-ts/core";
/**
 * The gateways Dataloop runs; any other gate URL works too.
 * @example
 * ```ts
 * import { ENVIRONMENTS } from "@dataloop-ts/auth";
 *
 * console.log(ENVIRONMENTS.rc); // "https://rc-gate.dataloop.ai"
 * ```
 */
export const ENVIRONMENTS = {
  prod: "https://gate.dataloop.ai",
  rc: "https://rc-gate.dataloop.ai",
  dev: "https://dev-gate.dataloop.ai",
  local: "https://localhost:8443",
} as const;

/**
 * The name of a gateway Dataloop runs: `prod`, `rc`, `dev` or `local` (a key of {@link ENVIRONMENTS}).
 * @example
 * ```ts
 * import type { EnvironmentName } from "@dataloop-ts/auth";
 *
 * const env: EnvironmentName = process.env.CI ? "rc" : "prod";
 * ```
 */
export type EnvironmentName = keyof typeof ENVIRONMENTS;

/**
 * The gate origin for an environment name or a URL: `resolveGate("rc")` → `https://rc-gate.dataloop.ai`.
 * @example
 * ```ts
 * import { resolveGate } from "@dataloop-ts/auth";
 *
 * resolveGate("rc"); // "https://rc-gate.dataloop.ai"
 * resolveGate("https://gate.example.com/api/v1/"); // "https://gate.example.com": the API base works too
 * resolveGate("gate.example.com"); // throws InvalidArgumentError: neither a name nor an http(s) URL
 * ```
 */
export function resolveGate(envOrUrl: EnvironmentName | (string & {}) = "prod"): string {
  const known = (ENVIRONMENTS as Record<string, string>)[envOrUrl];
  const raw = known ?? envOrUrl;
  // http(s) only: `new URL("file:///etc/passwd").origin` is "null", which would make a nonsense gate.
  let url: URL | undefined;
  try {
    if (isHttpUrl(raw)) url = new URL(raw);
  } catch {}
  if (!url) {
    throw new InvalidArgumentError({
      message: `"${envOrUrl}" is neither a Dataloop environment (${Object.keys(ENVIRONMENTS).join(", ")}) nor an http(s) URL.`,
      hint: "Pass an environment name, or the gate's URL such as https://gate.dataloop.ai.",
    });
  }
  // Accept the API base too: the gate is its origin (the token route lives outside /api/v1).
  const path = url.pathname.replace(/\/+$/, "").replace(/\/api\/v1$/, "");
  return `${url.origin}${path}`;
}
