// Type tests of the public API: checked by `tsc` in the typecheck task of `scripts/pnpm test` (this file
// never runs). Each `@ts-expect-error` fails the check when the line it guards stops being an error.
import { expectTypeOf } from "vitest";
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
