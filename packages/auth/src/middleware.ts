import type { Middleware } from "openapi-fetch";
import { TokenRejectedError } from "./errors.js";
import type { Auth } from "./session.js";

/**
 * Puts `Authorization: Bearer …` on every request and, on a 401, renews once and replays the request.
 * A request with a body is cloned before it is sent: a consumed body cannot be sent twice.
 * Register it last (`client.use(..., auth.middleware)`) so it sees the final request and the raw 401.
 */
export function authMiddleware(auth: Pick<Auth, "peek" | "token" | "rejected">): Middleware {
  const retained = new Map<string, Request>();
  const replayAfter401 = async (
    request: Request,
    response: Response,
    doFetch: typeof fetch,
    copy?: Request,
  ) => {
    const used = request.headers.get("Authorization")?.replace(/^Bearer\s+/i, "") ?? "";
    const renewed = await auth.rejected(used);
    await response.body?.cancel();
    const replay = new Request(copy ?? request);
    replay.headers.set("Authorization", renewed.header);
    const second = await doFetch(replay);
    if (second.status === 401) {
      await second.body?.cancel();
      throw new TokenRejectedError(
        "TOKEN_REJECTED",
        `The gateway answered 401 to ${request.method} ${new URL(request.url).pathname} even with a freshly issued token.`,
        "The account may lack access to this resource or environment; check the gate URL and the account's roles.",
        { status: 401 },
      );
    }
    return second;
  };
  const withToken = async (request: Request, id: string) => {
    request.headers.set("Authorization", `Bearer ${await auth.token()}`);
    if (request.body !== null) retained.set(id, request.clone());
    return undefined;
  };
  // The hooks stay synchronous on the common path (token fresh, response not 401): no promise per hook.
  return {
    onRequest({ request, id }) {
      const fresh = auth.peek();
      if (!fresh) return withToken(request, id);
      request.headers.set("Authorization", fresh.header);
      if (request.body !== null) retained.set(id, request.clone());
      return undefined;
    },
    onResponse({ request, response, options, id }) {
      let copy: Request | undefined;
      if (retained.size !== 0) {
        copy = retained.get(id);
        if (copy) retained.delete(id);
      }
      if (response.status !== 401) return undefined;
      return replayAfter401(request, response, options.fetch, copy);
    },
    onError({ id }) {
      retained.delete(id);
      return undefined;
    },
  };
}
