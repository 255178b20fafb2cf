import type { IncomingMessage, ServerResponse } from "node:http";
import { type LoopbackServer, listenLoopback } from "@dataloop-ts/core/node";
import { type MockGateway, startMockGateway } from "@dataloop-ts/mock";
import { afterAll, describe, expect, it } from "vitest";
import { createDataloopClient, queryDataset } from "../src/index.js";

const stops: Array<() => Promise<void>> = [];
afterAll(() => Promise.all(stops.map((s) => s())));

/** A dataset of `ids.length` items answering DQL by keyset: what the gateway does with `id > X`, `page: 0`. */
async function datasetOf(ids: string[]) {
  const bodies: Array<Record<string, unknown>> = [];
  const server: LoopbackServer = await listenLoopback((req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c));
    req.on("end", () => {
      const body = JSON.parse(text) as {
        filter: { $and?: Array<Record<string, { $gt?: string } | string>> };
        pageSize: number;
      };
      bodies.push(body);
      const after = body.filter.$and?.map((c) => (c.id as { $gt?: string } | undefined)?.$gt).find(Boolean);
      const rest = ids.filter((id) => !after || id > after);
      const items = rest.slice(0, body.pageSize).map((id) => ({ id, type: "file", filename: `${id}.jpg` }));
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          items,
          totalItemsCount: ids.length,
          totalPagesCount: 1,
          hasNextPage: rest.length > items.length,
        }),
      );
    });
  });
  stops.push(() => server.stop());
  return { gateUrl: server.url, bodies };
}

describe("queryDataset: DQL by keyset", () => {
  it("walks every page by id, always page 0, keeping the caller's own conditions", async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `65f1c0ffee0123456789${String(i).padStart(4, "0")}`);
    const { gateUrl, bodies } = await datasetOf(ids);
    const dl = createDataloopClient({ gateUrl, auth: { getToken: async () => "t0ken-for-dql" } });
    const pages: number[] = [];
    const seen: string[] = [];
    for await (const item of queryDataset(dl, "d1", {
      filter: { $and: [{ dir: "/cats" }] },
      pageSize: 10,
      onPage: (p) => pages.push(p.items),
    }))
      seen.push(item.id);
    expect(seen).toEqual(ids);
    expect(pages).toEqual([10, 10, 5]);
    expect(bodies.map((b) => b.page)).toEqual([0, 0, 0]);
    expect(bodies[0]).toMatchObject({
      resource: "items",
      sort: { id: "ascending" },
      pageSize: 10,
      filter: { $and: [{ dir: "/cats" }] },
    });
    expect(bodies[1]?.filter).toEqual({ $and: [{ dir: "/cats" }, { id: { $gt: ids[9] } }] });
    expect(bodies[2]?.filter).toEqual({ $and: [{ dir: "/cats" }, { id: { $gt: ids[19] } }] });
  });

  it("ends against the mock gateway too (a server that answers the same page: the key does not move)", async () => {
    const gateway: MockGateway = await startMockGateway({ strict: false });
    stops.push(() => gateway.stop());
    const dl = createDataloopClient({
      gateUrl: gateway.gateUrl,
      auth: { email: "bot@example.com", password: "password" },
    });
    const items = [];
    for await (const item of queryDataset(dl, "65f1c0ffee0123456789abce")) items.push(item);
    expect(items.length).toBeGreaterThan(0);
    expect(items.length).toBeLessThanOrEqual(2);
  });
});
