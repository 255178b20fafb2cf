// Sessions that never die by accident: what a failing or odd token route does to a session, and what
// the session promises instead. Time is a manual clock given to both the token route and the session
// (tokens expire when the test moves it), and vitest's fake timers for the token calls' timeouts.
import { access, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { manualClock } from "@dataloop-ts/core";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import {
  createAuth,
  passwordAuth,
  refreshTokenAuth,
  TokenExpiredError,
  type TokenStore,
  tokenAuth,
} from "../src/index.js";
import { fileStore } from "../src/node.js";
import { readExpiry } from "../src/token.js";
import { BOT, clientFor, gateway, until } from "./helpers.js";

const bot = { username: BOT.email, password: BOT.password };
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
afterEach(() => {
  vi.useRealTimers();
});
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), "auth-reliability-"));
  dirs.push(dir);
  return dir;
};

describe("refresh answers", () => {
  it("an answer without a refresh_token keeps the old one: the session lives on past the next expiry", async () => {
    const clock = manualClock();
    const g = await gateway({ lifetimeSeconds: 2, clock });
    const auth = createAuth(refreshTokenAuth(g.route.mintRefreshToken(bot)), {
      gateUrl: g.gateUrl,
      skewMs: 0,
      clock,
    });
    g.route.mode = "no-refresh-token";
    const first = await auth.token();
    clock.advance(2_100); // expired
    g.route.mode = "normal";
    const second = await auth.token(); // refreshes with the refresh token the first answer did not replace
    expect(second).not.toBe(first);
    expect(g.route.calls).toMatchObject({ refresh: 2, rejected: 0 });
  });
});

describe("a failing early renewal", () => {
  it.each(["error500", "hang"] as const)(
    "token route %s while the token is still valid: every call gets the valid token at once, the route is not hammered, then it fails at expiry",
    async (mode) => {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] }); // the token calls' 10 s timeout
      const clock = manualClock();
      const g = await gateway({ clock }); // one-hour tokens; renewed 60 s before expiry (the default skew)
      const auth = createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl, clock });
      const valid = await auth.token();
      const expiresAt = readExpiry(valid).expiresAt ?? 0;
      clock.set(expiresAt - 50_000); // inside the renewal window: due, still valid for 50 s
      g.route.mode = mode;
      const before = g.route.calls.total;
      const served: string[] = [];
      for (let i = 0; i < 20; i++) {
        served.push(await auth.token());
        clock.advance(100); // 2 s in all
        await new Promise((r) => setImmediate(r)); // lets a background try reach the route and fail
      }
      expect(new Set(served)).toEqual(new Set([valid]));
      const tries = g.route.calls.total - before;
      if (mode === "hang") {
        // One background renewal, still hanging while all 20 calls were served: none waited on it.
        expect(tries).toBe(1);
        expect(g.route.hangingRequests).toBe(1);
      } else {
        // A backoff between tries (0.5 s, then 1 s, …, by the clock): at most 3 tries in 2 s, not one per call.
        expect(tries).toBeGreaterThanOrEqual(1);
        expect(tries).toBeLessThanOrEqual(3);
      }
      clock.set(expiresAt + 100); // expired: now callers must wait for a renewal, and it fails
      const expired = auth.token();
      expired.catch(() => {});
      if (mode === "hang") await vi.advanceTimersByTimeAsync(10_000); // the hanging call's timeout
      await expect(expired).rejects.toMatchObject({
        code: mode === "hang" ? "TOKEN_ENDPOINT_TIMEOUT" : "TOKEN_ENDPOINT_ERROR",
      });
      g.route.releaseHanging();
    },
  );

  it("a route that answers again after failing: the next try past the backoff renews, and the new token serves", async () => {
    const clock = manualClock();
    const g = await gateway({ clock });
    const warnings: string[] = [];
    const logger = { warn: (line: string) => warnings.push(line) };
    const auth = createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl, clock, logger });
    const first = await auth.token();
    clock.set((readExpiry(first).expiresAt ?? 0) - 50_000);
    g.route.mode = "error500";
    expect(await auth.token()).toBe(first);
    await until(() => warnings.length === 1); // the background try failed
    expect(warnings[0]).toContain("next try in 500 ms");
    g.route.mode = "normal";
    expect(await auth.token()).toBe(first); // within the 0.5 s backoff: no new try
    expect(g.route.calls.total).toBe(2);
    clock.advance(600);
    expect(await auth.token()).toBe(first); // starts the background renewal, serves the valid token
    let renewed = first;
    while (renewed === first) {
      await new Promise((r) => setImmediate(r));
      renewed = await auth.token();
    }
    expect(readExpiry(renewed).expiresAt).toBeGreaterThan(readExpiry(first).expiresAt ?? 0);
    expect(g.route.calls).toMatchObject({ total: 3, password: 1, refresh: 1 });
  });
});

