import type { Middleware } from "openapi-fetch";
import { TokenRejectedError } from "./errors.js";
import type { HeldToken } from "./token.js";

/** What the middleware needs of a session: private to the package, so `Auth` stays what users call. */
export interface TokenSource {
  /** The held token when no renewal is due; no I/O. */
  peek(): HeldToken | undefined;
  /** A valid token, renewed first when due. */
  token(): Promise<string>;
  /** The API refused `token`: renew (once, shared) unless that already happened; the token to use now. */
  rejected(token: string): Promise<HeldToken>;
}

/**
 * A copy of each request's body, kept for the replay after a 401: held weakly by the request, so it
 * goes when the request goes, whichever way the call ended. (The Dataloop client does not use this
 * middleware: its loop makes each attempt's body from its source; this is for bare openapi-fetch.)
 */
const kept = new WeakMap<Request, Request>();
const keepForReplay = (request: Request) => {
  if (request.body !== null && !kept.has(request)) kept.set(request, request.clone());
};
/** The request to send again: a copy of its kept body, or the request itself when it has none. */
const replayOf = (request: Request) => (request.body === null ? request : kept.get(request));

/**
 * Puts `Authorization: Bearer …` on every request and, on a 401, renews once and replays the request.
 * A request with a body keeps a copy of it for that replay (a branch of its stream: a large upload is
 * held in memory until the answer, so send those through the Dataloop client, which re-makes bodies).
 * Register it last (`client.use(..., auth.middleware)`) so it sees the final request and the raw 401.
 */
export function authMiddleware(source: TokenSource): Middleware {
  const replayAfter401 = async (request: Request, response: Response, doFetch: typeof fetch) => {
    const used = request.headers.get("Authorization")?.replace(/^Bearer\s+/i, "") ?? "";
    const renewed = await source.rejected(used);
    await response.body?.cancel();
    const again = replayOf(request);
    if (!again) return undefined; // a body that was not kept cannot be sent twice: the 401 stands
    const replay = new Request(again);
    replay.headers.set("Authorization", renewed.header);
    const second = await doFetch(replay);
    if (second.status === 401) {
      await second.body?.cancel();
      throw new TokenRejectedError({
        message: `The gateway answered 401 to ${request.method} ${new URL(request.url).pathname} even with a freshly issued token.`,
        hint: "The account may lack access to this resource or environment; check the gate URL and the account's roles.",
        status: 401,
      });
    }
    return second;
  };
  const withToken = async (request: Request) => {
    request.headers.set("Authorization", `Bearer ${await source.token()}`);
    keepForReplay(request);
    return undefined;
  };
  // The hooks stay synchronous on the common path (token fresh, response not 401): no promise per hook.
  return {
    onRequest({ request }) {
      const fresh = source.peek();
      if (!fresh) return withToken(request);
      request.headers.set("Authorization", fresh.header);
      keepForReplay(request);
      return undefined;
    },
    onResponse({ request, response, options }) {
      if (response.status !== 401) return undefined;
      return replayAfter401(request, response, options.fetch);
    },
  };
}
