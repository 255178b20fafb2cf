import { manualClock } from "@dataloop-ts/core";
import { listenLoopback, type MockUser } from "@dataloop-ts/mock/light";
import { describe, expect, it } from "vitest";
import {
  agentProxyAuth,
  createAuth,
  customAuth,
  LoginRequiredError,
  memoryStore,
  passwordAuth,
  refreshTokenAuth,
  TokenRejectedError,
  tokenAuth,
} from "../src/index.js";
import { BOT, clientFor, gateway } from "./helpers.js";

const bot: MockUser = { username: BOT.email, password: BOT.password };

describe("every way in, end to end through openapi-fetch", () => {
  it("password / bot (M2M) login: one grant, then Bearer on every call", async () => {
    const g = await gateway();
    const auth = createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl });
    const client = clientFor(g, auth);
    for (let i = 0; i < 3; i++) {
      const { data, response } = await client.GET("/echo/{n}", { params: { path: { n: String(i) } } });
      expect(response.status).toBe(200);
      expect(data?.url).toBe(`/api/v1/echo/${i}`);
    }
    expect(g.route.calls).toMatchObject({ total: 1, password: 1 });
    expect(g.stats).toEqual({ api: 3, unauthorized: 0 });
  });

  it("a refresh token: refreshed on first use", async () => {
    const g = await gateway();
    const auth = createAuth(refreshTokenAuth(g.route.mintRefreshToken(bot)), { gateUrl: g.gateUrl });
    const { response } = await clientFor(g, auth).GET("/echo/{n}", { params: { path: { n: "1" } } });
    expect(response.status).toBe(200);
    expect(g.route.calls).toMatchObject({ total: 1, refresh: 1, password: 0 });
  });

  it("an API key: sent as is, no token call", async () => {
    const g = await gateway();
    const auth = createAuth(tokenAuth(await g.route.issueApiKey()), { gateUrl: g.gateUrl });
    const { response } = await clientFor(g, auth).GET("/echo/{n}", { params: { path: { n: "1" } } });
    expect(response.status).toBe(200);
    expect(g.route.calls.total).toBe(0);
  });

  it("a custom async provider: asked again only when its token is refused", async () => {
    const g = await gateway();
    let asked = 0;
    const auth = createAuth(
      customAuth(async () => (++asked === 1 ? "not-a-jwt" : g.route.sign(bot))),
      { gateUrl: g.gateUrl },
    );
    const client = clientFor(g, auth);
    const { response } = await client.GET("/echo/{n}", { params: { path: { n: "1" } } });
    expect(response.status).toBe(200); // "not-a-jwt" has no readable exp: used, refused, replaced
    expect(asked).toBe(2);
    await client.GET("/echo/{n}", { params: { path: { n: "2" } } });
    expect(asked).toBe(2);
  });

  it("the in-platform agent proxy (GET /get_jwt) is a custom provider", async () => {
    const g = await gateway();
    const jwt = await g.route.sign(bot);
    const proxy = await listenLoopback((req, res) => {
      res
        .writeHead(req.url === "/get_jwt" ? 200 : 404, { "content-type": "application/json" })
        .end(JSON.stringify({ jwt }));
    });
    try {
      const auth = createAuth(agentProxyAuth({ port: proxy.port }), { gateUrl: g.gateUrl });
      const { data } = await clientFor(g, auth).GET("/echo/{n}", { params: { path: { n: "1" } } });
      expect(data?.method).toBe("GET");
      expect(await auth.token()).toBe(jwt);
    } finally {
      await proxy.stop();
    }
  });
});

