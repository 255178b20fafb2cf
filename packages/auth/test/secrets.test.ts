import { type MockUser, TokenRoute } from "@dataloop-ts/mock/light";
import { describe, expect, it } from "vitest";
import {
  createAuth,
  memoryStore,
  passwordAuth,
  refreshTokenAuth,
  type TokenStore,
  tokenAuth,
} from "../src/index.js";
import { Redactor } from "../src/redact.js";
import { BOT, clientFor, gateway } from "./helpers.js";

const bot: MockUser = { username: BOT.email, password: BOT.password };

describe("secrets never leak", () => {
  it("no password, refresh token or JWT in any log line, error message, hint, cause or serialised error", async () => {
    const lines: string[] = [];
    const logger = { debug: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) };
    const errors: unknown[] = [];
    const secrets: string[] = [BOT.password, "wrong-but-secret-pw"];
    const attempt = async (fn: () => Promise<unknown>) => {
      await fn().catch((e: unknown) => errors.push(e));
    };

    const g = await gateway();
    const foreign = await TokenRoute.create();
    const seeded = async (store: TokenStore, idToken: string, refreshToken: string) => {
      await store.save(new URL(g.gateUrl).host, { idToken, refreshToken });
      secrets.push(idToken, refreshToken);
      return store;
    };
    const call = (auth: ReturnType<typeof createAuth>) => () =>
      clientFor(g, auth).POST("/echo/{n}", {
        params: { path: { n: "1" } },
        body: { text: "t", n: 1, nested: { list: [] } },
      });

    // Successful paths log too: login, refresh, 401 replay.
    await attempt(call(createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl, logger })));
    const s1 = await seeded(memoryStore(), await foreign.sign(bot), g.route.mintRefreshToken(bot));
    await attempt(call(createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl, logger, store: s1 })));
    // Failures: wrong password, refused refresh token without and with credentials, refused API key,
    // every token-route failure mode.
    await attempt(
      call(
        createAuth(passwordAuth({ email: BOT.email, password: "wrong-but-secret-pw" }), {
          gateUrl: g.gateUrl,
          logger,
        }),
      ),
    );
    const revoked = g.route.mintRefreshToken(bot);
    secrets.push(revoked);
    g.route.revokeRefreshTokens();
    await attempt(call(createAuth(refreshTokenAuth(revoked), { gateUrl: g.gateUrl, logger })));
    const s2 = await seeded(memoryStore(), await g.route.sign(bot, -10), "rt_definitely_secret_revoked");
    await attempt(
      call(
        createAuth(passwordAuth({ email: BOT.email, password: "wrong-but-secret-pw" }), {
          gateUrl: g.gateUrl,
          logger,
          store: s2,
        }),
      ),
    );
    const key = await foreign.issueApiKey();
    secrets.push(key);
    await attempt(call(createAuth(tokenAuth(key), { gateUrl: g.gateUrl, logger })));
    for (const mode of ["error500", "html", "no-id-token", "hang", "refuse"] as const) {
      g.route.mode = mode;
      // Only the hanging endpoint gets the short timeout: on a busy machine a 500 or an HTML page can
      // take longer than 200 ms to arrive, and would then be logged as a timeout, its own path unchecked.
      const timeoutMs = mode === "hang" ? 200 : 30_000;
      await attempt(call(createAuth(passwordAuth(BOT), { gateUrl: g.gateUrl, logger, timeoutMs })));
    }
    g.route.mode = "normal";
    secrets.push(...g.route.issued);

    expect(errors.length).toBe(9);
    expect(lines.length).toBeGreaterThan(5);
    const texts = [
      ...lines,
      ...errors.flatMap((e) => {
        const err = e as Error & { hint?: string };
        return [
          err.message,
          err.hint ?? "",
          String(err.stack),
          JSON.stringify(err),
          String(err.cause ?? ""),
          String(err),
        ];
      }),
    ];
    const haystack = texts.join("\n");
    for (const secret of secrets)
      expect(haystack.includes(secret), `leaked ${secret.slice(0, 6)}…`).toBe(false);
    expect(haystack).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  });

  it("the redactor scrubs JWTs, Bearer values and registered secrets", () => {
    const r = new Redactor();
    r.add("hunter22");
    const jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    expect(r.redact(`Authorization: Bearer ${jwt}; pw=hunter22; id=${jwt}`)).toBe(
      "Authorization: Bearer [redacted]; pw=[redacted]; id=[redacted JWT]",
    );
  });
});
