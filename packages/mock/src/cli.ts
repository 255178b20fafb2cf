#!/usr/bin/env node
import { parseArgs } from "node:util";
import { startMockGateway } from "./gateway.js";

const USAGE = `dataloop-mock — a local Dataloop gateway: the token route (real JWTs) and Bearer check in front of
Prism serving the repaired Dataloop spec (by default @dataloop-ts/spec's: the one the client is typed from)

  -p, --port N        gateway port (default: a free one)
  --spec PATH|URL     serve this OpenAPI document instead (JSON or YAML; repaired like the pinned one)
  --lifetime S        id_token lifetime, in seconds (default 3600)
  --cache-dir DIR     where the prepared spec is cached (default: the per-user cache, ~/.cache/dataloop-ts;
                      DATALOOP_TS_CACHE overrides it)
  --no-cache          prepare the spec afresh, keep nothing
  --seed N            the seed of the held data: the same N, the same ids, names and dates (default 1)
  --fixtures FILE     load your own orgs, projects, datasets, items and annotations (JSON) after the seed's
  --permissive        unknown ids fall through to Prism's examples (the mock before the twin), uploads make
                      their dataset; by default an unknown id is a 404, as on the gateway
  -v, --verbose       log each request Prism answers
  -h, --help          this text`;

/** Exits with a one-paragraph message: what was wrong and what to do; the stack only with DEBUG set. */
function fail(error: unknown): never {
  const e = error as { message?: string; hint?: string; code?: string };
  if (process.env.DEBUG) console.error(error);
  else if (e?.hint) console.error(`dataloop-mock: ${e.message}\n  → ${e.hint}`);
  else if (typeof e?.code === "string" && e.code.startsWith("ERR_PARSE_ARGS"))
    console.error(`dataloop-mock: ${e.message}\nRun dataloop-mock --help for usage.`);
  else
    console.error(
      `dataloop-mock: ${e?.message ?? String(error)}\n  → Run again with DEBUG=1 for the stack, and report it if it looks like a bug.`,
    );
  process.exit(e?.code?.startsWith?.("ERR_PARSE_ARGS") || e?.code === "USAGE" ? 2 : 1);
}

function whole(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw Object.assign(new Error(`${flag} takes a whole number ≥ ${min}, got "${text}"`), { code: "USAGE" });
  return n;
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string", short: "p" },
      spec: { type: "string" },
      lifetime: { type: "string" },
      "cache-dir": { type: "string" },
      "no-cache": { type: "boolean", default: false },
      seed: { type: "string" },
      fixtures: { type: "string" },
      permissive: { type: "boolean", default: false },
      verbose: { type: "boolean", short: "v", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const gateway = await startMockGateway({
    ...(values.port ? { port: whole(values.port, "--port", 0) } : {}),
    ...(values.lifetime ? { lifetimeSeconds: whole(values.lifetime, "--lifetime", 1) } : {}),
    ...(values.spec ? { spec: values.spec } : {}),
    ...(values["no-cache"]
      ? { cacheDir: false as const }
      : values["cache-dir"]
        ? { cacheDir: values["cache-dir"] }
        : {}),
    ...(values.verbose ? { prismLogLevel: "info" as const } : {}),
    ...(values.seed !== undefined ? { seed: whole(values.seed, "--seed", 0) } : {}),
    ...(values.fixtures ? { fixtures: values.fixtures } : {}),
    strict: !values.permissive,
  });
  const { startup, spec } = gateway;
  console.log(`Dataloop mock gateway ready in ${startup.ms} ms (${startup.cache === "hit" ? "warm" : "cold"})
  gate URL:      ${gateway.gateUrl}
  API base URL:  ${gateway.apiUrl}
  Swagger UI:    ${gateway.docsUrl}
  spec:          ${spec.title} ${spec.version}, sha256 ${spec.sha256.slice(0, 12)}… (${gateway.apiUrl}/swagger-file)
  browser login: ${gateway.gateUrl}/login?callback=http://localhost:PORT
  default bot:   ${gateway.defaultBot.username} / ${gateway.defaultBot.password}
  held data:     seed ${gateway.twin.seed}${values.fixtures ? ` + ${values.fixtures}` : ""}: ${gateway.twin.store.projects.size} projects, ${gateway.twin.store.datasets.size} datasets, ${gateway.twin.store.items.size} items (POST ${gateway.gateUrl}/_twin/reset brings them back)${
    startup.cacheError
      ? `\n  note: the prepared spec could not be cached (${startup.cacheError}); every start is cold`
      : ""
  }
Ctrl-C stops it.`);
  const stop = () => void gateway.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch(fail);
