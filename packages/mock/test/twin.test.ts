// The gateway twin over HTTP: state, the gateway's errors, pages that end, DQL that filters, seeded
// data, and what tests need (reset, request log, faults).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSpecValidator, type MockGateway, startMockGateway } from "../src/index.js";

let gateway: MockGateway;
let token: string;
let validator: ReturnType<typeof createSpecValidator>;
const USERS = [
  { username: "bot@example.com", password: "password" },
  { username: "ada@example.com", password: "secret" },
];

const login = async (g: MockGateway, username = "bot@example.com", password = "password") => {
  const grant = await fetch(`${g.gateUrl}/token?default`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password, type: "user_credentials" }),
  });
  return ((await grant.json()) as { id_token: string }).id_token;
};

beforeAll(async () => {
  gateway = await startMockGateway({ users: USERS, strict: true });
  token = await login(gateway);
  validator = createSpecValidator(gateway.twin.document);
});
afterAll(() => gateway?.stop());
beforeEach(() => gateway.reset());

async function call(method: string, path: string, body?: unknown, g = gateway, bearer = token) {
  const res = await fetch(`${g.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {}
  return { status: res.status, headers: res.headers, body: json as Record<string, unknown> & unknown[] };
}

function upload(datasetId: string, path: string, content: string | Uint8Array<ArrayBuffer>, mode = "skip") {
  const form = new FormData();
  form.append("type", "file");
  form.append("path", path);
  form.append("file", new Blob([content], { type: "text/plain" }), path.split("/").pop());
  return fetch(`${gateway.apiUrl}/datasets/${datasetId}/items?mode=${mode}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
}

const seededDataset = async () =>
  ((await call("GET", "/datasets")).body as Array<{ id: string }>)[0]?.id as string;

async function newDataset(name = "cats") {
  const project = await call("POST", "/projects", { name: `p-${name}` });
  const dataset = await call("POST", "/datasets", { name, projects: [project.body.id] });
  return dataset.body.id as string;
}

/** Every string value of an answer, deep. */
const strings = (v: unknown): string[] =>
  typeof v === "string" ? [v] : v && typeof v === "object" ? Object.values(v).flatMap(strings) : [];

describe("state: the resources users script against", () => {
  it("GET /users/me is the token's user: the default bot as itself, another user as them", async () => {
    const me = await call("GET", "/users/me");
    expect(me.body).toMatchObject({ email: "bot@example.com", username: "bot@example.com" });
    expect(me.body.id).toMatch(/^[0-9a-f]{24}$/);
    const ada = await call(
      "GET",
      "/users/me",
      undefined,
      gateway,
      await login(gateway, "ada@example.com", "secret"),
    );
    expect(ada.body).toMatchObject({ email: "ada@example.com" });
    expect(ada.body.id).not.toBe(me.body.id);
    expect(validator.response("get", "/users/me", 200, me.body)).toEqual([]);
  });

  it("creates, reads, renames and deletes a project; createdAt ≤ updatedAt, updatedAt moves on change", async () => {
    const made = await call("POST", "/projects", { name: "zoo" });
    expect(made.status).toBe(200);
    const id = made.body.id as string;
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(validator.response("post", "/projects", 200, made.body)).toEqual([]);
    expect((await call("GET", `/projects/${id}`)).body).toEqual(made.body);
    await new Promise((r) => setTimeout(r, 5));
    const renamed = await call("PATCH", `/projects/${id}`, { name: "aquarium" });
    expect(renamed.body).toMatchObject({ id, name: "aquarium", createdAt: made.body.createdAt });
    expect(renamed.body.updatedAt as number).toBeGreaterThan(made.body.createdAt as number);
    expect(((await call("GET", "/projects")).body as Array<{ id: string }>).map((p) => p.id)).toContain(id);
    expect((await call("DELETE", `/projects/${id}`)).status).toBe(204);
    expect((await call("GET", `/projects/${id}`)).status).toBe(404);
  });

  it("keeps relations: an upload needs its dataset; deleting a dataset removes its items and their annotations", async () => {
    expect((await upload("65f1c0ffee0123456789d001", "/a.txt", "x")).status).toBe(404);
    const datasetId = await newDataset();
    const up = await upload(datasetId, "/in/a.txt", "hello");
    expect(up.headers.get("x-item-op")).toBe("created");
    const item = (await up.json()) as {
      id: string;
      datasetId: string;
      metadata: { system: { size: number } };
    };
    expect(item).toMatchObject({ datasetId, metadata: { system: { size: 5 } } });
    const annotations = await call("POST", `/items/${item.id}/annotations`, [
      {
        type: "box",
        label: "cat",
        coordinates: [
          { x: 1, y: 2, z: 0 },
          { x: 3, y: 4, z: 0 },
        ],
      },
      { type: "class", label: "dog" },
    ]);
    expect(annotations.status).toBe(200);
    const [box] = annotations.body as Array<{ id: string }>;
    expect((await call("GET", `/items/${item.id}/annotations`)).body).toHaveLength(2);
    expect((await call("GET", `/datasets/${datasetId}`)).body).toMatchObject({
      itemsCount: 1,
      annotationsCount: 2,
    });
    expect((await call("DELETE", `/datasets/${datasetId}`)).status).toBe(200);
    expect((await call("GET", `/items/${item.id}`)).status).toBe(404);
    expect((await call("GET", `/annotations/${box?.id}`)).status).toBe(404);
    expect((await call("GET", `/items/${item.id}/stream`)).status).toBe(404);
  });

  it("annotations per item: one or an array in, get, update and delete by id", async () => {
    const datasetId = await newDataset();
    const item = (await (await upload(datasetId, "/a.txt", "a")).json()) as { id: string };
    const one = await call("POST", `/items/${item.id}/annotations`, {
      type: "point",
      label: "nose",
      coordinates: { x: 1, y: 1, z: 0 },
    });
    expect(Array.isArray(one.body)).toBe(false);
    expect(one.body).toMatchObject({ itemId: item.id, datasetId, label: "nose", type: "point" });
    expect(validator.response("get", "/annotations/{annotationId}", 200, one.body)).toEqual([]);
    const id = one.body.id as string;
    // The gateway's PUT takes the whole annotation back, changed.
    const updated = await call("PUT", `/items/${item.id}/annotations/${id}`, { ...one.body, label: "mouth" });
    expect(updated.body).toMatchObject({ id, label: "mouth", itemId: item.id });
    expect((await call("GET", `/annotations/${id}`)).body).toMatchObject({ label: "mouth" });
    expect((await call("DELETE", `/annotations/${id}`)).status).toBe(204);
    expect((await call("GET", `/items/${item.id}/annotations/${id}`)).status).toBe(404);
    expect(
      (await call("POST", "/items/000000000000000000000000/annotations", { type: "class" })).status,
    ).toBe(404);
  });

  it("bots and API keys: a bot is a user of the org; an API key's JWT is taken by the API as its user", async () => {
    const org = ((await call("GET", "/orgs")).body as Array<{ id: string }>)[0];
    const bot = await call("POST", `/orgs/${org?.id}/bots`, { name: "ingest" });
    expect(bot.body).toMatchObject({ type: "bot", orgs: [org?.id] });
    const key = await call("POST", "/apikeys", { userId: bot.body.id, description: "ci" });
    const jwt = key.body.jwt as unknown as string;
    expect((await call("GET", "/users/me", undefined, gateway, jwt)).body).toMatchObject({
      id: bot.body.id,
      type: "bot",
    });
    expect((await call("GET", `/apikeys/${(key.body.key as { id: string }).id}`)).status).toBe(200);
    expect((await call("DELETE", `/orgs/${org?.id}/bots/${bot.body.id}`)).status).toBe(204);
    expect((await call("DELETE", `/orgs/${org?.id}/bots/${bot.body.id}`)).status).toBe(404);
  });

  it("uploads answer as before: x-item-op created, skip, overwrite; the bytes come back, Range gives 206", async () => {
    const datasetId = await newDataset();
    const first = await upload(datasetId, "/m/a.txt", "0123456789");
    const skipped = await upload(datasetId, "/m/a.txt", "other");
    const replaced = await upload(datasetId, "/m/a.txt", "abcdefghij", "overwrite");
    expect([first, skipped, replaced].map((r) => r.headers.get("x-item-op"))).toEqual([
      "created",
      "skip",
      "overwrite",
    ]);
    const id = ((await replaced.json()) as { id: string }).id;
    expect(((await first.json()) as { id: string }).id).toBe(id);
    const get = (range?: string) =>
      fetch(`${gateway.apiUrl}/items/${id}/stream`, {
        headers: { authorization: `Bearer ${token}`, ...(range ? { range } : {}) },
      });
    expect(await (await get()).text()).toBe("abcdefghij");
    const from = await get("bytes=4-");
    expect([from.status, from.headers.get("content-range"), await from.text()]).toEqual([
      206,
      "bytes 4-9/10",
      "efghij",
    ]);
    const mid = await get("bytes=2-3");
    expect([mid.status, mid.headers.get("content-range"), await mid.text()]).toEqual([
      206,
      "bytes 2-3/10",
      "cd",
    ]);
    const tail = await get("bytes=-3");
    expect([tail.headers.get("content-range"), await tail.text()]).toEqual(["bytes 7-9/10", "hij"]);
    const past = await get("bytes=10-");
    expect([past.status, past.headers.get("content-range")]).toEqual([416, "bytes */10"]);
  });
});

describe("image sizes", () => {
  /** The header of a PNG of w × h (signature and IHDR): what the size is read from. */
  const png = (w: number, h: number) => {
    const b = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
    b.writeUInt32BE(13, 8);
    b.write("IHDR", 12, "latin1");
    b.writeUInt32BE(w, 16);
    b.writeUInt32BE(h, 20);
    b[24] = 8;
    b[25] = 2;
    return new Uint8Array(b);
  };
  /** A JPEG of w × h: SOI, a JFIF APP0, a baseline SOF0 with the size, EOI. */
  const jpeg = (w: number, h: number) =>
    new Uint8Array([
      0xff,
      0xd8,
      0xff,
      0xe0,
      0x00,
      0x10,
      0x4a,
      0x46,
      0x49,
      0x46,
      0x00,
      0x01,
      0x01,
      0x00,
      0x00,
      0x01,
      0x00,
      0x01,
      0x00,
      0x00,
      0xff,
      0xc0,
      0x00,
      0x11,
      0x08,
      h >> 8,
      h & 255,
      w >> 8,
      w & 255,
      0x03,
      0x01,
      0x22,
      0x00,
      0x02,
      0x11,
      0x01,
      0x03,
      0x11,
      0x01,
      0xff,
      0xd9,
    ]);

  it("an uploaded PNG or JPEG gets its width and height in metadata.system, as the gateway's; other bytes none", async () => {
    const datasetId = await newDataset("pixels");
    const system = async (res: Response) => {
      const { id } = (await res.json()) as { id: string };
      return ((await call("GET", `/items/${id}`)).body.metadata as { system: Record<string, unknown> })
        .system;
    };
    expect(await system(await upload(datasetId, "/a.png", png(640, 480)))).toMatchObject({
      width: 640,
      height: 480,
    });
    expect(await system(await upload(datasetId, "/b.jpg", jpeg(300, 200)))).toMatchObject({
      width: 300,
      height: 200,
    });
    // Overwritten with another image: the new size.
    expect(await system(await upload(datasetId, "/a.png", jpeg(1920, 1080), "overwrite"))).toMatchObject({
      width: 1920,
      height: 1080,
    });
    for (const bytes of ["not an image", png(1, 1).subarray(0, 12)]) {
      const held = await system(await upload(datasetId, `/c-${typeof bytes}.bin`, bytes as string));
      expect([held.width, held.height]).toEqual([undefined, undefined]);
    }
  });
});

describe("the gateway's errors", () => {
  it("an unknown id is a 404 with the gateway's error body, on every resource", async () => {
    for (const path of [
      "/items/nope",
      "/projects/65f1c0ffee0123456789abcd",
      "/datasets/nope",
      "/annotations/nope",
      "/orgs/nope",
      "/apikeys/nope",
    ]) {
      const res = await call("GET", path);
      expect(res.status, path).toBe(404);
      expect(res.body).toEqual({
        status: 404,
        message: expect.stringMatching(/not found: nope|not found: 65f1/),
      });
    }
    expect((await call("POST", "/datasets/nope/query", { filter: {} })).status).toBe(404);
  });

  it("a request that breaks the spec is a 422 with the reasons (as Prism answers it); one that is not JSON a 400", async () => {
    const res = await call("POST", "/projects", { title: "no name" });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      status: 422,
      message: "Invalid request",
      errors: ["body must have required property 'name'"],
    });
    const notJson = await fetch(`${gateway.apiUrl}/projects`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{oops",
    });
    expect(notJson.status).toBe(400);
  });

  it("a missing or expired token is a 401, as before", async () => {
    expect((await fetch(`${gateway.apiUrl}/projects`)).status).toBe(401);
    const expired = await gateway.route.sign(gateway.defaultBot, -5);
    expect((await call("GET", "/projects", undefined, gateway, expired)).status).toBe(401);
  });
});

