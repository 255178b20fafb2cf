import { notFound } from "../errors.js";
import type { RouteTable } from "../router.js";
import type { TwinStore } from "../store.js";
import { userFor } from "./users.js";

/** Orgs, their projects and bots (bots are users of `type: "bot"`, made in an org). */
export function orgRoutes(store: TwinStore): RouteTable {
  const t = () => store.templates.org;
  return {
    "GET /orgs": () => ({ status: 200, body: [...store.orgs.values()] }),
    "POST /orgs": async (ctx) => {
      const body = (await ctx.body()) as { name: string } & Record<string, unknown>;
      const creator = ctx.caller ?? "";
      const org = store.make(t(), {
        ...body,
        creator,
        owner: creator,
        members: [],
        groups: [],
        integrations: [],
      });
      store.orgs.set(org.id, org);
      return { status: 200, body: org };
    },
    "GET /orgs/{orgId}": (ctx) => ({
      status: 200,
      body: store.get(store.orgs, "Org", ctx.params.orgId ?? ""),
    }),
    "PATCH /orgs/{orgId}": async (ctx) => {
      const org = store.get(store.orgs, "Org", ctx.params.orgId ?? "");
      return { status: 200, body: store.touch(org, (await ctx.body()) as Record<string, unknown>, t()) };
    },
    "GET /orgs/{orgId}/projects": (ctx) => {
      const org = store.get(store.orgs, "Org", ctx.params.orgId ?? "");
      return { status: 200, body: [...store.projects.values()].filter((p) => p.org === org.id) };
    },
    "POST /orgs/{orgId}/bots": async (ctx) => {
      const org = store.get(store.orgs, "Org", ctx.params.orgId ?? "");
      const { name = "bot" } = (await ctx.body()) as { name?: string };
      const id = store.newId();
      const email = `bot-${id}@bot.dataloop.ai`;
      const bot = userFor(store, email, {
        type: "bot",
        firstName: name,
        orgs: [org.id],
        creator: ctx.caller ?? "",
      });
      return { status: 200, body: bot };
    },
    "DELETE /orgs/{orgId}/bots/{botId}": (ctx) => {
      store.get(store.orgs, "Org", ctx.params.orgId ?? "");
      const bot = [...store.users.values()].find((u) => u.id === ctx.params.botId && u.type === "bot");
      if (!bot) throw notFound("Bot", ctx.params.botId ?? "");
      store.users.delete(String(bot.email));
      return { status: 204 };
    },
  };
}
