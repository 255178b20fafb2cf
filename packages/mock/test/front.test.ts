import { manualClock } from "@dataloop-ts/core";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_BOT, type EchoGateway, startEchoGateway, TokenRoute } from "../src/light.js";

let gateway: EchoGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const grant = (g: EchoGateway, body: unknown) =>
  fetch(`${g.gateUrl}/token?default`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("the mock gateway's front", () => {
  it("grants the default bot a JWT that the API then accepts", async () => {
    gateway = await startEchoGateway();
    const res = await grant(gateway, {
      username: DEFAULT_BOT.username,
      password: DEFAULT_BOT.password,
      type: "user_credentials",
    });
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { id_token: string; refresh_token: string; access_token: string };
    expect(await gateway.route.verify(tokens.id_token)).toMatchObject({ sub: "bot@example.com" });
    const api = await fetch(`${gateway.apiUrl}/projects/p1?x=1`, {
      headers: { authorization: `Bearer ${tokens.id_token}` },
    });
    expect(api.status).toBe(200);
    expect(await api.json()).toMatchObject({ method: "GET", url: "/api/v1/projects/p1?x=1" });
  });

  it("answers 401 to API calls without a token, with an expired one, or one signed by someone else", async () => {
    gateway = await startEchoGateway();
    const other = await TokenRoute.create();
    const cases: Array<[string | undefined, string]> = [
      [undefined, "Missing Bearer token"],
      [await gateway.route.sign(DEFAULT_BOT, -5), "Token expired"],
      [await other.sign(DEFAULT_BOT), "Invalid token"],
    ];
    for (const [token, message] of cases) {
      const res = await fetch(
        `${gateway.apiUrl}/users/me`,
        token ? { headers: { authorization: `Bearer ${token}` } } : {},
      );
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ status: 401, message });
    }
    expect(gateway.stats).toEqual({ api: 3, unauthorized: 3 });
  });

  it("a token accepted before is refused once the clock passes its exp (verified signatures are remembered, expiry is not)", async () => {
    const clock = manualClock(Date.parse("2026-01-01T00:00:00Z"));
    gateway = await startEchoGateway({ clock });
    const token = await gateway.route.sign(DEFAULT_BOT, 60);
    const me = () => fetch(`${gateway?.apiUrl}/users/me`, { headers: { authorization: `Bearer ${token}` } });
    expect((await me()).status).toBe(200);
    expect((await me()).status).toBe(200);
    clock.advance(59_999);
    expect((await me()).status).toBe(200);
    clock.advance(1);
    const late = await me();
    expect(late.status).toBe(401);
    expect(await late.json()).toEqual({ status: 401, message: "Token expired" });
  });

  it("rotates refresh tokens: each works once", async () => {
    gateway = await startEchoGateway();
    const first = gateway.route.mintRefreshToken(DEFAULT_BOT);
    const ok = await grant(gateway, { type: "refresh_token", refresh_token: first });
    expect(ok.status).toBe(200);
    const again = await grant(gateway, { type: "refresh_token", refresh_token: first });
    expect(again.status).toBe(403);
    expect(gateway.route.calls).toMatchObject({ total: 2, refresh: 2, rejected: 1 });
  });

  it("refuses wrong passwords and unknown grant types", async () => {
    gateway = await startEchoGateway();
    expect(
      (await grant(gateway, { username: "bot@example.com", password: "nope", type: "user_credentials" }))
        .status,
    ).toBe(401);
    expect((await grant(gateway, { type: "client_credentials" })).status).toBe(400);
  });
});

describe("the mock gateway's website login page", () => {
  const login = (g: EchoGateway, query: string) =>
    fetch(`${g.gateUrl}/login?${query}`, { redirect: "manual" });

  it("signs the default user in and redirects to the loopback callback with the three tokens", async () => {
    gateway = await startEchoGateway();
    const res = await login(gateway, `callback=${encodeURIComponent("http://localhost:4567/done")}`);
    expect(res.status).toBe(302);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const target = new URL(res.headers.get("location") ?? "");
    expect(target.origin + target.pathname).toBe("http://localhost:4567/done");
    const q = target.searchParams;
    expect(await gateway.route.verify(q.get("id_token") ?? "")).toMatchObject({ sub: DEFAULT_BOT.username });
    expect(q.get("access_token")).toMatch(/^at_/);
    // The refresh token is a real one: the token route takes it.
    const refreshed = await grant(gateway, { type: "refresh_token", refresh_token: q.get("refresh_token") });
    expect(refreshed.status).toBe(200);
    expect(gateway.route.calls.browser).toBe(1);
  });

  it("refuses callbacks that are not loopback URLs with a port: no open redirect of tokens", async () => {
    gateway = await startEchoGateway();
    for (const callback of ["https://evil.example:443/", "http://localhost/", "javascript:alert(1)", ""]) {
      const res = await login(gateway, `callback=${encodeURIComponent(callback)}`);
      expect(res.status, callback).toBe(400);
      expect(res.headers.get("location")).toBeNull();
    }
    expect(gateway.route.issued).toEqual([]);
  });

  it("redirects with an error for an unknown user or while the token service is down", async () => {
    gateway = await startEchoGateway();
    const unknown = await login(gateway, "callback=http%3A%2F%2F127.0.0.1%3A9%2F&user=nobody%40example.com");
    expect(new URL(unknown.headers.get("location") ?? "").searchParams.get("error")).toBe("access_denied");
    gateway.route.mode = "error500";
    const down = await login(gateway, "callback=http%3A%2F%2F127.0.0.1%3A9%2F");
    const q = new URL(down.headers.get("location") ?? "").searchParams;
    expect(q.get("error")).toBe("server_error");
    expect(q.has("id_token")).toBe(false);
  });
});

describe("CORS, for clients in a browser", () => {
  it("answers preflights and lets another origin read API answers, 401s included", async () => {
    gateway = await startEchoGateway();
    const preflight = await fetch(`${gateway.apiUrl}/projects`, {
      method: "OPTIONS",
      headers: {
        origin: "http://127.0.0.1:1234",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:1234");
    expect(preflight.headers.get("access-control-allow-headers")).toBe("authorization, content-type");
    const refused = await fetch(`${gateway.apiUrl}/projects`, {
      headers: { origin: "http://127.0.0.1:1234" },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:1234");
    const noOrigin = await fetch(`${gateway.apiUrl}/projects`);
    expect(noOrigin.headers.get("access-control-allow-origin")).toBeNull();
    expect(gateway.stats.api).toBe(2); // the preflight never reached the API
  });
});
