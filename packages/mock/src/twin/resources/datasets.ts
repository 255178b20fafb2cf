import { runDql } from "../dql.js";
import { pageJson } from "../entity-json.js";
import { badRequest } from "../errors.js";
import { datasetLinks } from "../links.js";
import { pageOf, pageParams } from "../paging.js";
import type { RouteTable } from "../router.js";
import type { TwinStore } from "../store.js";

/** Datasets, their DQL query (items or annotations) and their paged item list. */
export function datasetRoutes(store: TwinStore): RouteTable {
  const t = () => store.templates.dataset;
  /** What a dataset answers with: the counts are the held data's. */
  const view = (id: string) => {
    const dataset = store.get(store.datasets, "Dataset", id);
    const items = store.itemsByDataset.get(id) ?? [];
    dataset.itemsCount = items.length;
    dataset.annotationsCount = items.reduce(
      (n, i) => n + (store.annotationsByItem.get(i.id)?.length ?? 0),
      0,
    );
    return dataset;
  };
  return {
    "GET /datasets": (ctx) => {
      const projects = ctx.query.getAll("projects").flatMap((p) => p.split(","));
      const name = ctx.query.get("name");
      const body = [...store.datasets.values()]
        .filter((d) => !projects.length || (d.projects as string[]).some((p) => projects.includes(p)))
        .filter((d) => name === null || d.name === name)
        .map((d) => view(d.id));
      return { status: 200, body };
    },
    "POST /datasets": async (ctx) => {
      const body = (await ctx.body()) as { name: string; projects?: string[] } & Record<string, unknown>;
      for (const p of body.projects ?? []) store.get(store.projects, "Project", p);
      const dataset = datasetLinks(
        store.apiUrl,
        store.make(t(), {
          ...body,
          projects: body.projects ?? [],
          creator: ctx.caller ?? "",
          itemsCount: 0,
          annotationsCount: 0,
          annotated: 0,
          readonly: false,
        }),
      );
      store.datasets.set(dataset.id, dataset);
      return { status: 200, body: dataset };
    },
    "GET /datasets/{id}": (ctx) => ({ status: 200, body: view(ctx.params.id ?? "") }),
    "PATCH /datasets/{id}": async (ctx) => {
      const dataset = view(ctx.params.id ?? "");
      return { status: 200, body: store.touch(dataset, (await ctx.body()) as Record<string, unknown>, t()) };
    },
    "DELETE /datasets/{id}": (ctx) => {
      store.removeDataset(ctx.params.id ?? "");
      return { status: 200, body: null };
    },
    "POST /datasets/{id}/query": async (ctx) => {
      const id = ctx.params.id ?? "";
      store.get(store.datasets, "Dataset", id);
      const query = (await ctx.body()) as Record<string, unknown>;
      const resource = query.resource ?? "items";
      if (resource === "items") {
        const items = store.itemsByDataset.get(id) ?? [];
        const page = runDql(items, query, store.indexOf(items));
        return { status: 200, json: pageJson(page, (item) => store.jsonOf(item)) };
      }
      if (resource === "annotations") {
        const all = store.annotationsOfDataset(id).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        return { status: 200, body: runDql(all, query) };
      }
      throw badRequest("Invalid DQL", [
        `the mock queries resource "items" or "annotations", not ${JSON.stringify(resource)}`,
      ]);
    },
    "GET /datasets/{datasetId}/items": (ctx) => {
      const id = ctx.params.datasetId ?? "";
      store.get(store.datasets, "Dataset", id);
      const { page, pageSize } = pageParams(
        ctx.query.get("pageOffset") ?? undefined,
        ctx.query.get("pageSize") ?? undefined,
      );
      let filter: unknown;
      const text = ctx.query.get("query");
      if (text) {
        try {
          filter = (JSON.parse(text) as { filter?: unknown }).filter;
        } catch {
          throw badRequest("Invalid request", ["query must be URL-encoded JSON"]);
        }
      }
      const all = store.itemsByDataset.get(id) ?? [];
      if (filter !== undefined)
        return {
          status: 200,
          json: pageJson(runDql(all, { filter, page, pageSize }, store.indexOf(all)), (item) =>
            store.jsonOf(item),
          ),
        };
      return { status: 200, json: pageJson(pageOf(all, page, pageSize), (item) => store.jsonOf(item)) };
    },
  };
}
