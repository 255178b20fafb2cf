// A `timeoutMs` under a second, on a clock the test moves: the call fails once that time has passed on
// the client's timer, not at undici's next half-second tick (its headers timeout runs on fast timers,
// and 100 ms fired after 0.5–1 s). A file of its own: the fake clock is in place before undici's first
// timer, so that undici's timers run on it too, and only what the client keeps itself can fire.
import type { IncomingMessage } from "node:http";
import { type LoopbackServer, listenLoopback } from "@dataloop-ts/core/node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDataloopClient } from "../src/index.js";

let server: LoopbackServer;
const seen: IncomingMessage[] = [];
beforeAll(async () => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
  // Reads every request whole (a body too) and never answers.
  server = await listenLoopback((req) => {
    req.resume();
    req.on("end", () => seen.push(req));
  });
});
afterAll(async () => {
  vi.useRealTimers();
  await server.stop();
});

/** Turns of the real event loop: the sockets' work, which the fake clock does not move. */
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe("a timeoutMs under a second", () => {
  for (const [name, call] of [
    ["a GET", (dl: ReturnType<typeof createDataloopClient>) => dl.GET("/users/me")],
    [
      "a POST with a small body",
      (dl: ReturnType<typeof createDataloopClient>) => dl.POST("/projects", { body: { name: "p" } as never }),
    ],
  ] as const)
    it(`fails ${name} by timeoutMs once that time has passed on the client's timer`, async () => {
      const dl = createDataloopClient({
        gateUrl: server.url,
        auth: { getToken: async () => "t0ken" },
        timeoutMs: 100,
        retry: false,
      });
      const before = seen.length;
      let outcome: unknown;
      void Promise.resolve(call(dl)).then(
        (result) => {
          outcome = result;
        },
        (error: unknown) => {
          outcome = error;
        },
      );
      while (seen.length === before) await turns(1);
      await vi.advanceTimersByTimeAsync(90);
      await turns(20);
      expect(outcome).toBeUndefined();
      await vi.advanceTimersByTimeAsync(20);
      // Turns of the loop, not a wait on the settling: on the fake clock a call that only undici's timer
      // could end would never settle (vitest's own timeout runs on that clock too).
      await turns(200);
      expect(outcome).toMatchObject({ code: "CONNECTION_ERROR", kind: "timeout", deadline: "timeoutMs" });
    });
});
