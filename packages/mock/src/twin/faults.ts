import type { IncomingMessage, ServerResponse } from "node:http";
import { DataloopError } from "@dataloop-ts/core";
import { routeMatcher } from "../proxy.js";

/**
 * A fault rule the twin cannot apply (an unknown kind, a negative `skip`…), named by what is wrong.
 * @example
 * ```ts
 * import { startMockGateway, TwinFaultError } from "@dataloop-ts/mock";
 *
 * const gateway = await startMockGateway();
 * try {
 *   gateway.fault({ route: "GET /items/{id}", fault: { kind: "drop" }, skip: -1 });
 * } catch (error) {
 *   if (error instanceof TwinFaultError) console.log(error.code, error.errors); // TWIN_FAULT [ 'skip …' ]
 * }
 * await gateway.stop();
 * ```
 */
export class TwinFaultError extends DataloopError {
  static override readonly code = "TWIN_FAULT" as const;
  override name = "TwinFaultError";
  override readonly code = "TWIN_FAULT" as const;
  readonly errors: string[];
  constructor(init: { errors: string[] }) {
    super({
      message: `Invalid fault: ${init.errors.join("; ")}`,
      hint: 'A fault is { route: "GET /items/{id}" | "* /items/{id}" | "*", fault: { kind: "latency", latencyMs } | { kind: "429", retryAfterSeconds? } | { kind: "status", status, afterRoute? } | { kind: "drop", afterRoute? }, times?, skip? }.',
    });
    this.errors = init.errors;
  }
}

const wholeAtLeast = (v: unknown, min: number) => typeof v === "number" && Number.isInteger(v) && v >= min;

/** What is wrong with a fault rule (from JSON, or from JavaScript without types); [] when it is one. */
export function faultRuleErrors(value: unknown): string[] {
  if (!value || typeof value !== "object") return ["a fault rule is an object"];
  const rule = value as Record<string, unknown>;
  const errors: string[] = [];
  if (typeof rule.route !== "string" || !(rule.route === "*" || /^(\*|[A-Z]+) \/\S*$/.test(rule.route)))
    errors.push('route is "METHOD /template", "* /template" or "*"');
  const fault = rule.fault as Record<string, unknown> | undefined;
  const kind = fault && typeof fault === "object" ? fault.kind : undefined;
  if (kind === "latency") {
    if (!wholeAtLeast(fault?.latencyMs, 0)) errors.push("fault.latencyMs is a whole number ≥ 0");
  } else if (kind === "429") {
    if (fault?.retryAfterSeconds !== undefined && !wholeAtLeast(fault.retryAfterSeconds, 0))
      errors.push("fault.retryAfterSeconds is a whole number ≥ 0");
  } else if (kind === "status") {
    if (!wholeAtLeast(fault?.status, 100) || (fault?.status as number) > 599)
      errors.push("fault.status is an HTTP status, 100…599");
  } else if (kind !== "drop") errors.push('fault.kind is "latency", "429", "status" or "drop"');
  if (fault?.afterRoute !== undefined) {
    if (typeof fault.afterRoute !== "boolean") errors.push("fault.afterRoute is true or false");
    else if (fault.afterRoute && kind !== "status" && kind !== "drop")
      errors.push('fault.afterRoute is for kind "status" or "drop"');
  }
  if (rule.times !== undefined && !wholeAtLeast(rule.times, 1)) errors.push("times is a whole number ≥ 1");
  if (rule.skip !== undefined && !wholeAtLeast(rule.skip, 0)) errors.push("skip is a whole number ≥ 0");
  return errors;
}

/**
 * What a fault does to a request: wait first (`latencyMs`, then the request goes on), answer a 429
 * with `Retry-After`, answer an error status (5xx), or drop the connection without an answer.
 * `afterRoute: true` (status and drop): the request goes through first — the route runs and its
 * changes are kept — and then its answer is lost: replaced by the status, or the connection dropped.
 * That is the gateway that stored a write whose answer never reached the client.
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
  | { kind: "status"; status: number; message?: string; afterRoute?: boolean }
  | { kind: "drop"; afterRoute?: boolean };

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
  /** How many of the requests that match it pass untouched before it hits (default 0). */
  skip?: number;
}

/** Faults a test switches on per route, for the API (`/api/v1/…`), before the Bearer check. */
export class TwinFaults {
  private rules: Array<
    FaultRule & { hits: number; seen: number; matches(method: string, path: string): boolean }
  > = [];

  /** Switches a fault on; returns a function that switches it off. A rule it cannot apply throws `TwinFaultError`. */
  add(rule: FaultRule): () => void {
    const errors = faultRuleErrors(rule);
    if (errors.length) throw new TwinFaultError({ errors });
    const [method = "*", template = ""] = rule.route === "*" ? ["*", ""] : rule.route.split(" ");
    const match = template
      ? routeMatcher(["GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => `${m} ${template}`))
      : undefined;
    const entry = {
      ...rule,
      hits: 0,
      seen: 0,
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
    return this.rules.map(({ route, fault, times, skip }) => ({
      route,
      fault,
      ...(times === undefined ? {} : { times }),
      ...(skip === undefined ? {} : { skip }),
    }));
  }

  /**
   * Applies the first fault that matches and is done skipping (a rule still skipping counts the
   * request and lets the next rule decide); calls `next` unless the fault answered before the route.
   */
  apply(req: IncomingMessage, res: ServerResponse, apiPath: string, next: () => void): void {
    const method = req.method ?? "GET";
    const rule = this.rules.find((r) => {
      if (!r.matches(method, apiPath)) return false;
      if (r.seen < (r.skip ?? 0)) {
        r.seen++;
        return false;
      }
      return true;
    });
    if (!rule) {
      next();
      return;
    }
    rule.hits++;
    if (rule.times !== undefined && rule.hits >= rule.times)
      this.rules = this.rules.filter((r) => r !== rule);
    const { fault } = rule;
    if ((fault.kind === "status" || fault.kind === "drop") && fault.afterRoute) {
      loseAnswer(req, res, fault);
      next();
      return;
    }
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
        answerStatus(res, fault);
        return;
      case "drop":
        req.socket.destroy();
        return;
    }
  }
}

function answerStatus(res: ServerResponse, fault: { status: number; message?: string }): void {
  res
    .writeHead(fault.status, { "content-type": "application/json" })
    .end(JSON.stringify({ status: fault.status, message: fault.message ?? "Injected fault" }));
}

/**
 * Lets the request go on with its answer held back: what the route (twin or Prism) writes is
 * swallowed, and when it ends the answer, the connection is dropped or the fault's status sent instead.
 */
function loseAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  fault: { kind: "status"; status: number; message?: string } | { kind: "drop" },
): void {
  const writeHead = res.writeHead;
  const write = res.write;
  const end = res.end;
  res.writeHead = function swallowed(this: ServerResponse) {
    return this;
  } as typeof res.writeHead;
  res.write = (() => true) as typeof res.write;
  res.end = function ended(this: ServerResponse, ...args: unknown[]) {
    res.writeHead = writeHead;
    res.write = write;
    res.end = end;
    // The route's last chunk may come with a callback (a pipe's): it is called, as if written.
    const callback = args.find((a) => typeof a === "function") as (() => void) | undefined;
    if (fault.kind === "drop") req.socket.destroy();
    else answerStatus(res, fault);
    callback?.();
    return this;
  } as typeof res.end;
}
