import type { IncomingMessage, ServerResponse } from "node:http";
import busboy from "busboy";
import { notFound, TwinHttpError } from "../errors.js";
import { datasetLinks, itemLinks } from "../links.js";
import { pixelSizeOf } from "../pixel-size.js";
import type { RouteTable, TwinContext } from "../router.js";
import type { HeldItem, TwinStore } from "../store.js";

interface Upload {
  fields: Record<string, string>;
  file: { bytes: Buffer; name: string; mimetype: string } | undefined;
  fieldAfterFile: boolean;
}

/** The gateway's multipart upload form, read whole (type, path, metadata, description, then the file). */
function readForm(req: IncomingMessage): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const out: Upload = { fields: {}, file: undefined, fieldAfterFile: false };
    let fileSeen = false;
    let form: busboy.Busboy;
    try {
      form = busboy({ headers: req.headers });
    } catch {
      reject(new TwinHttpError({ status: 400, message: "malformed multipart form" }));
      return;
    }
    form.on("field", (name, value) => {
      if (fileSeen) out.fieldAfterFile = true;
      out.fields[name] = value;
    });
    form.on("file", (_name, stream, info) => {
      fileSeen = true;
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        out.file = { bytes: Buffer.concat(chunks), name: info.filename ?? "file", mimetype: info.mimeType };
      });
    });
    form.on("error", () => reject(new TwinHttpError({ status: 400, message: "malformed multipart form" })));
    form.on("close", () => resolve(out));
    req.pipe(form);
  });
}

/**
 * `Range: bytes=…` of a `size`-byte file: [start, end] inclusive, `null` when unsatisfiable,
 * `undefined` without a (single, byte) range.
 */
export function byteRange(header: string | undefined, size: number): [number, number] | null | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header ?? "");
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    return suffix === 0 || size === 0 ? null : [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start >= size || end < start ? null : [start, end];
}

/** An item's bytes; a Range is a 206 with its Content-Range, one past the end a 416, as HTTP says. */
function stream(req: IncomingMessage, res: ServerResponse, held: HeldItem): void {
  req.resume();
  const size = held.bytes.length;
  const range = byteRange(req.headers.range, size);
  // Bytes as bytes, whatever the file: the gateway's stream route answers octet-stream.
  const type = "application/octet-stream";
  if (range === null) {
    res.writeHead(416, { "content-range": `bytes */${size}`, "content-type": "application/json" });
    res.end(
      JSON.stringify({
        status: 416,
        message: `Range not satisfiable: ${req.headers.range} of ${size} bytes`,
      }),
    );
    return;
  }
  if (!range) {
    res
      .writeHead(200, { "content-type": type, "content-length": String(size), "accept-ranges": "bytes" })
      .end(held.bytes);
    return;
  }
  const [start, end] = range;
  res
    .writeHead(206, {
      "content-type": type,
      "content-length": String(end - start + 1),
      "content-range": `bytes ${start}-${end}/${size}`,
      "accept-ranges": "bytes",
    })
    .end(held.bytes.subarray(start, end + 1));
}

export interface ItemRoutesOptions {
  /** An upload to a dataset the twin does not hold makes it (the permissive mock's way) instead of a 404. */
  datasetsOnUpload?: boolean;
}

/**
 * Items and folders: the upload form (`mode=skip|overwrite`, `x-item-op: created|overwrite|skip`),
 * get/patch/delete by id (also under their dataset), and the bytes with Range support.
 */
