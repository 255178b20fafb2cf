import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readManifest, specFiles } from "@dataloop-ts/spec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockGateway, startMockGateway } from "../src/index.js";

let gateway: MockGateway;
let token: string;
beforeAll(async () => {
  gateway = await startMockGateway({ strict: false });
  const grant = await fetch(`${gateway.gateUrl}/token?default`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...gateway.defaultBot, type: "user_credentials" }),
  });
  token = ((await grant.json()) as { id_token: string }).id_token;
});
afterAll(() => gateway?.stop());
const get = (path: string) =>
  fetch(`${gateway.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

describe("the mock gateway over HTTP", () => {
  it("serves the pinned document byte for byte at /api/v1/swagger-file, as the gateway serves its own", async () => {
    const res = await fetch(`${gateway.apiUrl}/swagger-file`);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes).toEqual(readFileSync(specFiles.upstream));
    const sha = createHash("sha256").update(bytes).digest("hex");
    expect(sha).toBe(readManifest().sha256);
    expect(gateway.spec.sha256).toBe(sha);
  });

  it("a get-by-id route answers with the id that was asked for (permissive: Prism's example for an id the twin does not hold)", async () => {
    const id = "65f1c0ffee0123456789abcd";
    const pipeline = (await (await get(`/pipelines/${id}`)).json()) as { id: string; name: string };
    expect(pipeline.id).toBe(id);
    expect(pipeline.name).not.toBe("string");
    const project = (await (await get(`/projects/${id}`)).json()) as { id: string };
    expect(project.id).toBe(id);
    // …and a listing is left as served.
    const listed = await get("/projects");
    expect(listed.status).toBe(200);
  });

  it("answers GET /users/me with the token's user", async () => {
    const me = (await (await get("/users/me")).json()) as Record<string, unknown>;
    expect(me.email).toBe("bot@example.com");
    expect(me.id).toMatch(/^[0-9a-f]{24}$/);
  });
});
