import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import busboy from "busboy";

/** An item the mock holds: its bytes and the object the gateway would answer with. */
interface StoredItem {
  item: Record<string, unknown> & { id: string; filename: string };
  bytes: Buffer;
}

/** Answers with JSON; true, so that a handler can `return send(…)` that it answered. */
function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): true {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
  return true;
}

/**
 * The gateway's item routes with memory, in front of Prism: an upload (`POST
 * /datasets/{datasetId}/items`, the multipart form: type, path, metadata, description, then the file)
 * is kept for the life of the mock, so that a test can upload, query (`POST /datasets/{id}/query`) and
 * download (`GET /items/{id}/stream`) the same bytes back. A form without its file, or with a field
 * after the file ("FILE MUST BE LAST FIELD OF THE FORM"), is a 400 as on the gateway. Everything else,
 * and these routes for datasets it holds nothing of, stays Prism's.
 */
export class ItemsStore {
  private readonly items = new Map<string, StoredItem>();

  /** `template`: the example the spec gives an item (so what the store answers has the spec's shape). */
  constructor(private readonly template: Record<string, unknown>) {}

  get size(): number {
    return this.items.size;
  }

  /** Answers the requests it owns and returns true; false passes the request on. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? "/", "http://mock");
    const path = url.pathname.replace(/^\/api\/v1/, "");
    let m = /^\/datasets\/([^/]+)\/items$/.exec(path);
    if (m && req.method === "POST" && /^multipart\/form-data/i.test(req.headers["content-type"] ?? "")) {
      this.upload(req, res, decodeURIComponent(m[1] ?? ""), url.searchParams.get("mode") ?? "skip");
      return true;
    }
    m = /^(?:\/datasets\/[^/]+)?\/items\/([^/]+)\/stream$/.exec(path);
    const stored = m && req.method === "GET" ? this.items.get(decodeURIComponent(m[1] ?? "")) : undefined;
    if (stored) {
      req.resume();
      // `Range: bytes=N-`, as a download that goes on from where it stopped asks.
      const from = Number(/^bytes=(\d+)-$/.exec(String(req.headers.range ?? ""))?.[1] ?? 0);
      const part = stored.bytes.subarray(Math.min(from, stored.bytes.length));
      res
        .writeHead(from ? 206 : 200, {
          "content-type": "application/octet-stream",
          "content-length": String(part.length),
          ...(from
            ? { "content-range": `bytes ${from}-${stored.bytes.length - 1}/${stored.bytes.length}` }
            : {}),
        })
        .end(part);
      return true;
    }
    m = /^\/datasets\/([^/]+)\/query$/.exec(path);
    if (m && req.method === "POST" && this.inDataset(decodeURIComponent(m[1] ?? "")).length) {
      this.query(req, res, decodeURIComponent(m[1] ?? ""));
      return true;
    }
    return false;
  }

  private inDataset(datasetId: string): StoredItem[] {
    return [...this.items.values()].filter((s) => s.item.datasetId === datasetId);
  }

  private upload(req: IncomingMessage, res: ServerResponse, datasetId: string, mode: string): void {
    const fields: Record<string, string> = {};
    let file: { bytes: Buffer; name: string; mimetype: string } | undefined;
    let fileSeen = false;
    let fieldAfterFile = false;
    const form = busboy({ headers: req.headers });
    form.on("field", (name, value) => {
      if (fileSeen) fieldAfterFile = true;
      fields[name] = value;
    });
    form.on("file", (_name, stream, info) => {
      fileSeen = true;
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        file = { bytes: Buffer.concat(chunks), name: info.filename ?? "file", mimetype: info.mimeType };
      });
    });
    form.on("error", () => send(res, 400, { status: 400, message: "malformed multipart form" }));
    form.on("close", () => {
      try {
        this.finish(res, datasetId, mode, fields, file, fieldAfterFile);
      } catch (error) {
        // A bug of the mock must not take the test process down: a 500, as a gateway would answer.
        if (!res.headersSent)
          send(res, 500, { status: 500, message: `mock items store: ${(error as Error).message}` });
      }
    });
    req.pipe(form);
  }

  private finish(
    res: ServerResponse,
    datasetId: string,
    mode: string,
    fields: Record<string, string>,
    file: { bytes: Buffer; name: string; mimetype: string } | undefined,
    fieldAfterFile: boolean,
  ): boolean {
    {
      if (fieldAfterFile)
        return send(res, 400, { status: 400, message: "FILE MUST BE LAST FIELD OF THE FORM" });
      // The declared form (the overlay's): `type` and `path` required, as Prism would check them.
      const missing = ["type", "path"].filter((f) => !fields[f]);
      if (missing.length)
        return send(res, 422, {
          status: 422,
          message: "Invalid request",
          errors: missing.map((f) => `body must have required property '${f}'`),
        });
      if (fields.type !== "file" || !file)
        return send(res, 400, { status: 400, message: "a file upload needs type=file and a file part" });
      const remote = fields.path as string;
      const existing = [...this.items.values()].find(
        (s) => s.item.datasetId === datasetId && s.item.filename === remote,
      );
      if (existing && mode === "skip") return send(res, 200, existing.item, { "x-item-op": "skip" });
      let metadata: Record<string, unknown> = {};
      try {
        metadata = fields.metadata ? (JSON.parse(fields.metadata) as Record<string, unknown>) : {};
      } catch {
        return send(res, 400, { status: 400, message: "metadata must be a JSON object" });
      }
      const id = existing?.item.id ?? randomBytes(12).toString("hex");
      const now = new Date().toISOString();
      const slash = remote.lastIndexOf("/");
      const item = {
        ...this.template,
        id,
        datasetId,
        dataset: datasetId,
        type: "file",
        filename: remote,
        name: remote.slice(slash + 1),
        dir: remote.slice(0, slash) || "/",
        createdAt: now,
        updatedAt: now,
        metadata: {
          ...metadata,
          system: {
            ...((this.template.metadata as { system?: Record<string, unknown> } | undefined)?.system ?? {}),
            size: file.bytes.length,
            mimetype: file.mimetype,
            originalname: file.name,
            originalPath: remote,
          },
        },
        ...(fields.description ? { description: fields.description } : {}),
      };
      this.items.set(id, { item, bytes: file.bytes });
      return send(res, 200, item, { "x-item-op": existing ? "overwrite" : "created" });
    }
  }

  /** DQL over what the store holds: `id > X` conditions (keyset paging), `pageSize`, page 0. */
  private query(req: IncomingMessage, res: ServerResponse, datasetId: string): void {
    let text = "";
    req.on("data", (c: Buffer) => (text += c));
    req.on("end", () => {
      let body: { filter?: { $and?: Array<Record<string, unknown>> }; pageSize?: number } = {};
      try {
        body = JSON.parse(text);
      } catch {}
      const idConditions = (body.filter?.$and ?? []).map(
        (c) => c.id as { $gt?: string; $in?: string[] } | undefined,
      );
      const after = idConditions.map((c) => c?.$gt).find((x): x is string => typeof x === "string");
      const only = idConditions.map((c) => c?.$in).find((x): x is string[] => Array.isArray(x));
      const all = this.inDataset(datasetId)
        .map((s) => s.item)
        .sort((a, b) => a.id.localeCompare(b.id));
      const rest = all.filter((i) => (!after || i.id > after) && (!only || only.includes(i.id)));
      const items = rest.slice(0, body.pageSize ?? 1000);
      send(res, 200, {
        items,
        totalItemsCount: all.length,
        totalPagesCount: 1,
        hasNextPage: rest.length > items.length,
      });
    });
  }
}
