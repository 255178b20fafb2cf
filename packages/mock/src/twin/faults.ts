import type { IncomingMessage, ServerResponse } from "node:http";
import { routeMatcher } from "../proxy.js";

/**
 * What a fault does to a request: wait first (`latencyMs`, then the request goes on), answer a 429
 * with `Retry-After`, answer an error status (5xx), or drop the connection without an answer.
 * @example
 * ```ts
 * import { startMockGateway, type TwinFault } from "@dataloop-ts/mock";
 *
 * const gateway = await startMockGateway();
 * const faults: TwinFault[] = [
 *   { kind: "latency", latencyMs: 200 },
 *   { kind: "429", retryAfterSeconds: 1 },
 *   { kind: "status", status: 503 },
 *   { kind: "drop" },
 * ];
 * for (const fault of faults) gateway.fault({ route: "GET /projects", fault, times: 1 });
 * await gateway.stop();
 * ```
 */
export type TwinFault =
  | { kind: "latency"; latencyMs: number }
  | { kind: "429"; retryAfterSeconds?: number }
  | { kind: "status"; status: number; message?: string }
  | { kind: "drop" };

/**
 * What `gateway.fault()` takes: the route (`"GET /items/{id}"`, `"* /items/{id}"` or `"*"`), the fault, and how many requests it hits (default: until `reset()`).
 * @example
 * ```ts
 * import { type FaultRule, startMockGateway } from "@dataloop-ts/mock";
 *
 * const gateway = await startMockGateway();
 * const rule: FaultRule = { route: "* /items/{id}", fault: { kind: "drop" }, times: 2 };
 * const off = gateway.fault(rule);
 * off();
 * await gateway.stop();
 * ```
 */
export interface FaultRule {
  /** `"METHOD /template"` as the spec writes it (`"GET /items/{id}"`), `"* /template"`, or `"*"` for every API call. */
  route: string;
  fault: TwinFault;
  /** How many requests it hits, then it is gone (default: until `clear()`). */
  times?: number;
}

/** Faults a test switches on per route, for the API (`/api/v1/…`), before the Bearer check. */
export class TwinFaults {
  private rules: Array<FaultRule & { hits: number; matches(method: string, path: string): boolean }> = [];

  /** Switches a fault on; returns a function that switches it off. */
  add(rule: FaultRule): () => void {
    const [method = "*", template = ""] = rule.route === "*" ? ["*", ""] : rule.route.split(" ");
    const match = template
      ? routeMatcher(["GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => `${m} ${template}`))
      : undefined;
    const entry = {
      ...rule,
      hits: 0,
      matches: (m: string, p: string) =>
        (method === "*" || method === m) && (!match || match(m, p) !== undefined),
    };
    this.rules.push(entry);
    return () => {
      this.rules = this.rules.filter((r) => r !== entry);
    };
  }

  clear(): void {
    this.rules = [];
  }

  get active(): FaultRule[] {
    return this.rules.map(({ route, fault, times }) => ({
      route,
      fault,
      ...(times === undefined ? {} : { times }),
    }));
  }

  /** Applies the first fault that matches; calls `next` unless the fault answered. */
  apply(req: IncomingMessage, res: ServerResponse, apiPath: string, next: () => void): void {
    const method = req.method ?? "GET";
    const rule = this.rules.find((r) => r.matches(method, apiPath));
    if (!rule) {
      next();
      return;
    }
    rule.hits++;
    if (rule.times !== undefined && rule.hits >= rule.times)
      this.rules = this.rules.filter((r) => r !== rule);
    const { fault } = rule;
    switch (fault.kind) {
      case "latency": {
        const timer = setTimeout(next, fault.latencyMs);
        res.once("close", () => clearTimeout(timer));
        return;
      }
      case "429":
        req.resume();
        res
          .writeHead(429, {
            "content-type": "application/json",
            "retry-after": String(fault.retryAfterSeconds ?? 1),
          })
          .end(JSON.stringify({ status: 429, message: "Too many requests" }));
        return;
      case "status":
        req.resume();
        res
          .writeHead(fault.status, { "content-type": "application/json" })
          .end(JSON.stringify({ status: fault.status, message: fault.message ?? "Injected fault" }));
        return;
      case "drop":
        req.socket.destroy();
        return;
    }
  }
}
