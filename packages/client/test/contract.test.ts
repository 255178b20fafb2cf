import { createSpecValidator, type MockGateway, startMockGateway } from "@dataloop-ts/mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDataloopClient, DataloopApiError, type DataloopClient, operationIndex } from "../src/index.js";
import { repairedDocument } from "./spec.js";

let gateway: MockGateway;
let dl: DataloopClient;
let validator: ReturnType<typeof createSpecValidator>;

beforeAll(async () => {
  gateway = await startMockGateway({ strict: false });
  dl = createDataloopClient({
    gateUrl: gateway.gateUrl,
    auth: { email: gateway.defaultBot.username, password: gateway.defaultBot.password },
    retry: false,
  });
  validator = createSpecValidator(await repairedDocument());
});
afterAll(() => gateway?.stop());

type Call = (dl: DataloopClient) => Promise<{ data?: unknown; response: Response }>;
const P = "p-1";
const D = "d-1";
const I = "i-1";

// Each entry: [name, route template, the typed call]. Prism rejects any call that breaks the spec
// (422), which the client throws as a DataloopApiError, failing the test.
const CALLS: Array<[string, string, Call]> = [
  // projects
  ["getMyProjects", "/projects", (c) => c.GET("/projects")],
  ["createProject", "/projects", (c) => c.POST("/projects", { body: { name: "contract" } })],
  [
    "getProject",
    "/projects/{projectId}",
    (c) => c.GET("/projects/{projectId}", { params: { path: { projectId: P } } }),
  ],
  [
    "patchProject",
    "/projects/{projectId}",
    (c) =>
      c.PATCH("/projects/{projectId}", { params: { path: { projectId: P } }, body: { name: "renamed" } }),
  ],
  [
    "deleteProject",
    "/projects/{projectId}",
    (c) => c.DELETE("/projects/{projectId}", { params: { path: { projectId: P } } }),
  ],
  [
    "getProjectMembers",
    "/projects/{projectId}/members",
    (c) => c.GET("/projects/{projectId}/members", { params: { path: { projectId: P } } }),
  ],
  [
    "getProjectByName",
    "/projects/{projectName}/name",
    (c) => c.GET("/projects/{projectName}/name", { params: { path: { projectName: "My Project" } } }),
  ],
  // users, orgs, bots, API keys
  ["getMe", "/users/me", (c) => c.GET("/users/me")],
  ["findOrgs", "/orgs", (c) => c.GET("/orgs")],
  [
    "createOrgBot",
    "/orgs/{orgId}/bots",
    (c) => c.POST("/orgs/{orgId}/bots", { params: { path: { orgId: "o-1" } }, body: { name: "ci-bot" } }),
  ],
  [
    "deleteOrgBot",
    "/orgs/{orgId}/bots/{botId}",
    (c) => c.DELETE("/orgs/{orgId}/bots/{botId}", { params: { path: { orgId: "o-1", botId: "b-1" } } }),
  ],
  ["listAPIKeys", "/apikeys", (c) => c.GET("/apikeys")],
  ["createAPIKey", "/apikeys", (c) => c.POST("/apikeys", { body: { userId: "u-1", name: "ci" } })],
  ["getAPIKey", "/apikeys/{keyId}", (c) => c.GET("/apikeys/{keyId}", { params: { path: { keyId: "k-1" } } })],
  [
    "revokeAPIKey",
    "/apikeys/{keyId}",
    (c) => c.DELETE("/apikeys/{keyId}", { params: { path: { keyId: "k-1" } } }),
  ],
  // datasets
  ["listDatasets", "/datasets", (c) => c.GET("/datasets")],
  ["createDataset", "/datasets", (c) => c.POST("/datasets", { body: { name: "ds", projects: [P] } })],
  ["getDatasetByID", "/datasets/{id}", (c) => c.GET("/datasets/{id}", { params: { path: { id: D } } })],
  [
    "patchDataset",
    "/datasets/{id}",
    (c) => c.PATCH("/datasets/{id}", { params: { path: { id: D } }, body: { name: "ds2" } }),
  ],
  [
    "getDatasetDirectoryTree",
    "/datasets/{id}/directoryTree",
    (c) => c.GET("/datasets/{id}/directoryTree", { params: { path: { id: D } } }),
  ],
  [
    "getDatasetsByProjectIds",
    "/datasets/count",
    (c) => c.POST("/datasets/count", { body: { projectIds: [P] } }),
  ],
  // items
  [
    "getDatasetItems",
    "/datasets/{datasetId}/items",
    (c) =>
      c.GET("/datasets/{datasetId}/items", {
        params: { path: { datasetId: D }, query: { pageOffset: 0, pageSize: 10 } },
      }),
  ],
  [
    "getDatasetItem",
    "/datasets/{datasetId}/items/{id}",
    (c) => c.GET("/datasets/{datasetId}/items/{id}", { params: { path: { datasetId: D, id: I } } }),
  ],
  [
    "removeDatasetItem",
    "/datasets/{datasetId}/items/{id}",
    (c) => c.DELETE("/datasets/{datasetId}/items/{id}", { params: { path: { datasetId: D, id: I } } }),
  ],
  [
    "createItemCollection",
    "/datasets/{datasetId}/items/collections",
    (c) =>
      c.POST("/datasets/{datasetId}/items/collections", {
        params: { path: { datasetId: D } },
        body: { name: "c1" },
      }),
  ],
  [
    "getItemCollections",
    "/datasets/{datasetId}/items/collections",
    (c) => c.GET("/datasets/{datasetId}/items/collections", { params: { path: { datasetId: D } } }),
  ],
  // annotations
  [
    "getAnnotation",
    "/annotations/{annotationId}",
    (c) => c.GET("/annotations/{annotationId}", { params: { path: { annotationId: "a-1" } } }),
  ],
  [
    "deleteAnnotation",
    "/annotations/{annotationId}",
    (c) => c.DELETE("/annotations/{annotationId}", { params: { path: { annotationId: "a-1" } } }),
  ],
  [
    "listDatasetItemAnnotations",
    "/datasets/{datasetId}/items/{itemId}/annotations",
    (c) =>
      c.GET("/datasets/{datasetId}/items/{itemId}/annotations", {
        params: { path: { datasetId: D, itemId: I } },
      }),
  ],
  // tasks and assignments
  [
    "findAnnotationTasks",
    "/annotationtasks",
    (c) => c.GET("/annotationtasks", { params: { query: { pageOffset: 0, pageSize: 5 } } }),
  ],
  ["findAssignments", "/assignments", (c) => c.GET("/assignments")],
  // pipelines
  [
    "getPipelinesByPipelineId",
    "/pipelines/{pipelineId}",
    (c) => c.GET("/pipelines/{pipelineId}", { params: { path: { pipelineId: "pl-1" } } }),
  ],
  [
    "listVersions",
    "/pipelines/{pipelineId}/versions",
    (c) =>
      c.GET("/pipelines/{pipelineId}/versions", {
        params: { path: { pipelineId: "pl-1" }, query: { page: 0, pageSize: 10 } },
      }),
  ],
  // public route: answered without a token
  ["getOAVersion", "/ui-status", (c) => c.GET("/ui-status")],
];