describe("pages that end", () => {
  it("GET /datasets/{id}/items honours pageOffset and pageSize, and the last page says so", async () => {
    const datasetId = await seededDataset();
    const pages = [];
    for (let page = 0; page < 4; page++)
      pages.push(
        (await call("GET", `/datasets/${datasetId}/items?pageOffset=${page}&pageSize=2`)).body as unknown as {
          items: Array<{ id: string }>;
          hasNextPage: boolean;
        },
      );
    expect(pages.map((p) => [p.items.length, p.hasNextPage])).toEqual([
      [2, true],
      [2, true],
      [1, false],
      [0, false],
    ]);
    expect(pages[0]).toMatchObject({ totalItemsCount: 5, totalPagesCount: 3 });
    expect(validator.response("get", "/datasets/{datasetId}/items", 200, pages[0])).toEqual([]);
    const ids = pages.flatMap((p) => p.items.map((i) => i.id));
    expect(new Set(ids).size).toBe(5);
  });

  it("a page size outside 1…1000 is a 400", async () => {
    const datasetId = await seededDataset();
    expect((await call("POST", `/datasets/${datasetId}/query`, { filter: {}, pageSize: 1001 })).status).toBe(
      400,
    );
    expect((await call("GET", `/datasets/${datasetId}/items?pageSize=0`)).status).toBe(400);
  });
});

