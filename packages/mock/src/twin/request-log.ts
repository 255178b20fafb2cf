import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * One request the gateway answered: no headers, so no credentials.
 * @example
 * ```ts
 * import { type LoggedRequest, startMockGateway } from "@dataloop-ts/mock";
 *
 * const gateway = await startMockGateway();
 * const failed: LoggedRequest[] = gateway.requests.filter((r) => r.status >= 400 || r.status === 0);
 * console.log(failed.map((r) => `${r.method} ${r.url} → ${r.status} at ${new Date(r.at).toISOString()}`));
 * await gateway.stop();
 * ```
 */
export interface LoggedRequest {
  method: string;
  /** The path and query as asked (`/api/v1/datasets/…/query`). */
  url: string;
  /** The status answered; 0 when the connection was dropped first. */
  status: number;
  /** When it arrived (the twin's clock, ms since the epoch). */
  at: number;
}

/** The requests the gateway answered, oldest first (the last `limit`), for a test to assert on. */
export class RequestLog {
  readonly entries: LoggedRequest[] = [];
  constructor(
    private readonly now: () => number,
    private readonly limit = 10_000,
  ) {}

  record(req: IncomingMessage, res: ServerResponse): void {
    const entry: LoggedRequest = {
      method: req.method ?? "GET",
      url: req.url ?? "/",
      status: 0,
      at: this.now(),
    };
    if (this.entries.push(entry) > this.limit) this.entries.shift();
    res.once("finish", () => {
      entry.status = res.statusCode;
    });
  }

  clear(): void {
    this.entries.length = 0;
  }
}
