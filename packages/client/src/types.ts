import type {
  BodySerializer,
  Client,
  HeadersOptions,
  Middleware,
  ParseAs,
  ParseAsResponse,
  PathSerializer,
  QuerySerializer,
  QuerySerializerOptions,
} from "openapi-fetch";
import type {
  ErrorResponse,
  HttpMethod,
  MediaType,
  RequiredKeysOf,
  ResponseObjectMap,
  SuccessResponse,
} from "openapi-typescript-helpers";
import type * as routes from "./generated/routes.js";
import type { paths } from "./generated/schema.js";
import type { CallOptions } from "./loop.js";

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

// The rest of openapi-fetch's `FetchOptions` for an operation (all but `params` and `body`, which the
// route maps write out), and ours: a call's retries, deadlines, signal and `throwOnError` (`CallOptions`).
// `signal` is CallOptions' (no `null`), as it was when this was intersected with FetchOptions.
interface Options<Op> extends CallOptions, Omit<RequestInit, "body" | "headers" | "signal"> {
  baseUrl?: string;
  querySerializer?: QuerySerializer<Op> | QuerySerializerOptions;
  bodySerializer?: BodySerializer<Op>;
  pathSerializer?: PathSerializer;
  parseAs?: ParseAs;
  fetch?: (input: Request) => Promise<Response>;
  headers?: HeadersOptions;
  middleware?: Middleware[];
}

// openapi-fetch's `[key: string]: unknown`: keys that neither the route nor the options name pass.
type OtherKeys = { [key: string]: unknown };

// `Expected` once it is known, `unknown` to the checker while it is generic: the conditional is deferred
// then, and the constraint of a deferred `[X] extends [infer E] ? E : never` is that of `E`. (Not
// `X extends infer E ? …`: that distributes over the constraint of `X`, the union the init avoids below.)
type Opaque<Expected> = [Expected] extends [infer E] ? E : never;

// Whether the call's init is one the route takes. A type of its own so that `InitArg`'s check type is not
// `Init`: in the true branch of `[Init] extends [Expected] ? Init : …` the checker reads `Init` as
// `Init & Expected`, and resolves the union through it after all.
type Fits<Init, Expected> = [Init] extends [Expected] ? true : false;

// The init argument: the call's own init when the route takes it, else the route's init (so the error
// names what the route expects: `'projectID' does not exist … Did you mean to write 'projectId'?`).
//
// Why not `Init extends Inits[Path] & Options`, as openapi-fetch constrains it: while a call's arguments
// are inferred `Path` is still generic, and the checker typed the init object against the constraint of
// `Inits[Path]` — the union of every route's init (158 for GET), each intersected with the options —
// property by property, on every consumer's type-check however few calls it had: half the types it made
// (5.7k → 2.8k types on the editor-speed bench, tests/runtimes/bench/typecheck.bench.mjs). Here `Init` is
// constrained by the options alone, and checked against the route's init once `Path` is known.
// Completions inside the init still list the route's parameters: the editor asks with `Path` inferred.
type InitArg<Init, Expected, Opts> =
  Fits<Init, Expected> extends true ? Init : Opaque<Expected> & Opts & OtherKeys;

// As openapi-fetch's own (not exported): the init argument is required when the route has required
// parameters or a required body, optional otherwise.
type InitParam<Init, Expected, Opts> =
  RequiredKeysOf<Expected> extends never ? [InitArg<Init, Expected, Opts>?] : [InitArg<Init, Expected, Opts>];

/**
 * openapi-fetch's `FetchResponse` without its `Readable`, which strips `$Write` markers: openapi-typescript
 * writes them only with `readWriteMarkers`, which the codegen leaves off, and the deep mapping cost every
 * call's answer type an instantiation per nested property (the type-check bench counts them).
 */
// biome-ignore lint/suspicious/noExplicitAny: openapi-fetch's own constraint on an operation
type FetchResponse<Op extends Record<string | number, any>, Init, Media extends MediaType> =
  | {
      data: ParseAsResponse<SuccessResponse<ResponseObjectMap<Op>, Media>, Init>;
      error?: never;
      response: Response;
    }
  | { data?: never; error: ErrorResponse<ResponseObjectMap<Op>, Media>; response: Response };

// biome-ignore lint/suspicious/noExplicitAny: openapi-fetch's own constraint on an operation
type Operations<Routes> = { [P in keyof Routes]: Record<string | number, any> };

// openapi-fetch's `ClientMethod`, over the route maps the codegen writes out (generated/routes.ts):
// openapi-fetch computes the operation and its init with conditional types over every path of `paths`
// inside the signature, which made a consumer's type-check of a few calls 1.6–2.1× as slow as over a
// handful of routes (tests/runtimes/bench/typecheck.bench.mjs); declared maps cost a lookup.
type ThrowingMethod<Routes extends Operations<Routes>, Inits extends { [P in keyof Routes]: object }> = <
  Path extends keyof Routes,
  // The options are in the constraint: a wrong value (`parseAs: "jsn"`) then fails the constraint and
  // is reported against it, not as an intersection of two literal types reduced to `never`.
  Init extends Options<Routes[Path]> & OtherKeys,
>(
  url: Path,
  ...init: InitParam<Init, Inits[Path], Options<Routes[Path]>>
) => Promise<Succeeded<FetchResponse<Routes[Path], Init, MediaType>>>;
// openapi-fetch's ClientMethod as it is (`{ data } | { error }`), with our call options typed.
type ResultMethod<Routes extends Operations<Routes>, Inits extends { [P in keyof Routes]: object }> = <
  Path extends keyof Routes,
  Init extends Options<Routes[Path]> & OtherKeys,
>(
  url: Path,
  ...init: InitParam<Init, Inits[Path], Options<Routes[Path]>>
) => Promise<FetchResponse<Routes[Path], Init, MediaType>>;

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
  GET: ThrowingMethod<routes.GetRoutes, routes.GetInits>;
  PUT: ThrowingMethod<routes.PutRoutes, routes.PutInits>;
  POST: ThrowingMethod<routes.PostRoutes, routes.PostInits>;
  DELETE: ThrowingMethod<routes.DeleteRoutes, routes.DeleteInits>;
  OPTIONS: ThrowingMethod<routes.OptionsRoutes, routes.OptionsInits>;
  HEAD: ThrowingMethod<routes.HeadRoutes, routes.HeadInits>;
  PATCH: ThrowingMethod<routes.PatchRoutes, routes.PatchInits>;
  TRACE: ThrowingMethod<routes.TraceRoutes, routes.TraceInits>;
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
  GET: ResultMethod<routes.GetRoutes, routes.GetInits>;
  PUT: ResultMethod<routes.PutRoutes, routes.PutInits>;
  POST: ResultMethod<routes.PostRoutes, routes.PostInits>;
  DELETE: ResultMethod<routes.DeleteRoutes, routes.DeleteInits>;
  OPTIONS: ResultMethod<routes.OptionsRoutes, routes.OptionsInits>;
  HEAD: ResultMethod<routes.HeadRoutes, routes.HeadInits>;
  PATCH: ResultMethod<routes.PatchRoutes, routes.PatchInits>;
  TRACE: ResultMethod<routes.TraceRoutes, routes.TraceInits>;
}
