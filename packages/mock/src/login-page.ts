import type { IncomingMessage, ServerResponse } from "node:http";
import { escapeHtml, htmlPage as html } from "@dataloop-ts/core";
import type { TokenRoute } from "./token-route.js";

/** Only a loopback callback may receive tokens: anything else would be an open redirect of secrets. */
function loopbackCallback(value: string | null): URL | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
    return url.protocol === "http:" && loopback && url.port !== "" ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The website login (`GET /login?callback=http://localhost:PORT`): signs the default user in (or
 * `&user=EMAIL`, one of the configured users) and redirects to the callback with `id_token`,
 * `access_token` and `refresh_token` in the query, as the gateway does for SDK logins. When the token
 * route is in a failure mode, the redirect carries `error` instead.
 */
export function loginPage(route: TokenRoute): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    // Every request passes here first: only /login's are parsed (a URL parse per API call was a
    // visible share of the twin's allocations).
    if (req.method !== "GET" || !(req.url ?? "").startsWith("/login")) return false;
    const url = new URL(req.url ?? "/", "http://mock");
    if (url.pathname !== "/login" || req.method !== "GET") return false;
    const headers = { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" };
    const callback = loopbackCallback(url.searchParams.get("callback"));
    if (!callback) {
      res
        .writeHead(400, headers)
        .end(
          html(
            "Dataloop login",
            "<p>Open this page as <code>/login?callback=http://localhost:PORT</code>: the callback must be a loopback URL with a port.</p>",
          ),
        );
      return true;
    }
    const wanted = url.searchParams.get("user");
    const user = wanted ? route.users.find((u) => u.username === wanted) : route.users[0];
    void (async () => {
      if (!user) {
        callback.searchParams.set("error", "access_denied");
        callback.searchParams.set("error_description", "no such user on the mock gateway");
      } else if (route.mode !== "normal") {
        callback.searchParams.set("error", "server_error");
        callback.searchParams.set("error_description", "the token service is down");
      } else {
        route.calls.browser++;
        for (const [key, value] of Object.entries(await route.issueTokens(user)))
          callback.searchParams.set(key, value);
      }
      const target = callback.toString();
      res
        .writeHead(302, { ...headers, location: target, "referrer-policy": "no-referrer" })
        .end(
          html(
            "Signed in",
            `<p>Signed in as ${escapeHtml(user?.username ?? "nobody")}. <a href="${escapeHtml(target)}">Continue</a>.</p>`,
          ),
        );
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500, headers).end(html("Login failed", ""));
    });
    return true;
  };
}