describe("DQL evaluated", () => {
  let datasetId: string;
  beforeEach(async () => {
    datasetId = await newDataset("dql");
    for (const [path, text] of [
      ["/cats/a.jpg", "aaaa"],
      ["/cats/b.png", "bb"],
      ["/dogs/c.jpg", "cccccc"],
      ["/dogs/sub/d.txt", "d"],
    ])
      await upload(datasetId, path as string, text as string);
  });
  const query = async (body: Record<string, unknown>) => {
    const res = await call("POST", `/datasets/${datasetId}/query`, body);
    return { ...res, names: (res.body.items as Array<{ name: string }> | undefined)?.map((i) => i.name) };
  };

  it.each([
    [{ dir: "/cats" }, ["a.jpg", "b.png"]],
    [{ $and: [{ dir: "/dogs" }, { "metadata.system.size": { $gte: 5 } }] }, ["c.jpg"]],
    [{ $or: [{ name: "a.jpg" }, { name: "d.txt" }] }, ["a.jpg", "d.txt"]],
    [{ dir: { $in: ["/cats", "/dogs/sub"] } }, ["a.jpg", "b.png", "d.txt"]],
    [{ dir: { $nin: ["/cats"] } }, ["c.jpg", "d.txt"]],
    [{ name: { $ne: "a.jpg" }, dir: { $eq: "/cats" } }, ["b.png"]],
    [{ "metadata.system.size": { $gt: 1, $lt: 6 } }, ["a.jpg", "b.png"]],
    [{ "metadata.system.size": { $lte: 2 } }, ["b.png", "d.txt"]],
    [{ filename: { $regex: "\\.jpg$" } }, ["a.jpg", "c.jpg"]],
    [{ $not: { dir: "/cats" } }, ["c.jpg", "d.txt"]],
    [{ description: { $exists: true } }, []],
    [{ dir: "/cli/sub" }, []],
  ])("filter %j matches %j", async (filter, expected) => {
    const res = await query({ filter, sort: { name: "ascending" } });
    expect(res.status).toBe(200);
    expect(res.names).toEqual(expected);
    expect(res.body).toMatchObject({ totalItemsCount: expected.length, hasNextPage: false });
  });

  it("an operator it does not know is a 400, never a match-all", async () => {
    const res = await query({ filter: { bogus: { $near: 1 } } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(["unknown query operator $near"]);
    expect((await query({ filter: { $where: "true" } })).status).toBe(400);
  });

  it("sorts, pages, and walks by keyset (id > last, sorted by id, page 0)", async () => {
    const desc = await query({
      filter: {},
      sort: { "metadata.system.size": "descending" },
      page: 1,
      pageSize: 2,
    });
    expect(desc.names).toEqual(["b.png", "d.txt"]);
    expect(desc.body).toMatchObject({ totalItemsCount: 4, totalPagesCount: 2, hasNextPage: false });
    const seen: string[] = [];
    let last: string | undefined;
    for (;;) {
      const page = await query({
        filter: last ? { $and: [{ id: { $gt: last } }] } : {},
        sort: { id: "ascending" },
        page: 0,
        pageSize: 3,
      });
      const items = page.body.items as Array<{ id: string }>;
      seen.push(...items.map((i) => i.id));
      if (!page.body.hasNextPage) break;
      last = items.at(-1)?.id;
    }
    expect(seen).toHaveLength(4);
    expect([...seen].sort()).toEqual(seen);
  });

  it("queries annotations with resource: annotations", async () => {
    const items = (await query({ filter: { dir: "/cats" } })).body.items as Array<{ id: string }>;
    await call("POST", `/items/${items[0]?.id}/annotations`, [
      { type: "class", label: "cat" },
      { type: "class", label: "tiger" },
    ]);
    await call("POST", `/items/${items[1]?.id}/annotations`, { type: "class", label: "cat" });
    await call("POST", `/items/${items[1]?.id}/annotations`, {
      type: "class",
      label: "fox",
      attributes: ["red", "wild"],
    });
    // $in on an array field: any element listed matches.
    const red = await query({ resource: "annotations", filter: { attributes: { $in: ["red", "blue"] } } });
    expect((red.body.items as Array<{ label: string }>).map((a) => a.label)).toEqual(["fox"]);
    // Plain equality on an array field matches an element too (sift decides, not the scalar fast path).
    const wild = await query({
      resource: "annotations",
      filter: { $and: [{ attributes: "wild" }, { type: "class" }] },
    });
    expect((wild.body.items as Array<{ label: string }>).map((a) => a.label)).toEqual(["fox"]);
    const cats = await query({ resource: "annotations", filter: { label: "cat" } });
    expect(cats.body.totalItemsCount).toBe(2);
    expect((cats.body.items as Array<{ itemId: string }>).map((a) => a.itemId).sort()).toEqual(
      [items[0]?.id, items[1]?.id].sort(),
    );
    // Not a resource DQL has (the spec's enum): the request breaks the spec.
    expect((await query({ resource: "recipes", filter: {} })).status).toBe(422);
  });
});

describe("seeded, deterministic data", () => {
  it('the same seed gives the same ids, names and dates; another seed other ones; no literal "string"', async () => {
    const snapshot = async (g: MockGateway) => {
      const t = await login(g);
      const datasets = (await call("GET", "/datasets", undefined, g, t)).body as Array<{ id: string }>;
      const answers = {
        projects: (await call("GET", "/projects", undefined, g, t)).body,
        datasets,
        items: (await call("POST", `/datasets/${datasets[0]?.id}/query`, { filter: {} }, g, t)).body,
      };
      // The URLs in the answers point at each gateway's own port.
      return JSON.parse(JSON.stringify(answers).replaceAll(g.apiUrl, "API")) as typeof answers;
    };
    const a = await startMockGateway({ seed: 42, strict: true });
    const b = await startMockGateway({ seed: 42, strict: true });
    const c = await startMockGateway({ seed: 43, strict: true });
    try {
      const [sa, sb, sc] = [await snapshot(a), await snapshot(b), await snapshot(c)];
      expect(sa).toEqual(sb);
      expect(sc.projects).not.toEqual(sa.projects);
      expect(strings(sa)).not.toContain("string");
      expect(strings(sa).filter((s) => /At$/.test(s))).toEqual([]);
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });

  it("loads a user's fixtures; a dangling reference is a typed error", async () => {
    const g = await startMockGateway({
      fixtures: {
        projects: [{ id: "65f1c0ffee0123456789aaaa", name: "mine" }],
        datasets: [
          { id: "65f1c0ffee0123456789bbbb", name: "photos", projects: ["65f1c0ffee0123456789aaaa"] },
        ],
        items: [{ datasetId: "65f1c0ffee0123456789bbbb", filename: "/x/hello.txt", text: "hello" }],
      },
    });
    try {
      const t = await login(g);
      expect((await call("GET", "/projects/65f1c0ffee0123456789aaaa", undefined, g, t)).body).toMatchObject({
        name: "mine",
      });
      const items = (
        await call("POST", "/datasets/65f1c0ffee0123456789bbbb/query", { filter: { dir: "/x" } }, g, t)
      ).body;
      expect(items).toMatchObject({ totalItemsCount: 1, items: [{ name: "hello.txt" }] });
    } finally {
      await g.stop();
    }
    await expect(
      startMockGateway({ fixtures: { items: [{ datasetId: "missing", filename: "/a" }] } }),
    ).rejects.toMatchObject({ code: "TWIN_FIXTURES", message: expect.stringContaining("fixtures.items[0]") });
  });
});

describe("made for tests", () => {
  it("reset() and POST /_twin/reset bring back the seeded data", async () => {
    const before = (await call("GET", "/projects")).body;
    await call("POST", "/projects", { name: "temporary" });
    gateway.reset();
    expect((await call("GET", "/projects")).body).toEqual(before);
    await call("POST", "/projects", { name: "temporary" });
    expect((await fetch(`${gateway.gateUrl}/_twin/reset`, { method: "POST" })).status).toBe(204);
    expect((await call("GET", "/projects")).body).toEqual(before);
  });

  it("logs each API request with its status, without headers", async () => {
    await call("GET", "/items/nope");
    await call("GET", "/projects");
    expect(gateway.requests.map((r) => [r.method, r.url, r.status])).toEqual([
      ["GET", "/api/v1/items/nope", 404],
      ["GET", "/api/v1/projects", 200],
    ]);
    const overHttp = (await (await fetch(`${gateway.gateUrl}/_twin/requests`)).json()) as unknown[];
    expect(overHttp).toHaveLength(2);
    expect(JSON.stringify(overHttp)).not.toContain(token);
  });

  it("faults per route: a 429 with Retry-After, a 5xx, a dropped connection, each for the times asked", async () => {
    gateway.fault({ route: "GET /projects", fault: { kind: "429", retryAfterSeconds: 7 }, times: 1 });
    const limited = await call("GET", "/projects");
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "7"]);
    expect((await call("GET", "/projects")).status).toBe(200);
    const off = gateway.fault({ route: "* /items/{id}", fault: { kind: "status", status: 503 } });
    expect((await call("GET", "/items/abc")).status).toBe(503);
    expect((await call("GET", "/projects")).status).toBe(200);
    off();
    expect((await call("GET", "/items/abc")).status).toBe(404);
    gateway.fault({ route: "*", fault: { kind: "drop" }, times: 1 });
    await expect(call("GET", "/projects")).rejects.toThrow();
    const viaHttp = await fetch(`${gateway.gateUrl}/_twin/faults`, {
      method: "POST",
      body: JSON.stringify({ route: "POST /datasets/{id}/query", fault: { kind: "status", status: 502 } }),
    });
    expect(viaHttp.status).toBe(201);
    expect((await call("POST", "/datasets/x/query", { filter: {} })).status).toBe(502);
  });

  it("a fault after the route: the write is kept and its answer lost (a 503, or the connection dropped)", async () => {
    const names = async () =>
      ((await call("GET", "/projects")).body as Array<{ name: string }>).map((p) => p.name);
    gateway.fault({
      route: "POST /projects",
      fault: { kind: "status", status: 503, afterRoute: true },
      times: 1,
    });
    const lost = await call("POST", "/projects", { name: "stored, answer lost" });
    expect([lost.status, lost.body.message]).toEqual([503, "Injected fault"]);
    expect(await names()).toContain("stored, answer lost");
    // Before the route (the default), the same fault stores nothing.
    gateway.fault({ route: "POST /projects", fault: { kind: "status", status: 503 }, times: 1 });
    expect((await call("POST", "/projects", { name: "never stored" })).status).toBe(503);
    expect(await names()).not.toContain("never stored");
    // Over HTTP: a dropped connection after the route, on a Prism route too (its answer is lost alike).
    const viaHttp = await fetch(`${gateway.gateUrl}/_twin/faults`, {
      method: "POST",
      body: JSON.stringify({ route: "POST /projects", fault: { kind: "drop", afterRoute: true }, times: 1 }),
    });
    expect(viaHttp.status).toBe(201);
    await expect(call("POST", "/projects", { name: "stored, connection dropped" })).rejects.toThrow();
    expect(await names()).toContain("stored, connection dropped");
    gateway.fault({
      route: "GET /pipelines/{pipelineId}",
      fault: { kind: "drop", afterRoute: true },
      times: 1,
    });
    await expect(call("GET", "/pipelines/pl1")).rejects.toThrow();
    expect((await call("GET", "/pipelines/pl1")).status).toBe(200);
    expect(gateway.requests.filter((r) => r.method === "POST").map((r) => r.status)).toEqual([503, 503, 0]);
  });

  it("skip lets the first N matching requests pass, then the fault hits its times", async () => {
    gateway.fault({ route: "GET /projects", fault: { kind: "status", status: 502 }, skip: 2, times: 1 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call("GET", "/projects")).status);
    expect(statuses).toEqual([200, 200, 502, 200]);
    // Another route is not counted; over HTTP alike, with the rule listed as given.
    const rule = { route: "GET /orgs", fault: { kind: "429", retryAfterSeconds: 2 }, skip: 1, times: 2 };
    await fetch(`${gateway.gateUrl}/_twin/faults`, { method: "POST", body: JSON.stringify(rule) });
    expect(await (await fetch(`${gateway.gateUrl}/_twin/faults`)).json()).toEqual([rule]);
    await call("GET", "/projects");
    const orgs = [];
    for (let i = 0; i < 4; i++) orgs.push((await call("GET", "/orgs")).status);
    expect(orgs).toEqual([200, 429, 429, 200]);
  });

  it("a fault rule it cannot apply is a TwinFaultError (JS) or a 400 naming what is wrong (HTTP)", async () => {
    expect(() =>
      gateway.fault({
        route: "GET /projects",
        fault: { kind: "latency", latencyMs: 5, afterRoute: true } as never,
      }),
    ).toThrow(
      expect.objectContaining({
        code: "TWIN_FAULT",
        errors: ['fault.afterRoute is for kind "status" or "drop"'],
      }),
    );
    const res = await fetch(`${gateway.gateUrl}/_twin/faults`, {
      method: "POST",
      body: JSON.stringify({ route: "GET /projects", fault: { kind: "drop" }, skip: -1, times: 0 }),
    });
    expect([res.status, ((await res.json()) as { errors: string[] }).errors]).toEqual([
      400,
      ["times is a whole number ≥ 1", "skip is a whole number ≥ 0"],
    ]);
    expect((await call("GET", "/projects")).status).toBe(200);
  });

  it("latency holds a route's answer while others go on", async () => {
    gateway.fault({ route: "GET /projects", fault: { kind: "latency", latencyMs: 150 }, times: 1 });
    const order: string[] = [];
    const slow = call("GET", "/projects").then((r) => order.push(`projects ${r.status}`));
    const fast = call("GET", "/orgs").then((r) => order.push(`orgs ${r.status}`));
    await Promise.all([slow, fast]);
    expect(order).toEqual(["orgs 200", "projects 200"]);
  });
});

describe("strict by default; permissive when asked (strict: false)", () => {
  it("startMockGateway() with no options answers an unknown id with the gateway's 404", async () => {
    const g = await startMockGateway();
    try {
      const t = await login(g);
      const answer = await call("GET", "/projects/65f1c0ffee0123456789abcd", undefined, g, t);
      expect(answer.status).toBe(404);
    } finally {
      await g.stop();
    }
  });

  it("what the twin holds is state; an unknown id is Prism's example with that id; an upload makes its dataset", async () => {
    const g = await startMockGateway({ strict: false });
    try {
      const t = await login(g);
      const projects = (await call("GET", "/projects", undefined, g, t)).body as Array<{ id: string }>;
      expect((await call("GET", `/projects/${projects[0]?.id}`, undefined, g, t)).body).toEqual(projects[0]);
      const unknown = await call("GET", "/projects/65f1c0ffee0123456789abcd", undefined, g, t);
      expect([unknown.status, unknown.body.id]).toEqual([200, "65f1c0ffee0123456789abcd"]);
      // A body the twin read before finding the id unknown goes on to Prism whole.
      const made = await call("POST", "/datasets", { name: "x", projects: ["p-1"] }, g, t);
      expect(made.status).toBe(200);
      const form = new FormData();
      form.append("type", "file");
      form.append("path", "/a.txt");
      form.append("file", new Blob(["abc"]), "a.txt");
      const up = await fetch(`${g.apiUrl}/datasets/65f1c0ffee0123456789d001/items`, {
        method: "POST",
        headers: { authorization: `Bearer ${t}` },
        body: form,
      });
      expect(up.headers.get("x-item-op")).toBe("created");
      expect((await call("GET", "/datasets/65f1c0ffee0123456789d001", undefined, g, t)).body).toMatchObject({
        itemsCount: 1,
      });
    } finally {
      await g.stop();
    }
  });
});

describe("fixtures keep their own metadata", () => {
  it("a fixture item's metadata.system.mimetype is the one DQL filters on", async () => {
    const D = "65f1c0ffee0123456789d0d0";
    const g = await startMockGateway({
      strict: true,
      fixtures: {
        datasets: [{ id: D, name: "typed" }],
        items: [
          {
            datasetId: D,
            filename: "/a.jpg",
            metadata: { system: { mimetype: "image/jpeg" }, user: { score: 3 } },
          },
          { datasetId: D, filename: "/b.txt" },
        ],
      },
    });
    try {
      const page = await call(
        "POST",
        `/datasets/${D}/query`,
        { filter: { "metadata.system.mimetype": "image/jpeg" } },
        g,
        await login(g),
      );
      expect(page.body).toMatchObject({
        totalItemsCount: 1,
        items: [{ name: "a.jpg", metadata: { user: { score: 3 } } }],
      });
    } finally {
      await g.stop();
    }
  });
});

describe("DQL after a change", () => {
  it("a query after a patch, an upload, an annotation, a delete or a reset answers the new data, not the kept columns and texts", async () => {
    const D = await newDataset("kept");
    for (const name of ["a", "b", "c"]) await upload(D, `/k/${name}.txt`, name);
    const query = async () =>
      (
        await call("POST", `/datasets/${D}/query`, {
          filter: { dir: "/k" },
          sort: { "metadata.user.rank": "descending" },
        })
      ).body as unknown as {
        items: Array<{ id: string; name: string; description?: string; annotationsCount: number }>;
      };
    const names = async () => (await query()).items.map((i) => i.name);
    expect(await names()).toEqual(["a.txt", "b.txt", "c.txt"]);
    type Held = { id: string; metadata: object };
    const [a, b, c] = (await query()).items as unknown as [Held, Held, Held];
    // The sort key and the served text both change with a patch.
    const rank = (item: { metadata: object }, n: number) => ({ ...item.metadata, user: { rank: n } });
    await call("PATCH", `/items/${c.id}`, { metadata: rank(c, 1), description: "moved" });
    expect(await names()).toEqual(["c.txt", "a.txt", "b.txt"]);
    await call("PATCH", `/items/${b.id}`, { metadata: rank(b, 2) });
    expect(await names()).toEqual(["b.txt", "c.txt", "a.txt"]);
    expect((await query()).items.find((i) => i.id === c.id)?.description).toBe("moved");
    // The filter's column: a new item in /k is matched, one in another folder is not.
    await upload(D, "/k/d.txt", "d");
    await upload(D, "/elsewhere/e.txt", "e");
    expect(await names()).toEqual(["b.txt", "c.txt", "a.txt", "d.txt"]);
    await call("POST", `/items/${a.id}/annotations`, { type: "class", label: "cat" });
    expect((await query()).items.find((i) => i.id === a.id)?.annotationsCount).toBe(1);
    expect((await call("DELETE", `/items/${b.id}`)).status).toBe(204);
    expect(await names()).toEqual(["c.txt", "a.txt", "d.txt"]);
    gateway.reset();
    expect((await call("POST", `/datasets/${D}/query`, { filter: {} })).status).toBe(404);
  });
});

describe("DQL pages by partial selection", () => {
  it("a page picked without a full sort is the full sort's page, ties and descending included", async () => {
    const D = "65f1c0ffee0123456789d0d1";
    // 200 items, scores 0…6 (many ties), two kinds: a page of 10 picks from 100 matches without
    // sorting them all; a page of 100 sorts them all.
    const g = await startMockGateway({
      strict: true,
      fixtures: {
        datasets: [{ id: D, name: "ties" }],
        items: Array.from({ length: 200 }, (_, i) => ({
          datasetId: D,
          filename: `/d${i % 2}/f${String((i * 37) % 200).padStart(3, "0")}.bin`,
          metadata: { user: { score: (i * 5) % 7 } },
        })),
      },
    });
    try {
      const bearer = await login(g);
      const page = async (sort: Record<string, unknown>, n: number, pageSize: number) =>
        (
          await call(
            "POST",
            `/datasets/${D}/query`,
            { filter: { dir: "/d1" }, sort, page: n, pageSize },
            g,
            bearer,
          )
        ).body as unknown as {
          items: Array<{ id: string; name: string; metadata: { user: { score: number } } }>;
        };
      for (const sort of [
        { "metadata.user.score": "descending" },
        { "metadata.user.score": "ascending" },
        { "metadata.user.score": "descending", name: "descending" },
      ]) {
        const full = (await page(sort, 0, 100)).items;
        expect(full).toHaveLength(100);
        const picked = [];
        for (let n = 0; n < 4; n++) picked.push(...(await page(sort, n, 10)).items);
        expect(picked.map((i) => i.id)).toEqual(full.slice(0, 40).map((i) => i.id));
      }
      // Ties keep the held (id) order, as the gateway's stable sort does.
      const desc = (await page({ "metadata.user.score": "descending" }, 1, 10)).items;
      for (let k = 1; k < desc.length; k++) {
        const [a, b] = [desc[k - 1], desc[k]] as [(typeof desc)[0], (typeof desc)[0]];
        expect(a.metadata.user.score).toBeGreaterThanOrEqual(b.metadata.user.score);
        if (a.metadata.user.score === b.metadata.user.score) expect(a.id < b.id).toBe(true);
      }
    } finally {
      await g.stop();
    }
  });
});
