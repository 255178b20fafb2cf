// The request path under a hostile gateway: what a body's size, a redirect or a signal must not change.
import type { IncomingMessage, ServerResponse } from "node:http";
import { type LoopbackServer, listenLoopback } from "@dataloop-ts/core/node";
import { afterEach, describe, expect, it } from "vitest";
import { createDataloopClient, DataloopConnectionError } from "../src/index.js";

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function api(reply: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void) {
  const server = await listenLoopback((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => reply(req, res, Buffer.concat(chunks)));
  });
  servers.push(server);
  return server;
}
const client = (url: string) =>
  createDataloopClient({ gateUrl: url, auth: { getToken: async () => "t0ken" }, retry: false });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("a caller's signal after the answer's headers", () => {
  for (const [what, bytes] of [
    ["a small body", 1000],
    ["a body over 64 KiB", 100 * 1024],
  ] as const) {
    it(`aborted while the answer's body stalls, ends the read (${what} sent)`, async () => {
      const server = await api((_q, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.write("first bytes");
        // …and nothing more, ever.
      });
      const abort = new AbortController();
      const { data } = await client(server.url).PATCH("/items/{id}", {
        params: { path: { id: "i" } },
        body: { name: "x".repeat(bytes) } as never,
        parseAs: "stream",
        signal: abort.signal,
      });
      const reader = (data as ReadableStream<Uint8Array>).getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toBe("first bytes");
      abort.abort();
      const error = await failure(reader.read());
      expect(error).toBeInstanceOf(DataloopConnectionError);
      expect((error as DataloopConnectionError).kind).toBe("aborted");
    }, 10_000);
  }
});
