import { connect } from "node:net";
import { manualClock } from "@dataloop-ts/core";
import { describe, expect, it } from "vitest";
import { AuthError, createAuth, memoryStore } from "../src/index.js";
import { browserAuth, browserLogin } from "../src/node.js";
import { BOT, clientFor, gateway } from "./helpers.js";

/** Plays the browser: visits the login URL and follows the gateway's redirect to the callback. */
const visit = async (url: string) => {
  const page = await fetch(url);
  return { status: page.status, url: page.url, text: await page.text() };
};

const portIsClosed = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });

describe("the website (browser) login", () => {
  it("receives id, access and refresh token from the gateway's redirect to the loopback callback", async () => {
    const g = await gateway();
    let visiting: ReturnType<typeof visit> | undefined;
    let loginUrl = "";
    const tokens = await browserLogin(g.gateUrl, {
      open: (url) => {
        loginUrl = url;
        visiting = visit(url);
      },
    });
    expect(loginUrl).toMatch(/\/login\?callback=http%3A%2F%2Flocalhost%3A\d+$/);
    const visited = await visiting;
    expect(visited?.status).toBe(200);
    expect(visited?.text).toContain(`You are logged in to ${g.gateUrl}`);
    expect(await g.route.verify(tokens.idToken)).toMatchObject({ sub: BOT.email });
    expect(tokens.refreshToken).toMatch(/^rt_/);
    expect(tokens.accessToken).toMatch(/^at_/);
    const port = Number(new URL(visited?.url ?? "").port);
    expect(await portIsClosed(port)).toBe(true);
  });

  it("as a session strategy: logs in through the browser once, then refreshes with its refresh token", async () => {
    const clock = manualClock();
    const g = await gateway({ lifetimeSeconds: 2, clock });
    const store = memoryStore();
    let opened = 0;
    const auth = createAuth(
      browserAuth({
        open: (url) => {
          opened++;
          void visit(url);
        },
      }),
      {
        gateUrl: g.gateUrl,
        store,
        skewMs: 60_000,
        clock,
      },
    );
    const client = clientFor(g, auth);
    expect((await client.GET("/echo/{n}", { params: { path: { n: "1" } } })).response.status).toBe(200);
    expect(opened).toBe(1);
    expect((await store.load(new URL(g.gateUrl).host))?.refreshToken).toMatch(/^rt_/);
    clock.advance(2_100); // past the 2 s life: renewed before the next call
    expect((await client.GET("/echo/{n}", { params: { path: { n: "2" } } })).response.status).toBe(200);
    expect(opened).toBe(1);
    expect(g.route.calls).toMatchObject({ browser: 1, refresh: 1, password: 0 });
  });

  it("times out with a typed error that says what to do, and frees its port", async () => {
    const g = await gateway();
    let port = 0;
    const error = await browserLogin(g.gateUrl, {
      timeoutMs: 200,
      open: (url) => {
        port = Number(new URL(decodeURIComponent(url.split("callback=")[1] ?? "")).port);
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({
      code: "BROWSER_LOGIN_TIMEOUT",
      hint: expect.stringContaining("/login?callback="),
    });
    expect(await portIsClosed(port)).toBe(true);
  });

  it("keeps waiting through stray visits; an error redirect fails it; an abort stops it", async () => {
    const g = await gateway();
    const statuses: number[] = [];
    const failed = browserLogin(g.gateUrl, {
      timeoutMs: 10_000,
      open: async (url) => {
        const callback = decodeURIComponent(url.split("callback=")[1] ?? "");
        const visits = [
          "/favicon.ico",
          "/?id_token=eyJnope",
          "/?id_token=",
          "/?error=access_denied&error_description=%3Cb%3Euser%20said%20no%3C%2Fb%3E",
        ];
        for (const path of visits) statuses.push((await fetch(`${callback}${path}`)).status);
      },
    });
    await expect(failed).rejects.toMatchObject({
      code: "BROWSER_LOGIN_FAILED",
      message: "The browser login failed: <b>user said no</b>",
    });
    expect(statuses.slice(0, 3)).toEqual([404, 400, 400]); // the stray visits did not end the wait
    const controller = new AbortController();
    const aborted = browserLogin(g.gateUrl, {
      signal: controller.signal,
      open: () => controller.abort(new Error("user pressed Ctrl-C")),
    });
    await expect(aborted).rejects.toThrow("user pressed Ctrl-C");
  });
});
