import { type EchoGateway, startEchoGateway } from "@dataloop-ts/mock/light";
import createClient from "openapi-fetch";
import { afterEach } from "vitest";
import type { Auth } from "../src/index.js";

type Echo = { method: string; url: string; body?: unknown };
type Ok = { 200: { headers: Record<string, unknown>; content: { "application/json": Echo } } };
/** A two-route API for tests: the echo gateway answers anything under /api/v1 with what it got. */
export interface paths {
  "/echo/{n}": {
    parameters: { query?: never; header?: never; path: { n: string }; cookie?: never };
    get: { parameters: { path: { n: string } }; requestBody?: never; responses: Ok };
    post: {
      parameters: { path: { n: string } };
      requestBody: {
        content: { "application/json": { text: string; n: number; nested: { list: number[] } } };
      };
      responses: Ok;
    };
  };
}

export function clientFor(gateway: EchoGateway, auth: Auth) {
  const client = createClient<paths>({ baseUrl: gateway.apiUrl });
  client.use(auth.middleware);
  return client;
}

const gateways: EchoGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.stop()));
});

/** A fresh gateway per test, stopped after it. */
export async function gateway(options: Parameters<typeof startEchoGateway>[0] = {}): Promise<EchoGateway> {
  const g = await startEchoGateway({ users: [{ username: BOT.email, password: BOT.password }], ...options });
  gateways.push(g);
  return g;
}

// Not the mock's default "password": a secret must not be a word our own messages use.
export const BOT = { email: "bot@example.com", password: "b0t-Secret-7f3a9c" };

/**
 * Resolves once `condition()` holds, checking between turns of the event loop (`setImmediate`, which
 * tests faking `setTimeout` leave real): for "the request reached the route" without a timed sleep.
 */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setImmediate(r));
}
