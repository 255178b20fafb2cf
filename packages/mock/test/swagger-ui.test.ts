import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Chromium, startChromium } from "@dataloop-ts/test-chromium";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockGateway, startMockGateway } from "../src/index.js";

const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), "../.test-output");
let gateway: MockGateway;
let chromium: Chromium;

// startChromium may take two 45 s attempts on a slow box before it gives up with its diagnosis.
beforeAll(async () => {
  // Each assigned as it comes, so that afterAll stops the one that started when the other failed.
  await Promise.all([
    startMockGateway({ strict: false }).then((g) => {
      gateway = g;
    }),
    startChromium().then((c) => {
      chromium = c;
    }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([chromium?.close(), gateway?.stop()]);
});

describe("the mock gateway's Swagger UI in headless Chromium", () => {
  it("serves the repaired spec to Swagger UI with servers pointing at the mock", async () => {
    const res = await fetch(`${gateway.apiUrl}/docs/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { servers: Array<{ url: string }>; paths: Record<string, unknown> };
    expect(doc.servers).toEqual([{ url: gateway.apiUrl, description: "mock gateway" }]);
    expect(doc.paths["/users/me"]).toBeDefined();
  });

  it('"Try it out" on GET /users/me reaches the mock with the Bearer token pre-filled and gets a 2xx', async () => {
    const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const apiCalls: Array<{ url: string; authorization: string | undefined }> = [];
    page.on("request", (request) => {
      if (request.url().startsWith(`${gateway.apiUrl}/users/`))
        apiCalls.push({ url: request.url(), authorization: request.headers().authorization });
    });
    // Deep link: Swagger UI opens the Users tag and the getMe operation.
    await page.goto(`${gateway.docsUrl}#/Users/getMe`);
    const operation = page.locator("#operations-Users-getMe");
    await operation.locator(".try-out__btn").click({ timeout: 30_000 });
    await operation.locator("button.execute").click();
    const status = operation.locator(".live-responses-table tr.response .response-col_status").first();
    await status.waitFor({ timeout: 30_000 });
    const code = Number((await status.textContent())?.trim());
    await operation.scrollIntoViewIfNeeded();
    await mkdir(OUTPUT, { recursive: true });
    // The curl line shows the JWT: masked, so the saved screenshot carries no token.
    await page.screenshot({
      path: join(OUTPUT, "swagger-ui-try-it-out.png"),
      mask: [operation.locator(".curl-command")],
    });
    expect(code).toBeGreaterThanOrEqual(200);
    expect(code).toBeLessThan(300);
    expect(apiCalls).toHaveLength(1);
    expect(apiCalls[0]?.authorization).toMatch(/^Bearer eyJ/);
    await expect(gateway.route.verify(apiCalls[0]?.authorization?.slice(7) ?? "")).resolves.toMatchObject({
      sub: gateway.defaultBot.username,
    });
    await page.close();
  });
});
