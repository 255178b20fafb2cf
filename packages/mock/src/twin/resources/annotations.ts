import { badRequest, notFound } from "../errors.js";
import { annotationLinks } from "../links.js";
import type { RouteTable, TwinContext } from "../router.js";
import type { Entity, TwinStore } from "../store.js";

/**
 * Annotations per item: `POST /items/{itemId}/annotations` takes one or an array and answers the same
 * shape; read, update and delete by id (also without the item in the path); they go with their item.
 */
export function annotationRoutes(store: TwinStore): RouteTable {
  const t = () => store.templates.annotation;
  const one = (ctx: TwinContext): Entity => {
    const annotation = store.get(store.annotations, "Annotation", ctx.params.annotationId ?? "");
    if (ctx.params.itemId !== undefined && annotation.itemId !== ctx.params.itemId)
      throw notFound("Annotation", `${ctx.params.annotationId} on item ${ctx.params.itemId}`);
    return annotation;
  };
  const update = async (ctx: TwinContext) => {
    const annotation = one(ctx);
    const fields = (await ctx.body()) as Record<string, unknown>;
    for (const k of ["itemId", "item", "datasetId", "dataset"]) delete fields[k];
    return { status: 200, body: annotationLinks(store.apiUrl, store.touch(annotation, fields, t())) };
  };
  const remove = (ctx: TwinContext) => {
    one(ctx);
    store.removeAnnotation(ctx.params.annotationId ?? "");
    return { status: 204 };
  };
  return {
    "POST /items/{itemId}/annotations": async (ctx) => {
      const held = store.item(ctx.params.itemId ?? "");
      const body = await ctx.body();
      const requests = (Array.isArray(body) ? body : [body]) as Array<Record<string, unknown>>;
      if (requests.some((r) => !r || typeof r !== "object" || typeof r.type !== "string"))
        throw badRequest("Invalid request", ["every annotation needs a type"]);
      const item = held.item;
      const made = requests.map((r) => {
        const { id: _id, ...fields } = r;
        const annotation = annotationLinks(
          store.apiUrl,
          store.make(t(), {
            label: "",
            attributes: [],
            metadata: { system: {} },
            ...fields,
            itemId: item.id,
            item: item.id,
            datasetId: item.datasetId,
            dataset: item.datasetId,
            creator: ctx.caller ?? "",
            updatedBy: ctx.caller ?? "",
          }),
        ) as Entity & { itemId: string };
        store.addAnnotation(annotation);
        return annotation;
      });
      const count = store.annotationsByItem.get(item.id)?.length ?? 0;
      store.touch(item, { annotationsCount: count, annotated: count > 0 }, store.templates.item);
      return { status: 200, body: Array.isArray(body) ? made : made[0] };
    },
    "GET /items/{itemId}/annotations": (ctx) => {
      const held = store.item(ctx.params.itemId ?? "");
      return { status: 200, body: store.annotationsByItem.get(held.item.id) ?? [] };
    },
    "GET /items/{itemId}/annotations/{annotationId}": (ctx) => ({ status: 200, body: one(ctx) }),
    "PUT /items/{itemId}/annotations/{annotationId}": update,
    "DELETE /items/{itemId}/annotations/{annotationId}": remove,
    "GET /annotations/{annotationId}": (ctx) => ({ status: 200, body: one(ctx) }),
    "PUT /annotations/{annotationId}": update,
    "DELETE /annotations/{annotationId}": remove,
  };
}
