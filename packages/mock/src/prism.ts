import { createLogger } from "@stoplight/prism-core";
import { createServer } from "@stoplight/prism-http-server";

export interface PrismServer {
  url: string;
  close(): Promise<void>;
}

export interface PrismOptions {
  port?: number;
  /** Prism's own log level (default "silent"; "info" shows each request it answers). */
  logLevel?: "silent" | "error" | "warn" | "info" | "debug";
}

/**
 * Prism in this process, on a loopback port: requests validated (an invalid one is answered 422),
 * examples served statically. Started from bundled operations, so no parse.
 */
export async function startPrism(operations: unknown[], options: PrismOptions = {}): Promise<PrismServer> {
  const logger = createLogger("PRISM", { level: options.logLevel ?? "silent" });
  const server = createServer(operations as Parameters<typeof createServer>[0], {
    cors: false,
    components: { logger },
    config: {
      validateRequest: true,
      // Prism re-compiles a response schema on every request: with it on, the mock answers an order of
      // magnitude fewer requests (the mock bench prints the throughput). The examples it serves were
      // validated once, when the mock spec was prepared (examples.ts).
      validateResponse: false,
      checkSecurity: true,
      errors: true,
      upstreamProxy: undefined,
      isProxy: false,
      mock: { dynamic: false },
    },
  });
  const address = await server.listen(options.port ?? 0, "127.0.0.1");
  const port = Number(new URL(address).port);
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}
