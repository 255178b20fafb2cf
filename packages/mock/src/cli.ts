#!/usr/bin/env node
import { parseArgs } from "node:util";
import { startMockGateway } from "./gateway.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", short: "p" },
    lifetime: { type: "string" },
    verbose: { type: "boolean", short: "v", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(`dataloop-mock — a local Dataloop gateway (token route + Prism on the pinned, repaired spec)

  -p, --port N      gateway port (default: a free one)
  --lifetime S      id_token lifetime in seconds (default 3600)
  -v, --verbose     log each request Prism answers`);
  process.exit(0);
}
const gateway = await startMockGateway({
  ...(values.port ? { port: Number(values.port) } : {}),
  ...(values.lifetime ? { lifetimeSeconds: Number(values.lifetime) } : {}),
  ...(values.verbose ? { prismLogLevel: "info" as const } : {}),
});
console.log(`Dataloop mock gateway ready in ${gateway.startup.ms} ms (${gateway.startup.fromCache ? "warm" : "cold"})
  gate URL:     ${gateway.gateUrl}
  API base URL: ${gateway.url}
  Swagger UI:   ${gateway.docsUrl}
  browser login: ${gateway.gateUrl}/login?callback=http://localhost:PORT
  default bot:  ${gateway.defaultBot.username} / ${gateway.defaultBot.password}
Ctrl-C stops it.`);
const stop = () => void gateway.stop().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
