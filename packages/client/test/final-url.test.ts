// A call's URL is the one openapi-fetch makes (`createFinalURL` with its default serializers), though
// the loop makes it from a template cut once per route: the same URL for every kind of value, style and
// base, and the one the gateway is asked for.

import { listenLoopback } from "@dataloop-ts/core/node";
import {
  createFinalURL,
  createQuerySerializer,
  defaultPathSerializer,
  type PathSerializer,
  type QuerySerializer,
} from "openapi-fetch";
import { describe, expect, it } from "vitest";
import { finalUrl } from "../src/final-url.js";
import { createDataloopClient, UnsafePathParameterError } from "../src/index.js";

const DEFAULT_QUERY = createQuerySerializer() as QuerySerializer<unknown>;
const base = "https://gate.example/api/v1";

const cases: [string, string, { path?: Record<string, unknown>; query?: Record<string, unknown> }][] = [
  ["one parameter", "/projects/{projectId}", { path: { projectId: "p1" } }],
  ["no parameter", "/projects", {}],
  ["no parameter, a path given", "/projects", { path: { x: "1" } }],
  [
    "two, and a query",
    "/datasets/{id}/items/{itemId}",
    { path: { id: "d", itemId: 7 }, query: { a: 1, b: "x y" } },
  ],
  ["the same parameter twice", "/a/{id}/b/{id}", { path: { id: "z" } }],
  ["characters to encode", "/items/{id}", { path: { id: "a b/c?d#e%f&é" } }],
  ["what String.replace reads as patterns", "/items/{id}/x", { path: { id: "$&-$'-$`-$$" } }],
  ["a number and a boolean", "/x/{n}/{b}", { path: { n: 0, b: false } }],
  ["an empty string around other text", "/x/{id}.json", { path: { id: "a" } }],
  ["dots inside a value", "/x/{id}/y", { path: { id: "..a" } }],
  ["a missing value", "/x/{id}/y", { path: {} }],
  ["no path at all", "/x/{id}/y", {}],
  ["a null value", "/x/{id}", { path: { id: null } }],
  ["an array", "/x/{ids}", { path: { ids: ["a", "b"] } }],
  ["an exploded object", "/x/{obj*}", { path: { obj: { a: "1", b: "2" } } }],
  ["a label", "/x/{.id}", { path: { id: "v" } }],
  ["a matrix", "/x/{;id}", { path: { id: "v" } }],
  ["a template at the start", "{id}/x", { path: { id: "v" } }],
  ["a stray brace", "/x/{/{id}", { path: { id: "v" } }],
  ["an empty query", "/x/{id}", { path: { id: "v" }, query: {} }],
  ["a query array", "/x", { query: { tags: ["a", "b"] } }],
];

describe("the URL of a call", () => {
  it.each([
    ["", "/x/{id}/y"],
    [".", "/x/{id}"],
    ["..", "/x/{id}"],
    ["..", "/x/{ids}"],
    ["..", "/x/{.id}"],
    ["a\uD800b", "/x/{id}"],
    ["\uDC00", "/x/{.id}"],
  ])("refuses %j as a path parameter, the shortcut and openapi-fetch's path alike (%s)", (value, route) => {
    const name = route.includes("ids") ? "ids" : "id";
    const make = () =>
      finalUrl(route, base, { path: { [name]: value } }, DEFAULT_QUERY, DEFAULT_QUERY, defaultPathSerializer);
    expect(make).toThrow(UnsafePathParameterError);
    expect(make).toThrow(expect.objectContaining({ code: "UNSAFE_PATH_PARAMETER", parameter: name, route }));
  });

  it.each(cases)("is openapi-fetch's: %s", (_, schemaPath, params) => {
    const expected = createFinalURL(schemaPath, {
      baseUrl: base,
      params: params as never,
      querySerializer: DEFAULT_QUERY,
      pathSerializer: defaultPathSerializer,
    });
    expect(finalUrl(schemaPath, base, params, DEFAULT_QUERY, DEFAULT_QUERY, defaultPathSerializer)).toBe(
      expected,
    );
    // The second time, from the template cut the first time.
    expect(finalUrl(schemaPath, base, params, DEFAULT_QUERY, DEFAULT_QUERY, defaultPathSerializer)).toBe(
      expected,
    );
  });

  it("is openapi-fetch's with a brace in the base, and with serializers of the caller's", () => {
    const odd = "https://gate.example/{id}";
    const params = { path: { id: "v" }, query: { q: "1" } };
    const query = ((q: Record<string, unknown>) =>
      `only=${Object.keys(q).join(",")}`) as QuerySerializer<unknown>;
    const path: PathSerializer = (url, p) => url.replace("{id}", `<${String(p.id)}>`);
    for (const [b, qs, ps] of [
      [odd, DEFAULT_QUERY, defaultPathSerializer],
      [base, query, defaultPathSerializer],
      [base, DEFAULT_QUERY, path],
    ] as const) {
      const expected = createFinalURL("/x/{id}", {
        baseUrl: b,
        params: params as never,
        querySerializer: qs,
        pathSerializer: ps,
      });
      expect(finalUrl("/x/{id}", b, params, qs, DEFAULT_QUERY, ps)).toBe(expected);
    }
    // A query serializer of one's own is asked even when the call has no query, as openapi-fetch asks it.
    expect(
      finalUrl("/x/{id}", base, { path: { id: "v" } }, query, DEFAULT_QUERY, defaultPathSerializer),
    ).toBe(`${base}/x/v?only=`);
  });

  it("is the one the gateway is asked for, hostile values encoded", async () => {
    const seen: string[] = [];
    const server = await listenLoopback((req, res) => {
      seen.push(req.url ?? "");
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    try {
      const dl = createDataloopClient({
        gateUrl: server.url,
        auth: { getToken: async () => "t" },
        retry: false,
      });
      const ids = ["p1", "a b/../c?x=1#f", "$&$'", "é%2F"];
      for (const projectId of ids) await dl.GET("/projects/{projectId}", { params: { path: { projectId } } });
      expect(seen).toEqual(ids.map((id) => `/api/v1/projects/${encodeURIComponent(id)}`));
    } finally {
      await server.stop();
    }
  });
});
