import type { IncomingMessage, ServerResponse } from "node:http";
import type { Page } from "../front.js";
import { sendJson } from "./errors.js";
import { type FaultRule, faultRuleErrors } from "./faults.js";
import type { GatewayTwin } from "./twin.js";

/** Where a test drives the twin over HTTP (another process, another language): outside `/api/v1`, no token. */
export const CONTROL_PREFIX = "/_twin";

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "null");
}

/**
 * `POST /_twin/reset` (204): back to the seeded data; `GET /_twin/requests`: the request log;
 * `POST /_twin/faults` with a `FaultRule` (201), `DELETE /_twin/faults` (204): faults on and off.
 */
export function twinControl(twin: GatewayTwin): Page {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path !== CONTROL_PREFIX && !path.startsWith(`${CONTROL_PREFIX}/`)) return false;
    const route = `${req.method} ${path.slice(CONTROL_PREFIX.length)}`;
    if (route === "POST /reset") {
      req.resume();
      twin.reset();
      return sendJson(res, 204, undefined);
    }
    if (route === "GET /requests") return sendJson(res, 200, twin.log.entries);
    if (route === "DELETE /faults") {
      twin.faults.clear();
      return sendJson(res, 204, undefined);
    }
    if (route === "GET /faults") return sendJson(res, 200, twin.faults.active);
    if (route === "POST /faults") {
      readJson(req).then(
        (rule) => {
          const errors = faultRuleErrors(rule);
          if (errors.length) return sendJson(res, 400, { status: 400, message: "Invalid fault", errors });
          twin.faults.add(rule as FaultRule);
          return sendJson(res, 201, twin.faults.active);
        },
        () => sendJson(res, 400, { status: 400, message: "Invalid fault", errors: ["body is not JSON"] }),
      );
      return true;
    }
    req.resume();
    return sendJson(res, 404, { status: 404, message: `no twin control route ${route}` });
  };
}
