import type { IncomingMessage, ServerResponse } from "node:http";
import type { OpenApiDocument } from "@dataloop-ts/codegen";
import { type Clock, systemClock } from "@dataloop-ts/core";
import type { TokenRoute } from "../token-route.js";
import type { SpecValidator } from "../validate.js";
import { TwinFaults } from "./faults.js";
import { RequestLog } from "./request-log.js";
import { annotationRoutes } from "./resources/annotations.js";
import { apiKeyRoutes } from "./resources/apikeys.js";
import { datasetRoutes } from "./resources/datasets.js";
import { itemRoutes } from "./resources/items.js";
import { orgRoutes } from "./resources/orgs.js";
import { projectRoutes } from "./resources/projects.js";
import { userRoutes } from "./resources/users.js";
import { type TwinRoute, twinRouter } from "./router.js";
import { loadFixtures, readFixtures, seedTwin, type TwinFixtures } from "./seed.js";
import { TwinStore } from "./store.js";
import { templatesOf } from "./templates.js";

/**
 * The twin's options (part of `startMockGateway`'s): the seed of its data, your fixtures (an object or a JSON file's path), its clock, and `strict` (an unknown id is a 404; `false` hands it to Prism).
 * @example
 * ```ts
 * import { startMockGateway, type TwinOptions } from "@dataloop-ts/mock";
 *
 * const options: TwinOptions = { seed: 3, fixtures: "./fixtures.json", strict: false };
 * const gateway = await startMockGateway(options);
 * await gateway.stop();
 * ```
 */
export interface TwinOptions {
  /** Fixes the held data's ids, names and dates (default 1): the same seed, the same data, every run. */
  seed?: number;
  /** A user's own projects, datasets, items and annotations (an object, or a JSON file's path), loaded after the seed's. */
  fixtures?: TwinFixtures | string;
  /** The time the twin stamps (`createdAt`, `updatedAt`, the request log). Default: the system clock. */
  clock?: Clock;
  /**
   * `true` (the default): an id the twin does not hold is a 404, as on the gateway, so that a test of
   * "not found" can be written. `false`: a request for an id the twin does not hold is Prism's (its
   * example, with the id asked for), and an upload makes its dataset — for tests written with made-up ids.
   */
  strict?: boolean;
}

/**
 * The gateway's core held as state, in front of Prism: users, orgs, projects, datasets, items (with
 * their bytes), annotations, bots and API keys. `handle` answers the routes it owns and returns false
 * for the rest (Prism's).
 * @example
 * ```ts
 * import { startMockGateway } from "@dataloop-ts/mock";
 *
 * const gateway = await startMockGateway();
 * const twin = gateway.twin;
 * console.log(twin.store.datasets.size, twin.store.items.size, twin.log.entries.length);
 * await gateway.stop();
 * ```
 */
export class GatewayTwin {
  readonly store: TwinStore;
  readonly faults = new TwinFaults();
  readonly log: RequestLog;
  private readonly route: ReturnType<typeof twinRouter>;
  private readonly fixtures: TwinFixtures | undefined;

  constructor(
    /** The served document (repaired, with its examples): what the twin's answers are shaped by. */
    readonly document: OpenApiDocument,
    validator: SpecValidator,
    tokens: TokenRoute,
    private readonly options: TwinOptions,
    private readonly defaultUser: string,
    fallback?: (req: IncomingMessage, res: ServerResponse, body?: Buffer) => void,
  ) {
    const clock = options.clock ?? systemClock;
    this.store = new TwinStore(templatesOf(document), options.seed ?? 1, clock);
    this.log = new RequestLog(() => clock.now());
    this.fixtures = typeof options.fixtures === "string" ? readFixtures(options.fixtures) : options.fixtures;
    const strict = options.strict ?? true;
    const table: Record<string, TwinRoute> = {
      ...userRoutes(this.store),
      ...orgRoutes(this.store),
      ...projectRoutes(this.store),
      ...datasetRoutes(this.store),
      ...itemRoutes(this.store, { datasetsOnUpload: !strict }),
      ...annotationRoutes(this.store),
      ...apiKeyRoutes(this.store, tokens),
    };
    this.route = twinRouter(
      table,
      validator,
      document as { paths: Record<string, unknown> },
      strict ? undefined : fallback,
      () => this.store.changed(),
    );
  }

  /**
   * Where the held objects' URLs (`item.stream`…) point: the gateway's API base, known once it
   * listens. Seeds the twin (a fixture that does not load throws `TwinFixturesError`).
   */
  listen(apiUrl: string): void {
    this.store.apiUrl = apiUrl;
    this.reset();
  }

  /** The seed of the held data. */
  get seed(): number {
    return this.options.seed ?? 1;
  }

  /** Back to the seeded data and the fixtures; the request log emptied, the faults off. */
  reset(): void {
    this.store.clear(this.options.seed ?? 1);
    seedTwin(this.store, this.options.seed ?? 1, this.defaultUser);
    if (this.fixtures) loadFixtures(this.store, this.fixtures, this.defaultUser);
    this.log.clear();
    this.faults.clear();
    this.store.changed();
  }

  /** Answers an API call (`path` without `/api/v1`) the twin owns; false passes it on. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    return this.route(req, res, path);
  }
}
