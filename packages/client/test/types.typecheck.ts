// Type tests of the public API: checked by `tsc` in the typecheck task of `scripts/pnpm test` (this file
// never runs). Each `@ts-expect-error` fails the check when the line it guards stops being an error.
import type { ParamsOption } from "openapi-fetch";
import type {
  HttpMethod,
  IsOperationRequestBodyOptional,
  OperationRequestBodyContent,
  PathsWithMethod,
} from "openapi-typescript-helpers";
import { expectTypeOf } from "vitest";
import type * as routes from "../src/generated/routes.js";
import type { paths } from "../src/generated/schema.js";
import {
  createDataloopClient,
  type DataloopClient,
  DataloopError,
  type DqlResources,
  queryDataset,
} from "../src/index.js";

declare const dl: DataloopClient;
declare const loose: DataloopClient<false>;

export async function defaultClientThrows() {
  const { data } = await dl.GET("/projects/{projectId}", { params: { path: { projectId: "p" } } });
  // Error statuses throw, so a call that returns has data: no `?.` needed, and undefined is not a value.
  const present: NonNullable<typeof data> = data;
  expectTypeOf(present.name).toEqualTypeOf<string>();
  expectTypeOf(data.id).toEqualTypeOf<string>();
}

export async function throwOnErrorFalseKeepsTheUnion() {
  const result = await loose.GET("/projects/{projectId}", { params: { path: { projectId: "p" } } });
  // @ts-expect-error data may be missing when error statuses do not throw
  result.data.name;
  expectTypeOf(result.data?.name).toEqualTypeOf<string | undefined>();
}

export function overloadsFollowTheOption() {
  expectTypeOf(createDataloopClient({ auth: { apiKey: "k" } })).toEqualTypeOf<DataloopClient>();
  expectTypeOf(createDataloopClient({ auth: { apiKey: "k" }, throwOnError: false })).toEqualTypeOf<
    DataloopClient<false>
  >();
}

export async function wrongCallsDoNotCompile() {
  // @ts-expect-error a path the gateway does not have
  await dl.GET("/no/such/route");
  // @ts-expect-error a path parameter is missing
  await dl.GET("/projects/{projectId}", { params: { path: {} } });
  // @ts-expect-error the init (with its required path parameter) is missing altogether
  await dl.GET("/projects/{projectId}");
  // @ts-expect-error a body property of the wrong type
  await dl.POST("/projects", { body: { name: 42 } });
  // @ts-expect-error POST is not a method of this route
  await dl.POST("/users/me");
}

export function errorsShareOneRoot(e: unknown) {
  if (e instanceof DataloopError) expectTypeOf(e.hint).toEqualTypeOf<string>();
}

/** The multipart form of an upload, as the overlay declares it (the file part last). */
const toForm = (body: Record<string, unknown>) => {
  const form = new FormData();
  for (const [k, v] of Object.entries(body)) if (v !== undefined) form.append(k, v as Blob | string);
  return form;
};

export async function itemsUpAndDownWithoutACast(file: Blob) {
  // An upload is typed: its form fields, the file as a Blob, and the gateway's `mode`.
  await dl.POST("/datasets/{datasetId}/items", {
    params: { path: { datasetId: "d" }, query: { mode: "skip" } },
    body: { type: "file", path: "/dir/a.jpg", metadata: "{}", file },
    bodySerializer: toForm,
  });
  await dl.POST("/datasets/{datasetId}/items", {
    params: { path: { datasetId: "d" } },
    // @ts-expect-error the form needs its remote path
    body: { type: "file", file },
  });
  // A download is bytes: as a stream, or a Blob.
  const { data: stream } = await dl.GET("/items/{id}/stream", {
    params: { path: { id: "i" } },
    parseAs: "stream",
  });
  expectTypeOf(stream).toMatchTypeOf<ReadableStream | null>();
  const { data: blob } = await dl.GET("/items/{id}/stream", {
    params: { path: { id: "i" } },
    parseAs: "blob",
  });
  expectTypeOf(blob).toEqualTypeOf<Blob>();
}

export async function queriesAreTypedByResource() {
  for await (const item of queryDataset(dl, "d", {
    filter: { $and: [{ dir: "/cats" }, { "metadata.system.size": { $gt: 0 } }] },
  })) {
    expectTypeOf(item.id).toEqualTypeOf<string>();
  }
  for await (const annotation of queryDataset(loose, "d", { resource: "annotations" })) {
    expectTypeOf(annotation).toEqualTypeOf<DqlResources["annotations"]>();
  }
  // @ts-expect-error not a DQL operator
  queryDataset(dl, "d", { filter: { $and: [{ dir: { $like: "/c" } }] } });
}

// The route maps the codegen writes out (generated/routes.ts) say, for every route of every method, what
// openapi-fetch's conditional types derive from `paths`: the same routes, the same operation, the same
// `params` and `body` with the same optionality. (openapi-fetch's `Writable` aside: it strips `$Read`
// markers, which openapi-typescript writes only with `readWriteMarkers`, an option the codegen leaves off.)
type Expect<T extends true> = T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type ExpectedInit<Op> = ParamsOption<Op> &
  (OperationRequestBodyContent<Op> extends never
    ? { body?: never }
    : IsOperationRequestBodyOptional<Op> extends true
      ? { body?: OperationRequestBodyContent<Op> }
      : { body: OperationRequestBodyContent<Op> });
type Mismatches<M extends HttpMethod, Routes, Inits> = {
  [P in keyof Routes]: P extends keyof paths
    ? M extends keyof paths[P]
      ? Same<Routes[P], paths[P][M]> extends true
        ? Same<Inits[P & keyof Inits], ExpectedInit<paths[P][M]>> extends true
          ? never
          : P
        : P
      : P
    : P;
}[keyof Routes];
type RoutesAreAll<M extends HttpMethod, Routes> = Same<keyof Routes, PathsWithMethod<paths, M>>;

export type RouteMapsAsOpenapiFetch = [
  Expect<RoutesAreAll<"get", routes.GetRoutes>>,
  Expect<RoutesAreAll<"put", routes.PutRoutes>>,
  Expect<RoutesAreAll<"post", routes.PostRoutes>>,
  Expect<RoutesAreAll<"delete", routes.DeleteRoutes>>,
  Expect<RoutesAreAll<"options", routes.OptionsRoutes>>,
  Expect<RoutesAreAll<"head", routes.HeadRoutes>>,
  Expect<RoutesAreAll<"patch", routes.PatchRoutes>>,
  Expect<RoutesAreAll<"trace", routes.TraceRoutes>>,
  Expect<Same<Mismatches<"get", routes.GetRoutes, routes.GetInits>, never>>,
  Expect<Same<Mismatches<"put", routes.PutRoutes, routes.PutInits>, never>>,
  Expect<Same<Mismatches<"post", routes.PostRoutes, routes.PostInits>, never>>,
  Expect<Same<Mismatches<"delete", routes.DeleteRoutes, routes.DeleteInits>, never>>,
  Expect<Same<Mismatches<"patch", routes.PatchRoutes, routes.PatchInits>, never>>,
];
