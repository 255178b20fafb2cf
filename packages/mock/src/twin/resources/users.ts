import { createHash } from "node:crypto";
import type { RouteTable } from "../router.js";
import type { Entity, TwinStore } from "../store.js";

/**
 * The user an e-mail signs in as, made on first sight: its id is the e-mail's hash (24 hex), so the
 * same user has the same id in every run, whatever the seed.
 */
export function userFor(store: TwinStore, email: string, fields: Record<string, unknown> = {}): Entity {
  const found = store.users.get(email);
  if (found) return found;
  const id = createHash("sha256").update(email).digest("hex").slice(0, 24);
  const local = email.split("@")[0] ?? email;
  const user = store.make(
    store.templates.user,
    {
      username: email,
      email,
      firstName: local,
      lastName: "",
      type: "human",
      projects: [],
      orgs: [],
      groups: [],
      ...fields,
    },
    id,
  );
  store.users.set(email, user);
  return user;
}

/** `GET /users/me`: the identity of the Bearer token, not a made-up user. */
export function userRoutes(store: TwinStore): RouteTable {
  return {
    "GET /users/me": (ctx) => {
      const me = userFor(store, ctx.caller ?? "anonymous@example.com");
      // The projects and orgs the user sees: the twin's own, all of them (the twin has no roles).
      me.projects = [...store.projects.keys()];
      me.orgs = [...store.orgs.keys()];
      return { status: 200, body: me };
    },
  };
}