export function itemRoutes(store: TwinStore, options: ItemRoutesOptions = {}): RouteTable {
  const t = () => store.templates.item;
  const inDataset = (ctx: TwinContext) => {
    const held = store.item(ctx.params.id ?? "");
    if (ctx.params.datasetId !== undefined && held.item.datasetId !== ctx.params.datasetId)
      throw notFound("Item", `${ctx.params.id} in dataset ${ctx.params.datasetId}`);
    return held;
  };
  const patch = async (ctx: TwinContext) => {
    const held = inDataset(ctx);
    const fields = (await ctx.body()) as Record<string, unknown>;
    delete fields.datasetId;
    delete fields.dataset;
    return { status: 200, body: store.touch(held.item, fields, t()) };
  };
  const remove = (ctx: TwinContext) => {
    inDataset(ctx);
    store.removeItem(ctx.params.id ?? "");
    return { status: 204 };
  };
  return {
    "POST /datasets/{datasetId}/items": async (ctx) => {
      const datasetId = ctx.params.datasetId ?? "";
      if (!/^multipart\/form-data/i.test(ctx.req.headers["content-type"] ?? ""))
        throw new TwinHttpError({
          status: 400,
          message: "Invalid request",
          errors: ["an upload is a multipart/form-data form"],
        });
      if (!store.datasets.has(datasetId)) {
        if (!options.datasetsOnUpload) {
          ctx.req.resume();
          store.get(store.datasets, "Dataset", datasetId);
        }
        const dataset = datasetLinks(
          store.apiUrl,
          store.make(
            store.templates.dataset,
            { name: `dataset-${datasetId.slice(-6)}`, projects: [], creator: ctx.caller ?? "" },
            datasetId,
          ),
        );
        store.datasets.set(datasetId, dataset);
      }
      const { fields, file, fieldAfterFile } = await readForm(ctx.req);
      if (fieldAfterFile)
        throw new TwinHttpError({ status: 400, message: "FILE MUST BE LAST FIELD OF THE FORM" });
      const missing = ["type", "path"].filter((f) => !fields[f]);
      if (missing.length)
        throw new TwinHttpError({
          status: 422,
          message: "Invalid request",
          errors: missing.map((f) => `body must have required property '${f}'`),
        });
      if (fields.type !== "file" || !file)
        throw new TwinHttpError({ status: 400, message: "a file upload needs type=file and a file part" });
      const remote = (fields.path as string).startsWith("/") ? (fields.path as string) : `/${fields.path}`;
      const mode = ctx.query.get("mode") ?? "skip";
      const existing = (store.itemsByDataset.get(datasetId) ?? []).find((i) => i.filename === remote);
      if (existing && mode === "skip")
        return { status: 200, body: existing, headers: { "x-item-op": "skip" } };
      let metadata: Record<string, unknown> = {};
      try {
        metadata = fields.metadata ? (JSON.parse(fields.metadata) as Record<string, unknown>) : {};
      } catch {
        throw new TwinHttpError({
          status: 400,
          message: "Invalid request",
          errors: ["metadata must be a JSON object"],
        });
      }
      const slash = remote.lastIndexOf("/");
      const fieldsOfItem = {
        datasetId,
        dataset: datasetId,
        type: "file",
        filename: remote,
        name: remote.slice(slash + 1),
        dir: remote.slice(0, slash) || "/",
        creator: ctx.caller ?? "",
        annotated: false,
        annotationsCount: 0,
        metadata: {
          ...metadata,
          system: {
            ...((t().metadata as { system?: Record<string, unknown> } | undefined)?.system ?? {}),
            size: file.bytes.length,
            mimetype: file.mimetype,
            originalname: file.name,
            originalPath: remote,
            encoding: "7bit",
            ...pixelSizeOf(file.bytes),
          },
        },
        ...(fields.description ? { description: fields.description } : {}),
      };
      const item = itemLinks(
        store.apiUrl,
        existing
          ? store.touch(existing, fieldsOfItem, t())
          : store.make(t(), { ...fieldsOfItem, updatedBy: ctx.caller ?? "" }),
      ) as HeldItem["item"];
      store.addItem({ item, bytes: file.bytes });
      return { status: 200, body: item, headers: { "x-item-op": existing ? "overwrite" : "created" } };
    },
    "GET /items/{id}": (ctx) => ({ status: 200, body: store.item(ctx.params.id ?? "").item }),
    "PATCH /items/{id}": patch,
    "DELETE /items/{id}": remove,
    "GET /datasets/{datasetId}/items/{id}": (ctx) => ({ status: 200, body: inDataset(ctx).item }),
    "PATCH /datasets/{datasetId}/items/{id}": patch,
    "DELETE /datasets/{datasetId}/items/{id}": remove,
    "GET /items/{id}/stream": (ctx) => {
      stream(ctx.req, ctx.res, store.item(ctx.params.id ?? ""));
      return undefined;
    },
    "GET /datasets/{datasetId}/items/{id}/stream": (ctx) => {
      stream(ctx.req, ctx.res, inDataset(ctx));
      return undefined;
    },
  };
}
