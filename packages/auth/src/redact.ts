const JWT = /eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g;
const BEARER = /(Bearer\s+)[^\s"',;]+/gi;

/**
 * Scrubs secrets from text before it is logged or put in an error: every JWT, every Bearer
 * credential, and each secret registered with `add` (passwords, refresh tokens).
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    // Very short strings would redact ordinary words; no real secret of ours is that short.
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text.replace(BEARER, "$1[redacted]").replace(JWT, "[redacted JWT]");
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join("[redacted]");
    return out;
  }
}

/**
 * Redaction of JWTs and Bearer credentials alone, for text with no registered secrets.
 * @example
 * ```ts
 * import { redactTokens } from "@dataloop-ts/auth";
 *
 * redactTokens("curl -H 'Authorization: Bearer abc.def.ghi' …"); // "curl -H 'Authorization: Bearer [redacted]' …"
 * ```
 */
export const redactTokens = (text: string) => new Redactor().redact(text);