describe("contract: the typed client against Prism serving the pinned spec", () => {
  it("covers at least 30 named operations across the API's areas", () => {
    expect(CALLS.length).toBeGreaterThanOrEqual(30);
    const known = new Set(Object.keys(operationIndex));
    expect(CALLS.map(([name]) => name).filter((n) => !known.has(n))).toEqual([]);
  });

  it.each(CALLS)(
    "%s: Prism accepts the request and the response matches the spec",
    async (name, route, call) => {
      const { data, response } = await call(dl);
      expect(response.ok).toBe(true);
      const entry = operationIndex[name as keyof typeof operationIndex];
      expect(entry.path).toBe(route);
      if (response.status !== 204) {
        expect(validator.response(entry.method, entry.path, response.status, data)).toEqual([]);
      }
    },
  );

  it("a request missing a required body field is rejected by the mock and surfaces as a typed error", async () => {
    // @ts-expect-error name is required: this is the mistake under test
    const error = await dl.POST("/projects", { body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataloopApiError);
    const e = error as DataloopApiError;
    expect(e.status).toBe(422);
    expect(e).toMatchObject({ method: "POST", path: "/api/v1/projects", route: "/projects" });
    expect(JSON.stringify(e.body)).toContain("name");
  });

  it("items: a typed multipart upload (the overlay's form) is accepted, one without its path refused; a download is bytes", async () => {
    const toForm = (body: Record<string, unknown>) => {
      const form = new FormData();
      for (const [key, value] of Object.entries(body)) {
        if (value instanceof Blob)
          form.append(key, value, "a.jpg"); // the file part, last
        else if (typeof value === "string") form.append(key, value);
      }
      return form;
    };
    const { data, response } = await dl.POST("/datasets/{datasetId}/items", {
      params: { path: { datasetId: D }, query: { mode: "skip" } },
      body: {
        type: "file",
        path: "/dir/a.jpg",
        metadata: JSON.stringify({ user: { n: 1 } }),
        file: new Blob(["hello"]),
      },
      bodySerializer: toForm,
    });
    expect(response.status).toBe(200);
    expect(validator.response("post", "/datasets/{datasetId}/items", 200, data)).toEqual([]);
    const refused = await dl
      .POST("/datasets/{datasetId}/items", {
        params: { path: { datasetId: D } },
        // @ts-expect-error the remote path is required: this is the mistake under test
        body: { type: "file", file: new Blob(["x"]) },
        bodySerializer: toForm,
      })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 422, code: "API_ERROR" });
    const download = await dl.GET("/items/{id}/stream", { params: { path: { id: I } }, parseAs: "blob" });
    expect(download.response.headers.get("content-type")).toBe("application/octet-stream");
    expect(download.data).toBeInstanceOf(Blob);
  });

  it("a wrongly typed parameter (via a cast) is rejected the same way", async () => {
    const error = await dl
      .GET("/annotationtasks", { params: { query: { pageSize: "many" as unknown as number } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataloopApiError);
    expect((error as DataloopApiError).status).toBe(422);
    expect(JSON.stringify(error)).not.toMatch(/Bearer|eyJ/);
  });

  it("calls without a token are refused with 401, as on the real gateway", async () => {
    const res = await fetch(`${gateway.apiUrl}/users/me`);
    expect(res.status).toBe(401);
  });
});

describe("GET sweep: every GET route that needs no body, with generated parameter values", () => {
  it("reports how many routes Prism answers 2xx", async () => {
    const doc = await repairedDocument();
    const token = await dl.auth.token();
    const value = (
      schema: { type?: string; format?: string; enum?: unknown[]; $ref?: string } | undefined,
    ): string => {
      if (schema?.enum?.length) return String(schema.enum[0]);
      if (schema?.format === "date-time") return new Date(0).toISOString();
      if (schema?.format === "date") return "1970-01-01";
      if (schema?.type === "integer" || schema?.type === "number") return "1";
      if (schema?.type === "boolean") return "true";
      if (schema?.type === "object" || schema?.$ref) return "{}";
      return "x1";
    };
    let accepted = 0;
    const refused: string[] = [];
    const gets = Object.entries(doc.paths).filter(([, item]) => item.get);
    for (const [path, item] of gets) {
      const params = [
        ...((item.parameters ?? []) as never[]),
        ...((item.get?.parameters ?? []) as never[]),
      ] as Array<{
        name: string;
        in: string;
        required?: boolean;
        schema?: { type?: string };
      }>;
      let url = path.replace(/\{([^}]+)\}/g, (_, n: string) =>
        encodeURIComponent(value(params.find((p) => p.in === "path" && p.name === n)?.schema)),
      );
      const query = params
        .filter((p) => p.in === "query" && p.required)
        .map((p) => `${p.name}=${encodeURIComponent(value(p.schema))}`);
      if (query.length) url += `?${query.join("&")}`;
      const res = await fetch(`${gateway.apiUrl}${url}`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      if (res.ok) accepted++;
      else refused.push(`${res.status} GET ${path}`);
    }
    console.log(
      `GET sweep: Prism answered 2xx to ${accepted} of ${gets.length} GET routes${refused.length ? `; not: ${refused.join(", ")}` : ""}`,
    );
    expect(refused).toEqual([]);
    expect(accepted).toBe(gets.length);
  });
});
