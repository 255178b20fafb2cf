// Quick start: a local mock gateway, a bot login, a typed call, a paged listing, and a refresh after
// the token expires. Run: node examples/quickstart.ts (from packages/client, after `pnpm build`).
import { createDataloopClient, paginate } from "@dataloop-ts/client";
import { startMockGateway } from "@dataloop-ts/mock";

const say = (line: string) => console.log(line);

// 1. The mock gateway: the token route (real JWTs, 3 s lifetime here) in front of Prism serving the
//    document the client is typed from (@dataloop-ts/spec), with believable, seeded example data.
const gateway = await startMockGateway({ lifetimeSeconds: 3 });
say(`mock gateway: ${gateway.apiUrl} (started in ${gateway.startup.ms} ms)`);

try {
  // 2. Bot (M2M) login: the client logs in on first use and keeps the token fresh.
  const dl = createDataloopClient({
    gateUrl: gateway.gateUrl,
    auth: { email: gateway.defaultBot.username, password: gateway.defaultBot.password },
    skewMs: 1_000,
  });

  // 3. A typed call: path parameters and the response body are checked by TypeScript.
  const { data: project } = await dl.GET("/projects/{projectId}", {
    params: { path: { projectId: "65f1c0ffee0123456789abcd" } },
  });
  say(`GET /projects/{projectId} → project "${project?.name}" (id ${project?.id})`);

  // 4. A paged listing: every item of every page, as an async iterator.
  let count = 0;
  for await (const item of paginate(
    (pageOffset) =>
      dl
        .GET("/datasets/{datasetId}/items", {
          params: { path: { datasetId: "65f1c0ffee0123456789abce" }, query: { pageOffset, pageSize: 100 } },
        })
        .then((r) => r.data),
    { maxPages: 3 },
  )) {
    if (count++ === 0) say(`first item: ${item.filename ?? item.name} (${item.type})`);
  }
  say(`paged listing: ${count} items`);

  // 5. Wait past the token's expiry: the next call refreshes first, once.
  const before = gateway.route.calls.refresh;
  await new Promise((r) => setTimeout(r, 3_200));
  const { data: me } = await dl.GET("/users/me");
  say(`after expiry: GET /users/me → ${me?.email}; refresh calls: ${gateway.route.calls.refresh - before}`);
  say(`token calls in all: ${gateway.route.calls.password} login, ${gateway.route.calls.refresh} refresh`);
} finally {
  await gateway.stop();
}
