import type { RouteTable } from "../router.js";
import type { TwinStore } from "../store.js";

/** Projects: created, read, renamed, deleted (with their datasets), found by name. */
export function projectRoutes(store: TwinStore): RouteTable {
  const t = () => store.templates.project;
  return {
    "GET /projects": () => ({ status: 200, body: [...store.projects.values()] }),
    "POST /projects": async (ctx) => {
      const body = (await ctx.body()) as { name: string; account?: string };
      const org = [...store.orgs.values()][0];
      const project = store.make(t(), {
        ...body,
        creator: ctx.caller ?? "",
        contributors: [],
        groups: [],
        guests: [],
        ...(org ? { org: org.id } : {}),
      });
      store.projects.set(project.id, project);
      return { status: 200, body: project };
    },
    "GET /projects/{projectId}": (ctx) => ({
      status: 200,
      body: store.get(store.projects, "Project", ctx.params.projectId ?? ""),
    }),
    "PATCH /projects/{projectId}": async (ctx) => {
      const project = store.get(store.projects, "Project", ctx.params.projectId ?? "");
      return { status: 200, body: store.touch(project, (await ctx.body()) as Record<string, unknown>, t()) };
    },
    "DELETE /projects/{projectId}": (ctx) => {
      store.removeProject(ctx.params.projectId ?? "");
      return { status: 204 };
    },
    "GET /projects/{projectName}/name": (ctx) => ({
      status: 200,
      body: [...store.projects.values()].filter((p) => p.name === ctx.params.projectName),
    }),
  };
}
