import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A started {@link listenLoopback} server: where it listens and how to stop it.
 * @example
 * ```ts
 * import { listenLoopback, type LoopbackServer } from "@dataloop-ts/core/node";
 *
 * const gateway: LoopbackServer = await listenLoopback((_req, res) => res.writeHead(503).end());
 * console.log(gateway.url, gateway.port);
 * await gateway.stop();
 * ```
 */
export interface LoopbackServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The port the system gave it (or the one asked for). */
  port: number;
  /** The node:http server itself, for what the handler alone cannot do. */
  server: Server;
  /** Closes the server and every open connection (keep-alive ones too); resolves once it is closed. */
  stop(): Promise<void>;
}

/**
 * An HTTP server on a free loopback port; `stop` closes it and every open connection.
 * @example
 * ```ts
 * import { listenLoopback } from "@dataloop-ts/core/node";
 *
 * // A gateway that misbehaves on purpose: every answer is a 429 with a Retry-After.
 * const gateway = await listenLoopback((_req, res) => res.writeHead(429, { "retry-after": "1" }).end());
 * try {
 *   const response = await fetch(`${gateway.url}/api/v1/users/me`);
 *   console.log(response.status); // 429
 * } finally {
 *   await gateway.stop();
 * }
 * ```
 */
export async function listenLoopback(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  port = 0,
): Promise<LoopbackServer> {
  const server = createServer(handler);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
