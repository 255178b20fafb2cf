import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";

/** Rewrites a JSON answer of Prism's before it is sent: gets the request path and the parsed body. */
export type AnswerRewrite = (method: string, path: string, body: unknown) => unknown;

/** Forwards a request to Prism; `body`: the request's bytes when they were read already (a twin that passed it on). */
export type ProxyHandler = (req: IncomingMessage, res: ServerResponse, body?: Buffer) => void;

export interface PrismProxy {
  handler: ProxyHandler;
  close(): void;
}

/**
 * The gateway's `/api/v1/…` onto Prism, which serves the spec's paths at its root. Answers are
 * streamed through, except the JSON answers `rewrites` asks to see (buffered, rewritten, re-sent).
 */
export function prismProxy(
  prismUrl: string,
  wantsRewrite: (method: string, path: string) => boolean,
  rewrite: AnswerRewrite,
): PrismProxy {
  const target = new URL(prismUrl);
  // No keep-alive to Prism: its server drops idle sockets without notice, and a reused dead socket is a 502.
  const agent = new Agent({ keepAlive: false, maxSockets: 64 });
  const handler: ProxyHandler = (req, res, body) => {
    const path = (req.url ?? "/").replace(/^\/api\/v1/, "") || "/";
    const method = req.method ?? "GET";
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        headers: { ...req.headers, host: target.host },
        agent,
      },
      (answer) => {
        const status = answer.statusCode ?? 502;
        const pathOnly = path.split("?")[0] ?? "/";
        const json = /^application\/json/.test(String(answer.headers["content-type"] ?? ""));
        if (!(status >= 200 && status < 300 && json && wantsRewrite(method, pathOnly))) {
          res.writeHead(status, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on("data", (c: Buffer) => chunks.push(c));
        answer.on("end", () => {
          let text = Buffer.concat(chunks).toString("utf8");
          try {
            text = JSON.stringify(rewrite(method, pathOnly, JSON.parse(text)));
          } catch {
            // not JSON after all: sent as Prism wrote it
          }
          const headers = { ...answer.headers, "content-length": String(Buffer.byteLength(text)) };
          delete headers["transfer-encoding"];
          res.writeHead(status, headers).end(text);
        });
      },
    );
    upstream.on("error", (error) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: 502, message: `mock gateway: Prism failed (${error.message})` }));
    });
    if (body) upstream.end(body);
    else req.pipe(upstream);
  };
  return { handler, close: () => agent.destroy() };
}

/** `METHOD /a/{x}/b` keys → a matcher of concrete paths, with the values of the path parameters. */
export function routeMatcher(operations: string[]) {
  const routes = operations.map((key) => {
    const [method = "", template = ""] = key.split(" ");
    const names: string[] = [];
    const source = template
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const name = /^\{([^}]+)\}$/.exec(part)?.[1];
        if (name === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
        names.push(name);
        return "([^/]+)";
      })
      .join("");
    return { method, template, names, re: new RegExp(`^${source}$`) };
  });
  // The most specific route first, as routers (and Prism) pick them: `/users/me` before `/users/{userId}`.
  routes.sort((a, b) => a.names.length - b.names.length);
  return (method: string, path: string) => {
    for (const route of routes) {
      if (route.method !== method) continue;
      const m = route.re.exec(path);
      if (!m) continue;
      const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? "")]));
      return { template: route.template, params };
    }
    return undefined;
  };
}

/**
 * Of the GET routes given, the get-by-id ones (`GET …/{param}`, the last segment a parameter, and no
 * literal route such as `/users/me` matching first): the object served back carries the id asked for,
 * as the gateway's would — a test that reads `project.id` sees its own id.
 */
export function sameIdRewrite(getRoutes: string[]) {
  const match = routeMatcher(getRoutes);
  const idParam = (method: string, path: string) => {
    const found = match(method, path);
    const last = found && /\{([^}]+)\}$/.exec(found.template)?.[1];
    return last ? { found, last } : undefined;
  };
  return {
    wants: (method: string, path: string) => idParam(method, path) !== undefined,
    rewrite: (method: string, path: string, body: unknown) => {
      const { found, last } = idParam(method, path) ?? {};
      if (
        found &&
        last &&
        body &&
        typeof body === "object" &&
        !Array.isArray(body) &&
        typeof (body as { id?: unknown }).id === "string"
      ) {
        return { ...body, id: found.params[last] };
      }
      return body;
    },
  };
}
