// Quick start: a local mock gateway, a bot login, a typed call, a paged listing, and a refresh after
// the token expires. Run: node examples/quickstart.ts (from packages/client, after `pnpm build`).
import { createDataloopClient, paginate } from "@dataloop-ts/client";
import { manualClock } from "@dataloop-ts/core";
import { startMockGateway } from "@dataloop-ts/mock";

const say = (line: string) => console.log(line);

// The gateway and the session read one clock that this example moves forward (step 5), so that a
// token expires without waiting an hour for it. Without `clock`, both read the system clock.
const clock = manualClock(Date.now());

// 1. The mock gateway: the token route (real JWTs, one-hour lifetime, as the gateway's) in front of
//    Prism serving the document the client is typed from (@dataloop-ts/spec), with believable,
//    seeded example data.
const gateway = await startMockGateway({ clock, strict: false });
say(`mock gateway: ${gateway.apiUrl} (started in ${gateway.startup.ms} ms)`);

try {
  // 2. Bot (M2M) login: the session logs in on first use and keeps the token fresh.
  const dl = createDataloopClient({
    gateUrl: gateway.gateUrl,
    auth: { email: gateway.defaultBot.username, password: gateway.defaultBot.password },
    clock,
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

  // 5. An hour and a minute later (the clock moves; nothing sleeps): the token has expired, and the
  //    next call refreshes first, once.
  const before = gateway.route.calls.refresh;
  clock.advance(3_660_000);
  const { data: me } = await dl.GET("/users/me");
  say(`after expiry: GET /users/me → ${me?.email}; refresh calls: ${gateway.route.calls.refresh - before}`);
  say(`token calls in all: ${gateway.route.calls.password} login, ${gateway.route.calls.refresh} refresh`);
} finally {
  await gateway.stop();
}
