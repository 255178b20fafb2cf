import type { ServerResponse } from "node:http";
import { DataloopError } from "@dataloop-ts/core";

/**
 * What the twin answers with an error status. The body is the gateway's: `{ status, message }`, plus
 * `errors` (the reasons) on a 400 — the shape the mock's 401s already have, and what
 * `DataloopApiError.body` then carries.
 */
export class TwinHttpError extends DataloopError {
  static override readonly code = "TWIN_HTTP" as const;
  override name = "TwinHttpError";
  override readonly code = "TWIN_HTTP" as const;
  readonly status: number;
  readonly errors: string[] | undefined;

  constructor(init: { status: number; message: string; errors?: string[]; hint?: string }) {
    super({ message: init.message, hint: init.hint ?? "An answer of the mock gateway, sent as HTTP." });
    this.status = init.status;
    this.errors = init.errors;
  }

  body(): Record<string, unknown> {
    return { status: this.status, message: this.message, ...(this.errors ? { errors: this.errors } : {}) };
  }
}

export const notFound = (kind: string, id: string): TwinHttpError =>
  new TwinHttpError({ status: 404, message: `${kind} not found: ${id}` });

export const badRequest = (message: string, errors?: string[]): TwinHttpError =>
  new TwinHttpError({ status: 400, message, ...(errors ? { errors } : {}) });

/** Answers with JSON; true, so that a handler can `return send(…)`. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): true {
  if (status === 204) {
    res.writeHead(204, headers).end();
    return true;
  }
  return sendJsonText(res, status, JSON.stringify(body), headers);
}

/** Answers with JSON serialised already (`JSON.stringify`'s text, or kept bytes: entity-json.ts). */
export function sendJsonText(
  res: ServerResponse,
  status: number,
  text: string | Buffer,
  headers: Record<string, string> = {},
): true {
  res
    .writeHead(status, {
      "content-type": "application/json",
      "content-length": String(typeof text === "string" ? Buffer.byteLength(text) : text.length),
      ...headers,
    })
    .end(text);
  return true;
}