describe("a stored session, its first calls all at once", () => {
  const host = (url: string) => new URL(url).host;
  const exists = (file: string) =>
    access(file).then(
      () => true,
      () => false,
    );
  type Kind = "API key" | "password" | "refresh";
  it.each(["API key", "password", "refresh"] satisfies Kind[])(
    "%s session: 200 concurrent first calls wait for the one load: 0 failures, 0 token calls, the file kept",
    async (kind) => {
      const g = await gateway();
      const dir = await tempDir();
      const store: TokenStore = fileStore(dir);
      const file = join(dir, `${host(g.gateUrl).replace(":", "_")}.json`);
      // What an earlier process (a `dataloop login`) left in the store.
      let strategy: Parameters<typeof createAuth>[0];
      if (kind === "API key") {
        const key = await g.route.issueApiKey();
        await store.save(host(g.gateUrl), { idToken: key });
        strategy = tokenAuth(key);
      } else if (kind === "password") {
        await createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl, store }).token();
        strategy = passwordAuth(BOT);
      } else {
        await createAuth(refreshTokenAuth(g.route.mintRefreshToken(bot)), {
          gateUrl: g.gateUrl,
          store,
        }).token();
        strategy = refreshTokenAuth("rt_placeholder");
        // A refresh now would be refused (and, before this was fixed, cost the session file).
        g.route.revokeRefreshTokens();
      }
      const saved = await readFile(file, "utf8");
      const before = { ...g.route.calls };
      // A new process: its own session over the same folder.
      const client = clientFor(g, createAuth(strategy, { gateUrl: g.gateUrl, store: fileStore(dir) }));
      const results = await Promise.allSettled(
        Array.from({ length: 200 }, (_, i) =>
          client.GET("/echo/{n}", { params: { path: { n: String(i) } } }),
        ),
      );
      const statuses = results.map((r) => (r.status === "fulfilled" ? r.value.response.status : r.reason));
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect(g.stats.unauthorized).toBe(0);
      expect(g.route.calls).toEqual(before); // not one token call: the stored token was valid
      expect(await exists(file)).toBe(true);
      expect(await readFile(file, "utf8")).toBe(saved);
    },
  );

  it("a refused refresh while the held token is still valid (due early) keeps the session file", async () => {
    const clock = manualClock();
    const g = await gateway({ clock });
    const dir = await tempDir();
    const file = join(dir, `${host(g.gateUrl).replace(":", "_")}.json`);
    const options = { gateUrl: g.gateUrl, store: fileStore(dir), clock };
    const first = await createAuth(refreshTokenAuth(g.route.mintRefreshToken(bot)), options).token();
    g.route.revokeRefreshTokens();
    clock.set((readExpiry(first).expiresAt ?? 0) - 50_000); // due, still valid
    const warnings: string[] = [];
    const logger = { warn: (line: string) => warnings.push(line) };
    const auth = createAuth(refreshTokenAuth("rt_placeholder"), { ...options, logger });
    expect(await auth.token()).toBe(first);
    await until(() => warnings.some((w) => w.includes("early renewal failed"))); // the background refresh was refused
    expect(g.route.calls.rejected).toBe(1);
    expect(await auth.token()).toBe(first);
    expect(await exists(file)).toBe(true);
    clock.set((readExpiry(first).expiresAt ?? 0) + 1_000); // expired: now the session is over
    await expect(auth.token()).rejects.toMatchObject({ code: "LOGIN_REQUIRED" });
    expect(await exists(file)).toBe(false);
  });
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
    const gatewayClock = manualClock();
    const g = await gateway({ lifetimeSeconds: 600, clock: gatewayClock });
    // This machine thinks it is an hour later than the gateway.
    const clock = manualClock(gatewayClock.now() + 3_600_000);
    const auth = createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl, clock });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => auth.token()));
    for (let i = 0; i < 10; i++) tokens.push(await auth.token());
    clock.advance(500_000); // most of the 600 s lifetime, by this machine's clock
    tokens.push(await auth.token());
    expect(new Set(tokens).size).toBe(1);
    expect(g.route.calls.total).toBe(1);
  });
});

describe("processes sharing one stored session", () => {
  it("five sessions over one file store (one per process, as CLI commands are) make one refresh between them", async () => {
    const clock = manualClock();
    const g = await gateway({ lifetimeSeconds: 2, clock });
    const dir = await tempDir();
    const first = createAuth(refreshTokenAuth(g.route.mintRefreshToken(bot)), {
      gateUrl: g.gateUrl,
      store: fileStore(dir),
      skewMs: 0,
      clock,
    });
    await first.token();
    clock.advance(2_100); // expired in the store
    // Each a new session on the same folder (its own state, as another process has), all due at once.
    const sessions = Array.from({ length: 5 }, () =>
      createAuth(refreshTokenAuth("rt_unused"), {
        gateUrl: g.gateUrl,
        store: fileStore(dir),
        skewMs: 0,
        clock,
      }),
    );
    const before = g.route.calls.refresh;
    const tokens = await Promise.all(sessions.map((s) => s.token()));
    expect(new Set(tokens).size).toBe(1);
    expect(g.route.calls.refresh - before).toBe(1);
    expect(g.route.calls.rejected).toBe(0);
  });
});
