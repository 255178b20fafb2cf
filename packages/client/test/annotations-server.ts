// A small gateway for the annotations tests: it keeps items and their annotations, answers
// `POST|GET /items/{itemId}/annotations` and DQL (`POST /datasets/{id}/query`, items or annotations,
// `$and` of equalities, `$gt` and `$in`, sorted by id, keyset paging), and misbehaves when told: a
// `plan` per request may answer 429 or 503 before storing, or store and then reset the connection.
import type { IncomingMessage, ServerResponse } from "node:http";
import { type LoopbackServer, listenLoopback } from "@dataloop-ts/core/node";

export type Misbehaviour = "ok" | "429" | "503" | "reset-before" | "reset-after";

export interface AnnotationServer extends LoopbackServer {
  items: Map<string, Record<string, unknown>>;
  annotations: Map<string, Array<Record<string, unknown>>>;
  /** Requests by `METHOD route`, e.g. `POST annotations`. */
  counts: Map<string, number>;
  /** Annotations handed out by DQL queries so far (every page's). */
  annotationsServed: number;
  /** What to do with the next POSTs of annotations (one entry per request; then "ok"). */
  plan: Misbehaviour[];
  /** What to do with the next DQL queries of annotations ("ok", "429", "503" or a reset before answering). */
  queryPlan: Misbehaviour[];
  addItem(filename: string, size?: { width: number; height: number }): string;
}

let sequence = 0;
const nextId = () => (++sequence).toString(16).padStart(24, "0");

const bodyOf = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
};

type Condition = Record<string, unknown>;
function matches(entity: Record<string, unknown>, condition: Condition): boolean {
  return Object.entries(condition).every(([field, want]) => {
    const value = entity[field];
    if (want && typeof want === "object" && !Array.isArray(want)) {
      const op = want as { $gt?: string; $in?: unknown[]; $eq?: unknown };
      if (op.$gt !== undefined && !(String(value) > op.$gt)) return false;
      if (op.$in !== undefined && !op.$in.includes(value)) return false;
      if (op.$eq !== undefined && value !== op.$eq) return false;
      return true;
    }
    return value === want;
  });
}

export async function startAnnotationServer(): Promise<AnnotationServer> {
  const items = new Map<string, Record<string, unknown>>();
  const annotations = new Map<string, Array<Record<string, unknown>>>();
  const counts = new Map<string, number>();
  const plan: Misbehaviour[] = [];
  const queryPlan: Misbehaviour[] = [];
  const served = { annotationsServed: 0 };
  const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const annotationsOf = /^\/api\/v1\/items\/([^/]+)\/annotations$/.exec(url.pathname);
    const query = /^\/api\/v1\/datasets\/([^/]+)\/query$/.exec(url.pathname);
    const body = await bodyOf(req);
    if (annotationsOf && req.method === "POST") {
      count("POST annotations");
      const itemId = decodeURIComponent(annotationsOf[1] ?? "");
      const what = plan.shift() ?? "ok";
      if (what === "429") return send(res, 429, { message: "slow down" }, { "retry-after": "0" });
      if (what === "503") return send(res, 503, { message: "unavailable" });
      if (what === "reset-before") return req.socket.destroy();
      if (!items.has(itemId)) return send(res, 404, { message: `no item ${itemId}` });
      const list = Array.isArray(body) ? body : [body];
      const stored = list.map((a: Record<string, unknown>) => ({
        ...a,
        id: nextId(),
        itemId,
        datasetId: items.get(itemId)?.datasetId,
        creator: "bot@example.com",
        createdAt: new Date(0).toISOString(),
      }));
      const kept = annotations.get(itemId) ?? [];
      kept.push(...stored);
      annotations.set(itemId, kept);
      if (what === "reset-after") return req.socket.destroy();
      return send(res, 200, Array.isArray(body) ? stored : stored[0]);
    }
    if (annotationsOf && req.method === "GET") {
      count("GET annotations");
      return send(res, 200, annotations.get(decodeURIComponent(annotationsOf[1] ?? "")) ?? []);
    }
    if (query && req.method === "POST") {
      const {
        resource = "items",
        filter = {},
        pageSize = 1000,
      } = body as {
        resource?: string;
        filter?: { $and?: Condition[] };
        pageSize?: number;
      };
      count(`query ${resource}`);
      const what = resource === "annotations" ? (queryPlan.shift() ?? "ok") : "ok";
      if (what === "429") return send(res, 429, { message: "slow down" }, { "retry-after": "0" });
      if (what === "503") return send(res, 503, { message: "unavailable" });
      if (what.startsWith("reset")) return req.socket.destroy();
      const all = resource === "annotations" ? [...annotations.values()].flat() : [...items.values()];
      const found = all
        .filter((e) => (filter.$and ?? []).every((c) => matches(e, c)))
        .sort((a, b) => String(a.id).localeCompare(String(b.id)));
      const page = found.slice(0, pageSize);
      if (resource === "annotations") served.annotationsServed += page.length;
      return send(res, 200, {
        items: page,
        totalItemsCount: found.length,
        hasNextPage: found.length > pageSize,
        totalPagesCount: Math.ceil(found.length / pageSize),
      });
    }
    send(res, 404, { message: `no route ${req.method} ${url.pathname}` });
  };
  const server = await listenLoopback((req, res) => {
    handler(req, res).catch((e) => send(res, 500, { message: String(e) }));
  });
  // A getter (Object.assign would copy its value once).
  Object.defineProperty(server, "annotationsServed", { get: () => served.annotationsServed });
  return Object.assign(server as LoopbackServer & { annotationsServed: number }, {
    items,
    annotations,
    counts,
    plan,
    queryPlan,
    addItem(filename: string, size?: { width: number; height: number }) {
      const id = nextId();
      items.set(id, {
        id,
        type: "file",
        filename,
        name: filename.split("/").at(-1),
        datasetId: "d1",
        metadata: { system: size ? { ...size } : {} },
      });
      return id;
    },
  });
}
