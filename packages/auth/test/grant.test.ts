import { listenLoopback, startEchoGateway } from "@dataloop-ts/mock/light";
import { decodeJwt } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  BadCredentialsError,
  MalformedTokenResponseError,
  passwordGrant,
  RefreshRejectedError,
  refreshGrant,
  TokenEndpointError,
} from "../src/index.js";
import { BOT, gateway, until } from "./helpers.js";

describe("the token grant against a real token route", () => {
  it("a password grant returns a JWT id_token, an access token and a refresh token", async () => {
    const g = await gateway();
    const tokens = await passwordGrant(g.gateUrl, BOT.email, BOT.password);
    expect(decodeJwt(tokens.idToken)).toMatchObject({ sub: BOT.email, email: BOT.email });
    expect(tokens.accessToken).toBeTruthy();
    expect(tokens.refreshToken).toMatch(/^rt_/);
    expect(g.route.calls).toMatchObject({ total: 1, password: 1 });
  });

  it("a refresh returns a new id_token and keeps the rotated refresh token; the old one is then refused", async () => {
    const g = await gateway();
    const first = await passwordGrant(g.gateUrl, BOT.email, BOT.password);
    const second = await refreshGrant(g.gateUrl, first.refreshToken ?? "");
    expect(second.idToken).not.toBe(first.idToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await expect(refreshGrant(g.gateUrl, first.refreshToken ?? "")).rejects.toBeInstanceOf(
      RefreshRejectedError,
    );
  });

  it("wrong credentials are a BadCredentialsError that names the account, not the password", async () => {
    const g = await gateway();
    const error = await passwordGrant(g.gateUrl, BOT.email, "wrong-password").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadCredentialsError);
    expect((error as BadCredentialsError).message).toBe(
      "The gateway refused the credentials for bot@example.com (HTTP 401).",
    );
    expect((error as BadCredentialsError).code).toBe("BAD_CREDENTIALS");
  });
});

describe("a failing token route: each a typed error", () => {
  // Generous for the answers that come (a busy machine must not turn a 500 into a timeout); the hanging
  // route's timeout is driven by fake timers, not waited for.
  const TIMEOUT = 10_000;
  const within = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error: error as TokenEndpointError };
  };
  afterEach(() => {
    vi.useRealTimers();
  });

  it("down (nothing listens)", async () => {
    const g = await startEchoGateway();
    await g.stop();
    const { error } = await within(passwordGrant(g.gateUrl, BOT.email, BOT.password, { timeoutMs: TIMEOUT }));
    expect(error).toBeInstanceOf(TokenEndpointError);
    expect(error.code).toBe("TOKEN_ENDPOINT_UNREACHABLE");
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("hanging: a timeout error when timeoutMs has passed, not before", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const g = await gateway();
    g.route.mode = "hang";
    let settled = false;
    const grant = within(passwordGrant(g.gateUrl, BOT.email, BOT.password, { timeoutMs: 400 })).finally(
      () => {
        settled = true;
      },
    );
    await until(() => g.route.hangingRequests === 1);
    await vi.advanceTimersByTimeAsync(399);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const { error } = await grant;
    expect(error).toBeInstanceOf(TokenEndpointError);
    expect(error.code).toBe("TOKEN_ENDPOINT_TIMEOUT");
    expect(error.message).toContain("within 400 ms");
    await until(() => g.route.hangingRequests === 0); // the request was given up, not left open
  });

  it("answering 500", async () => {
    const g = await gateway();
    g.route.mode = "error500";
    const { error } = await within(passwordGrant(g.gateUrl, BOT.email, BOT.password, { timeoutMs: TIMEOUT }));
    expect(error).toBeInstanceOf(TokenEndpointError);
    expect(error).toMatchObject({ code: "TOKEN_ENDPOINT_ERROR", status: 500 });
  });

  it("answering HTML", async () => {
    const g = await gateway();
    g.route.mode = "html";
    const { error } = await within(passwordGrant(g.gateUrl, BOT.email, BOT.password, { timeoutMs: TIMEOUT }));
    expect(error).toBeInstanceOf(TokenEndpointError);
    expect(error).toMatchObject({ code: "TOKEN_ENDPOINT_ERROR", status: 502 });
  });

  it("answering 200 with an HTML page (a gate URL that is a web site)", async () => {
    const site = await listenLoopback((_q, res) =>
      res.writeHead(200, { "content-type": "text/html" }).end("<html>hi</html>"),
    );
    try {
      const { error } = await within(
        passwordGrant(site.url, BOT.email, BOT.password, { timeoutMs: TIMEOUT }),
      );
      expect(error).toBeInstanceOf(MalformedTokenResponseError);
      expect(error.message).toContain("but not JSON (text/html)");
    } finally {
      await site.stop();
    }
  });

  it("answering without an id_token", async () => {
    const g = await gateway();
    g.route.mode = "no-id-token";
    const { error } = await within(passwordGrant(g.gateUrl, BOT.email, BOT.password, { timeoutMs: TIMEOUT }));
    expect(error).toBeInstanceOf(MalformedTokenResponseError);
    expect(error.message).toBe(
      "The token route answered the login without an id_token (fields: access_token, refresh_token).",
    );
  });

  it("closing the connection", async () => {
    const g = await gateway();
    g.route.mode = "refuse";
    const { error } = await within(passwordGrant(g.gateUrl, BOT.email, BOT.password, { timeoutMs: TIMEOUT }));
    expect(error).toBeInstanceOf(TokenEndpointError);
    expect(error.code).toBe("TOKEN_ENDPOINT_UNREACHABLE");
  });
});
