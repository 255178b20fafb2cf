// Sessions that never die by accident: what a failing or odd token route does to a session, and what
// the session promises instead.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createAuth, passwordAuth, refreshTokenAuth, TokenExpiredError } from "../src/index.js";
import { fileStore } from "../src/node.js";
import { readExpiry } from "../src/token.js";
import { BOT, gateway } from "./helpers.js";

const bot = { username: BOT.email, password: BOT.password };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe("refresh answers", () => {
  it("an answer without a refresh_token keeps the old one: the session lives on past the next expiry", async () => {
    const g = await gateway({ lifetimeSeconds: 2 });
    const auth = createAuth(refreshTokenAuth(g.route.mintRefreshToken(bot)), {
      gateUrl: g.gateUrl,
      skewMs: 0,
    });
    g.route.mode = "no-refresh-token";
    const first = await auth.token();
    await sleep(2_100);
    g.route.mode = "normal";
    const second = await auth.token(); // refreshes with the refresh token the first answer did not replace
    expect(second).not.toBe(first);
    expect(g.route.calls).toMatchObject({ refresh: 2, rejected: 0 });
  });
});

describe("a failing early renewal", () => {
  it.each(["error500", "hang"] as const)(
    "token route %s while the token is still valid: every call gets the valid token, the route is not hammered, then it fails at expiry",
    async (mode) => {
      const g = await gateway({ lifetimeSeconds: 4 });
      // Renews 2 s before expiry (half the lifetime); each token call times out after 300 ms.
      const auth = createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl, skewMs: 3_000, timeoutMs: 300 });
      const valid = await auth.token();
      const expiresAt = readExpiry(valid).expiresAt ?? 0;
      await sleep(Math.max(0, expiresAt - 1_700 - Date.now())); // inside the renewal window
      g.route.mode = mode;
      const before = g.route.calls.total;
      const served: string[] = [];
      for (let i = 0; i < 20; i++) {
        served.push(await auth.token());
        await sleep(40);
      }
      expect(new Set(served)).toEqual(new Set([valid]));
      // A backoff between tries: a handful of calls in ~1 s, not one per request.
      expect(g.route.calls.total - before).toBeLessThanOrEqual(4);
      await sleep(Math.max(0, expiresAt + 100 - Date.now()));
      await expect(auth.token()).rejects.toMatchObject({
        code: mode === "hang" ? "TOKEN_ENDPOINT_TIMEOUT" : "TOKEN_ENDPOINT_ERROR",
      });
      g.route.releaseHanging();
    },
  );
});

describe("odd tokens", () => {
  it("an exp beyond what a Date holds (1e13 s) logs in and serves the token", async () => {
    const g = await gateway();
    g.route.mode = "far-exp";
    const lines: string[] = [];
    const auth = createAuth(passwordAuth(BOT), {
      gateUrl: g.gateUrl,
      logger: { debug: (l) => lines.push(l) },
    });
    const token = await auth.token();
    expect(token).toMatch(/^eyJ/);
    expect(await auth.token()).toBe(token);
    expect(g.route.calls.password).toBe(1);
    expect(lines.join("\n")).toContain("expires unknown");
  });

  it("a token expired when issued: one token call, and an error that says to check the clock", async () => {
    const g = await gateway();
    g.route.mode = "expired-at-issue";
    const auth = createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl });
    const error = await auth.token().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenExpiredError);
    expect((error as Error).message).toBe(
      "The gateway issued an expired token (check this machine's clock).",
    );
    expect(g.route.calls.total).toBe(1);
  });

  it("a clock far ahead of the gateway's: a fresh token is used for its whole lifetime, not renewed on every call", async () => {
    const g = await gateway({ lifetimeSeconds: 600 });
    const realNow = Date.now;
    Date.now = () => realNow() + 3_600_000; // this machine thinks it is an hour later than the gateway
    try {
      const auth = createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl });
      const tokens = await Promise.all(Array.from({ length: 10 }, () => auth.token()));
      for (let i = 0; i < 10; i++) tokens.push(await auth.token());
      expect(new Set(tokens).size).toBe(1);
      expect(g.route.calls.total).toBe(1);
    } finally {
      Date.now = realNow;
    }
  });
});

describe("processes sharing one stored session", () => {
  it("five sessions over one file store (one per process, as CLI commands are) make one refresh between them", async () => {
    const g = await gateway({ lifetimeSeconds: 2 });
    const dir = await mkdtemp(join(tmpdir(), "auth-shared-"));
    dirs.push(dir);
    const first = createAuth(refreshTokenAuth(g.route.mintRefreshToken(bot)), {
      gateUrl: g.gateUrl,
      store: fileStore(dir),
      skewMs: 0,
    });
    await first.token();
    await sleep(2_100); // expired in the store
    // Each a new session on the same folder (its own state, as another process has), all due at once.
    const sessions = Array.from({ length: 5 }, () =>
      createAuth(refreshTokenAuth("rt_unused"), { gateUrl: g.gateUrl, store: fileStore(dir), skewMs: 0 }),
    );
    const before = g.route.calls.refresh;
    const tokens = await Promise.all(sessions.map((s) => s.token()));
    expect(new Set(tokens).size).toBe(1);
    expect(g.route.calls.refresh - before).toBe(1);
    expect(g.route.calls.rejected).toBe(0);
  });
});
