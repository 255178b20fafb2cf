import { createReadStream, existsSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { OpenApiDocument } from "@dataloop-ts/codegen";
import type { TokenRoute } from "./token-route.js";

// Swagger UI's files, copied from swagger-ui-dist (a devDependency: it pulls @scarf/scarf, telemetry)
// into dist/swagger-ui/ by the build (scripts/copy-swagger-ui.mjs). The same folder from src/docs.ts
// (tests, run after the build) and from dist/docs.js (the package).
const SWAGGER_UI = fileURLToPath(new URL("../dist/swagger-ui/", import.meta.url));

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
};

function bearerSchemeName(document: OpenApiDocument): string | undefined {
  const schemes = (
    document.components as { securitySchemes?: Record<string, { type?: string; scheme?: string }> }
  )?.securitySchemes;
  return Object.entries(schemes ?? {}).find(
    ([, s]) => s.type === "http" && s.scheme?.toLowerCase() === "bearer",
  )?.[0];
}

function indexHtml(specUrl: string, scheme: string | undefined, token: string): string {
  // JSON.stringify + escaping `<` keeps the values inert inside the inline script.
  const js = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dataloop REST API (mock gateway)</title>
<link rel="stylesheet" href="swagger-ui.css"><link rel="icon" href="favicon-32x32.png"></head>
<body><div id="swagger-ui"></div>
<script src="swagger-ui-bundle.js"></script><script src="swagger-ui-standalone-preset.js"></script>
<script>
window.ui = SwaggerUIBundle({
  url: ${js(specUrl)}, dom_id: "#swagger-ui", deepLinking: true, filter: true, docExpansion: "none",
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout",
  onComplete: () => { const scheme = ${js(scheme ?? null)}; if (scheme) window.ui.preauthorizeApiKey(scheme, ${js(token)}); },
});
</script></body></html>`;
}

/**
 * What the gateway serves about itself: `GET {prefix}/swagger-file`, the document as upstream wrote it
 * (byte for byte, as the real gateway serves its own: `dataloop-codegen pull --from` the mock finds it
 * unchanged), and Swagger UI at `{prefix}/docs/` on the repaired document (`docs/openapi.json`, its
 * `servers` pointing at this gateway), signed in as the default user so "Try it out" calls go through
 * with a Bearer token.
 */
export function apiDocs(
  document: OpenApiDocument,
  route: TokenRoute,
  upstream: { bytes: Buffer; sha256: string; contentType: string },
  prefix = "/api/v1",
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const scheme = bearerSchemeName(document);
  const specByOrigin = new Map<string, string>();
  return (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if (!path.startsWith(`${prefix}/docs`) && path !== `${prefix}/swagger-file`) return false;
    const origin = `http://${req.headers.host ?? "127.0.0.1"}`;
    if (path === `${prefix}/swagger-file`) {
      res
        .writeHead(200, { "content-type": upstream.contentType, etag: `"${upstream.sha256}"` })
        .end(req.method === "HEAD" ? undefined : upstream.bytes);
      return true;
    }
    if (path === `${prefix}/docs/openapi.json`) {
      let text = specByOrigin.get(origin);
      if (!text) {
        text = JSON.stringify({
          ...document,
          servers: [{ url: `${origin}${prefix}`, description: "mock gateway" }],
        });
        if (specByOrigin.size > 16) specByOrigin.clear(); // the Host header is the client's to choose
        specByOrigin.set(origin, text);
      }
      res.writeHead(200, { "content-type": "application/json" }).end(text);
      return true;
    }
    if (path === `${prefix}/docs`) {
      res.writeHead(301, { location: `${prefix}/docs/` }).end();
      return true;
    }
    if (!path.startsWith(`${prefix}/docs/`)) return false;
    const file = path.slice(prefix.length + "/docs/".length);
    if (file === "" || file === "index.html") {
      const user = route.users[0];
      void (user ? route.sign(user) : Promise.resolve("")).then(
        (token) =>
          res
            .writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" })
            .end(indexHtml(`${prefix}/docs/openapi.json`, scheme, token)),
        () => res.writeHead(500).end(),
      );
      return true;
    }
    const type = TYPES[file.slice(file.lastIndexOf("."))];
    const local = join(SWAGGER_UI, file);
    if (!/^[\w.-]+$/.test(file) || !type || !existsSync(local)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return true;
    }
    res.writeHead(200, { "content-type": type, "cache-control": "public, max-age=3600" });
    createReadStream(local).pipe(res);
    return true;
  };
}