describe("one refresh for many requests", () => {
  it("200 concurrent requests that start with an expired token: exactly 1 refresh, 200 successes", async () => {
    const g = await gateway();
    const store = memoryStore();
    await store.save(new URL(g.gateUrl).host, {
      idToken: await g.route.sign(bot, -30),
      refreshToken: g.route.mintRefreshToken(bot),
    });
    const auth = createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl, store });
    const client = clientFor(g, auth);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => client.GET("/echo/{n}", { params: { path: { n: String(i) } } })),
    );
    expect(results.filter((r) => r.response.status === 200)).toHaveLength(200);
    expect(g.route.calls).toMatchObject({ total: 1, refresh: 1, password: 0 });
    expect(g.stats.unauthorized).toBe(0);
  });

  it("200 requests in waves while the token expires mid-burst: exactly 1 refresh, 200 successes", async () => {
    const clock = manualClock(); // the gateway's and the session's: the token expires when the test says
    const g = await gateway({ lifetimeSeconds: 2, clock });
    const auth = createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl, skewMs: 0, clock });
    const client = clientFor(g, auth);
    await auth.token(); // a 2 s token
    g.route.lifetimeSeconds = 3600;
    const waves: Array<Promise<{ response: Response }>> = [];
    for (let wave = 0; wave < 8; wave++) {
      for (let i = 0; i < 25; i++)
        waves.push(client.GET("/echo/{n}", { params: { path: { n: `${wave}-${i}` } } }));
      // Let the wave get under way (some requests reach the gateway, some not yet), then 400 ms pass:
      // the token expires between waves 4 and 5, with requests in flight on both sides of it.
      await new Promise((r) => setTimeout(r, 5));
      clock.advance(400);
    }
    const results = await Promise.all(waves);
    expect(results.filter((r) => r.response.status === 200)).toHaveLength(200);
    expect(g.route.calls).toMatchObject({ password: 1, refresh: 1 });
  });
});

describe("401 → renew → replay", () => {
  it("replays a POST with its JSON body intact after a 401", async () => {
    const g = await gateway();
    const store = memoryStore();
    // A token our clock thinks valid but the gateway refuses (signed by another key).
    const other = await (await import("@dataloop-ts/mock/light")).TokenRoute.create();
    await store.save(new URL(g.gateUrl).host, {
      idToken: await other.sign(bot),
      refreshToken: g.route.mintRefreshToken(bot),
    });
    const auth = createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl, store });
    const body = { text: "héllo — ünïcode", n: 42, nested: { list: [1, 2, 3] } };
    const { data, response } = await clientFor(g, auth).POST("/echo/{n}", {
      params: { path: { n: "7" } },
      body,
    });
    expect(response.status).toBe(200);
    expect(data?.body).toEqual(body);
    expect(g.stats).toEqual({ api: 2, unauthorized: 1 });
    expect(g.route.calls).toMatchObject({ refresh: 1, password: 0 });
  });

  it("a second 401 after a fresh token is a TokenRejectedError, with a bounded number of token calls", async () => {
    const g = await gateway({
      api: (req, res) => {
        req.resume();
        res.writeHead(401, { "content-type": "application/json" }).end('{"message":"forbidden here"}');
      },
    });
    const auth = createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl });
    const client = clientFor(g, auth);
    const error = await client
      .POST("/echo/{n}", { params: { path: { n: "1" } }, body: { text: "x", n: 1, nested: { list: [] } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect((error as TokenRejectedError).message).toContain(
      "POST /api/v1/echo/1 even with a freshly issued token",
    );
    expect(g.route.calls.total).toBe(2); // the login, and one refresh: no loop
  });

  it("a refused refresh token falls back to the password grant when there are credentials", async () => {
    const g = await gateway();
    const store = memoryStore();
    await store.save(new URL(g.gateUrl).host, {
      idToken: await g.route.sign(bot, -5),
      refreshToken: "rt_revoked_long_ago",
    });
    const auth = createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl, store });
    const { response } = await clientFor(g, auth).GET("/echo/{n}", { params: { path: { n: "1" } } });
    expect(response.status).toBe(200);
    expect(g.route.calls).toMatchObject({ refresh: 1, password: 1, rejected: 1 });
  });

  it("a refused refresh token without credentials is a LoginRequiredError that says to log in", async () => {
    const g = await gateway();
    const refreshToken = g.route.mintRefreshToken(bot);
    g.route.revokeRefreshTokens();
    const auth = createAuth(refreshTokenAuth(refreshToken), { gateUrl: g.gateUrl });
    const error = await clientFor(g, auth)
      .GET("/echo/{n}", { params: { path: { n: "1" } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoginRequiredError);
    expect((error as LoginRequiredError).hint).toMatch(/^Log in again/);
    expect(g.route.calls.total).toBe(1);
  });

  it("an API key the gateway refuses is a TokenRejectedError (nothing to renew)", async () => {
    const g = await gateway();
    const other = await (await import("@dataloop-ts/mock/light")).TokenRoute.create();
    const auth = createAuth(tokenAuth(await other.issueApiKey()), { gateUrl: g.gateUrl });
    const error = await clientFor(g, auth)
      .GET("/echo/{n}", { params: { path: { n: "1" } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect(g.route.calls.total).toBe(0);
  });
});
