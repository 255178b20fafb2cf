import type { TokenRoute } from "../../token-route.js";
import { notFound } from "../errors.js";
import type { RouteTable } from "../router.js";
import type { TwinStore } from "../store.js";

/** API keys: `POST /apikeys` answers the key and its JWT (signed by the token route: the API takes it). */
export function apiKeyRoutes(store: TwinStore, route: TokenRoute): RouteTable {
  const t = () => store.templates.apiKey;
  return {
    "GET /apikeys": () => ({ status: 200, body: [...store.apiKeys.values()] }),
    "POST /apikeys": async (ctx) => {
      const body = (await ctx.body()) as { userId: string; description?: string };
      const user = [...store.users.values()].find((u) => u.id === body.userId);
      if (!user) throw notFound("User", body.userId);
      const lifetimeMs = 365 * 86_400_000;
      const key = store.make(t(), {
        ...body,
        creator: ctx.caller ?? "",
        type: user?.type === "bot" ? "bot" : "user",
        expiresAt: store.clock.now() + lifetimeMs,
      });
      store.apiKeys.set(key.id, key);
      const email = String(user?.email);
      const jwt = await route.issueApiKey({ username: email, password: "" }, lifetimeMs / 1000);
      return { status: 200, body: { key, jwt } };
    },
    "GET /apikeys/{keyId}": (ctx) => ({
      status: 200,
      body: store.get(store.apiKeys, "API key", ctx.params.keyId ?? ""),
    }),
    "DELETE /apikeys/{keyId}": (ctx) => {
      store.get(store.apiKeys, "API key", ctx.params.keyId ?? "");
      store.apiKeys.delete(ctx.params.keyId ?? "");
      return { status: 204 };
    },
  };
}
