import { printable } from "@dataloop-ts/core";

/** At most this many reasons are listed: a body with hundreds of validation errors stays readable. */
const MAX_REASONS = 20;

/** One reason as a line: a string as is, an Ajv/Prism-style `{ instancePath|path, message }` as "path: message". */
function lineOf(reason: unknown): string | undefined {
  if (typeof reason === "string") return reason;
  if (reason === null || typeof reason !== "object") return undefined;
  const r = reason as Record<string, unknown>;
  const message = [r.message, r.detail, r.msg, r.error].find((m) => typeof m === "string") as
    | string
    | undefined;
  if (!message) return JSON.stringify(reason);
  const where = [r.instancePath, r.path, r.location, r.field, r.property].find(
    (w) => typeof w === "string" || Array.isArray(w),
  );
  const at = Array.isArray(where) ? where.join(".") : (where as string | undefined);
  return at ? `${at}: ${message}` : message;
}

/**
 * What the gateway said was wrong, one line each, from the body of its error answer (a 400/422):
 * `errors`, `validation`, `details` or `issues` lists (of strings or `{ path, message }`), else its
 * `message`/`error` when there is no list. Made printable (no terminal escapes, no line breaks):
 * the body is the gateway's text, shown on the user's terminal.
 */
export function reasonsOf(body: unknown): string[] {
  if (body === undefined || body === null || body === "") return [];
  if (typeof body === "string") return [printable(body.slice(0, 500))];
  const b = body as Record<string, unknown>;
  const list = Array.isArray(body)
    ? body
    : [b.errors, b.validation, b.details, b.issues].find((l) => Array.isArray(l) && l.length > 0);
  const lines = Array.isArray(list)
    ? list.map(lineOf)
    : [b.message, b.error, b.detail].filter((m): m is string => typeof m === "string").slice(0, 1);
  const clean = lines.filter((l): l is string => Boolean(l)).map((l) => printable(l.slice(0, 500)));
  return clean.length > MAX_REASONS
    ? [...clean.slice(0, MAX_REASONS), `… and ${clean.length - MAX_REASONS} more (--json shows them all)`]
    : clean;
}
