import type { Client, FetchResponse, MaybeOptionalInit } from "openapi-fetch";
import type { HttpMethod, MediaType, PathsWithMethod, RequiredKeysOf } from "openapi-typescript-helpers";
import type { paths } from "./generated/schema.js";
import type { CallOptions } from "./loop.js";

// As openapi-fetch's own (not exported): the init argument is required when the route has required
// parameters or a required body, optional otherwise.
// Ours beside them: a call's retries, deadlines, signal and `throwOnError` (`CallOptions`).
type InitParam<Init> =
  RequiredKeysOf<Init> extends never
    ? [(Init & CallOptions & { [key: string]: unknown })?]
    : [Init & CallOptions & { [key: string]: unknown }];

/**
 * What a call resolves to when error statuses throw: openapi-fetch's success branch, `data` always
 * there. (Not `error?: never`: a route that documents no error response has `error: never` in its
 * error branch, which would match that too.)
 * @example
 * ```ts
 * import { createDataloopClient, type Succeeded } from "@dataloop-ts/client";
 *
 * const dl = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * type Me = Succeeded<Awaited<ReturnType<typeof dl.GET<"/users/me", {}>>>>["data"];
 * const me: Me = (await dl.GET("/users/me")).data;
 * console.log(me);
 * ```
 */
export type Succeeded<Result> = Extract<Result, { data: unknown }>;

// openapi-fetch's ClientMethod, resolving to the success branch. `paths` is an interface (no index
// signature), so the operation is narrowed with `&` where openapi-fetch's constraint would reject it.
type Operation<Paths, Path extends keyof Paths, Method extends HttpMethod> = Paths[Path] extends {
  [M in Method]: infer Op;
}
  ? // biome-ignore lint/suspicious/noExplicitAny: openapi-fetch's own constraint on an operation
    Op extends Record<string | number, any>
    ? Op
    : never
  : never;
type ThrowingMethod<Paths extends {}, Method extends HttpMethod> = <
  Path extends PathsWithMethod<Paths, Method>,
  Init extends MaybeOptionalInit<Paths[Path], Method & keyof Paths[Path]>,
>(
  url: Path,
  ...init: InitParam<Init>
) => Promise<Succeeded<FetchResponse<Operation<Paths, Path, Method>, Init, MediaType>>>;
// openapi-fetch's ClientMethod as it is (`{ data } | { error }`), with our call options typed.
type ResultMethod<Paths extends {}, Method extends HttpMethod> = <
  Path extends PathsWithMethod<Paths, Method>,
  Init extends MaybeOptionalInit<Paths[Path], Method & keyof Paths[Path]>,
>(
  url: Path,
  ...init: InitParam<Init>
) => Promise<FetchResponse<Operation<Paths, Path, Method>, Init, MediaType>>;

/**
 * The client when error statuses throw (the default): a call that returns has succeeded, so `data` is
 * not optional — `const { data } = await dl.GET(…); data.name` with no `?.`.
 * @example
 * ```ts
 * import { createDataloopClient, type ThrowingClient } from "@dataloop-ts/client";
 *
 * const dl: ThrowingClient = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" } });
 * const { data } = await dl.GET("/projects/{projectId}", { params: { path: { projectId: "64f0c1a2b3c4d5e6f7a8b9c0" } } });
 * console.log(data.name); // no `?.`: an error status threw
 * ```
 */
export interface ThrowingClient extends Omit<Client<paths>, Uppercase<HttpMethod>> {
  GET: ThrowingMethod<paths, "get">;
  PUT: ThrowingMethod<paths, "put">;
  POST: ThrowingMethod<paths, "post">;
  DELETE: ThrowingMethod<paths, "delete">;
  OPTIONS: ThrowingMethod<paths, "options">;
  HEAD: ThrowingMethod<paths, "head">;
  PATCH: ThrowingMethod<paths, "patch">;
  TRACE: ThrowingMethod<paths, "trace">;
}

/**
 * The client when error statuses do not throw (`throwOnError: false`): openapi-fetch's `{ data } | { error }`.
 * @example
 * ```ts
 * import { createDataloopClient, type ResultClient } from "@dataloop-ts/client";
 *
 * const dl: ResultClient = createDataloopClient({ auth: { apiKey: process.env.DATALOOP_API_KEY ?? "" }, throwOnError: false });
 * const { data, error } = await dl.GET("/projects/{projectId}", { params: { path: { projectId: "64f0c1a2b3c4d5e6f7a8b9c0" } } });
 * if (error) console.log("the gateway said", error);
 * else console.log(data?.name);
 * ```
 */
export interface ResultClient extends Omit<Client<paths>, Uppercase<HttpMethod>> {
  GET: ResultMethod<paths, "get">;
  PUT: ResultMethod<paths, "put">;
  POST: ResultMethod<paths, "post">;
  DELETE: ResultMethod<paths, "delete">;
  OPTIONS: ResultMethod<paths, "options">;
  HEAD: ResultMethod<paths, "head">;
  PATCH: ResultMethod<paths, "patch">;
  TRACE: ResultMethod<paths, "trace">;
}
