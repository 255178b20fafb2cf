// The client against the gateway twin (the mock with state, strict): the cases the permissive mock
// hid — a filter that matches nothing returns nothing, an unknown id is a 404, pages end with the data.
import { type MockGateway, startMockGateway } from "@dataloop-ts/mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createDataloopClient,
  DataloopApiError,
  type DataloopClient,
  paginate,
  queryDataset,
  uploadItem,
} from "../src/index.js";

let gateway: MockGateway;
let dl: DataloopClient;
let datasetId: string;

beforeAll(async () => {
  gateway = await startMockGateway({ strict: true });
  dl = createDataloopClient({
    gateUrl: gateway.gateUrl,
    auth: { email: "bot@example.com", password: "password" },
    retry: false,
  });
});
afterAll(() => gateway?.stop());
beforeEach(async () => {
  gateway.reset();
  const { data: project } = await dl.POST("/projects", { body: { name: "twin" } });
  const { data: dataset } = await dl.POST("/datasets", {
    body: { name: "photos", projects: [project?.id as string] },
  });
  datasetId = dataset?.id as string;
  for (const [path, text] of [
    ["/cats/a.jpg", "aaaa"],
    ["/cats/b.jpg", "bb"],
    ["/dogs/c.jpg", "cccccc"],
    ["/dogs/d.png", "d"],
    ["/e.txt", "eeeee"],
  ] as const)
    await uploadItem(dl, datasetId, new Blob([text]), { remotePath: path });
});

const names = async (iterable: AsyncIterable<{ name?: string }>) => {
  const out: string[] = [];
  for await (const item of iterable) out.push(item.name ?? "");
  return out.sort();
};

describe("the client against the twin", () => {
  it("DQL filters really filter: by folder, by a dotted field, with $in and $gte", async () => {
    expect(await names(queryDataset(dl, datasetId, { filter: { $and: [{ dir: "/cats" }] } }))).toEqual([
      "a.jpg",
      "b.jpg",
    ]);
    const big = queryDataset(dl, datasetId, {
      filter: { $and: [{ dir: { $in: ["/dogs", "/"] } }, { "metadata.system.size": { $gte: 5 } }] },
    });
    expect(await names(big)).toEqual(["c.jpg", "e.txt"]);
  });

  it("a filter that matches nothing returns nothing", async () => {
    expect(await names(queryDataset(dl, datasetId, { filter: { $and: [{ dir: "/cli/sub" }] } }))).toEqual([]);
    expect(
      await names(queryDataset(dl, datasetId, { filter: { $and: [{ filename: "/nope.jpg" }] } })),
    ).toEqual([]);
  });

  it("an operator DQL does not have is a typed 400, not everything", async () => {
    const error = await names(
      queryDataset(dl, datasetId, { filter: { $and: [{ dir: { $bogus: 1 } as never }] } }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataloopApiError);
    expect(error).toMatchObject({ status: 400, body: { errors: ["unknown query operator $bogus"] } });
  });

  it("an unknown id throws a 404 DataloopApiError naming the route", async () => {
    const error = await dl
      .GET("/items/{id}", { params: { path: { id: "65f1c0ffee0123456789abcd" } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataloopApiError);
    expect(error).toMatchObject({
      status: 404,
      route: "/items/{id}",
      body: { status: 404, message: "Item not found: 65f1c0ffee0123456789abcd" },
    });
    const project = await dl
      .GET("/projects/{projectId}", { params: { path: { projectId: "nope" } } })
      .catch((e: unknown) => e);
    expect(project).toMatchObject({ status: 404 });
  });

  it("paginate ends with the data: every item once, one request per page, none after the last", async () => {
    const before = gateway.requests.length;
    const seen = await names(
      paginate((page) =>
        dl
          .GET("/datasets/{datasetId}/items", {
            params: { path: { datasetId }, query: { pageOffset: page, pageSize: 2 } },
          })
          .then((r) => r.data),
      ),
    );
    expect(seen).toEqual(["a.jpg", "b.jpg", "c.jpg", "d.png", "e.txt"]);
    const pages = gateway.requests.slice(before).filter((r) => r.url.includes("/items?"));
    expect(pages.map((r) => new URL(r.url, "http://x").searchParams.get("pageOffset"))).toEqual([
      "0",
      "1",
      "2",
    ]);
  });

  it("queryDataset's keyset walk sees every item once, small pages", async () => {
    let pages = 0;
    const walked = await names(queryDataset(dl, datasetId, { pageSize: 2, onPage: () => pages++ }));
    expect(walked).toEqual(["a.jpg", "b.jpg", "c.jpg", "d.png", "e.txt"]);
    expect(pages).toBe(3);
  });

  it("a 429 fault with Retry-After is retried by the client, as the mock's README shows", async () => {
    const retrying = createDataloopClient({
      gateUrl: gateway.gateUrl,
      auth: { email: "bot@example.com", password: "password" },
    });
    gateway.fault({ route: "GET /projects", fault: { kind: "429", retryAfterSeconds: 0 }, times: 1 });
    const { data } = await retrying.GET("/projects");
    expect(data?.map((p) => p.name)).toContain("twin");
    expect(
      gateway.requests.filter((r) => r.method === "GET" && r.url === "/api/v1/projects").map((r) => r.status),
    ).toEqual([429, 200]);
  });
});
