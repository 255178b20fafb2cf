import { readFileSync } from "node:fs";
import { DataloopError } from "@dataloop-ts/core";
import { annotationLinks, datasetLinks, itemLinks } from "./links.js";
import { userFor } from "./resources/users.js";
import type { Entity, HeldItem, TwinStore } from "./store.js";

/**
 * A user's own data for the twin (`fixtures` / `--fixtures FILE`, JSON). Ids are made when left out.
 * @example
 * ```ts
 * import { startMockGateway, type TwinFixtures } from "@dataloop-ts/mock";
 *
 * const fixtures: TwinFixtures = {
 *   projects: [{ id: "65f1c0ffee0123456789aaaa", name: "mine" }],
 *   datasets: [{ id: "65f1c0ffee0123456789bbbb", name: "photos", projects: ["65f1c0ffee0123456789aaaa"] }],
 *   items: [{ id: "65f1c0ffee0123456789cccc", datasetId: "65f1c0ffee0123456789bbbb", filename: "/cats/a.txt", text: "the bytes" }],
 *   annotations: [{ itemId: "65f1c0ffee0123456789cccc", type: "class", label: "cat" }],
 * };
 * const gateway = await startMockGateway({ fixtures });
 * await gateway.stop();
 * ```
 */
export interface TwinFixtures {
  orgs?: Array<{ id?: string; name: string } & Record<string, unknown>>;
  projects?: Array<{ id?: string; name: string; org?: string } & Record<string, unknown>>;
  datasets?: Array<{ id?: string; name: string; projects?: string[] } & Record<string, unknown>>;
  /** Files: `filename` is the remote path (`/dir/a.txt`), `text` the bytes (UTF-8; default empty). */
  items?: Array<
    { id?: string; datasetId: string; filename: string; text?: string } & Record<string, unknown>
  >;
  annotations?: Array<
    { id?: string; itemId: string; type: string; label?: string } & Record<string, unknown>
  >;
}

/**
 * A fixtures file or object the twin cannot load: which entry, and why.
 * @example
 * ```ts
 * import { startMockGateway, TwinFixturesError } from "@dataloop-ts/mock";
 *
 * try {
 *   await startMockGateway({ fixtures: { items: [{ datasetId: "nope", filename: "/a.txt" }] } });
 * } catch (e) {
 *   if (e instanceof TwinFixturesError) console.log(e.code, e.message, e.hint); // "TWIN_FIXTURES"
 * }
 * ```
 */
export class TwinFixturesError extends DataloopError {
  static override readonly code = "TWIN_FIXTURES" as const;
  override name = "TwinFixturesError";
  override readonly code = "TWIN_FIXTURES" as const;
  constructor(init: { message: string; cause?: unknown }) {
    super({
      ...init,
      hint: "Fixtures are JSON: { orgs, projects, datasets, items, annotations }; an item names a dataset of the file (datasetId), an annotation an item (itemId).",
    });
  }
}

const WORDS = [
  "amber",
  "brisk",
  "cedar",
  "delta",
  "ember",
  "fjord",
  "grove",
  "harbor",
  "iris",
  "juniper",
  "kestrel",
  "lumen",
  "meadow",
  "nimbus",
  "orchid",
  "pine",
  "quartz",
  "river",
  "sierra",
  "tundra",
];

/**
 * The data a fresh twin holds, made from `seed` alone (names, ids and dates; dates from a clock of the
 * seed's, not the wall clock): an org, a project and a dataset of a few small files with an annotation
 * each — so `GET /projects` and a query answer something believable from the first call.
 */
export function seedTwin(store: TwinStore, seed: number, defaultUser: string): void {
  const realClock = store.clock;
  let at = Date.UTC(2025, 0, 1) + (seed % 365) * 86_400_000;
  store.clock = { now: () => (at += 60_000 + store.rng.int(3_600_000)) };
  try {
    const name = () => `${store.rng.pick(WORDS)}-${store.rng.pick(WORDS)}`;
    userFor(store, defaultUser);
    const org = store.make(store.templates.org, {
      name: name(),
      creator: defaultUser,
      owner: defaultUser,
      members: [],
      groups: [],
      integrations: [],
    });
    store.orgs.set(org.id, org);
    const project = store.make(store.templates.project, {
      name: name(),
      org: org.id,
      creator: defaultUser,
      contributors: [],
      groups: [],
      guests: [],
    });
    store.projects.set(project.id, project);
    const dataset = datasetLinks(
      store.apiUrl,
      store.make(store.templates.dataset, {
        name: name(),
        projects: [project.id],
        creator: defaultUser,
        readonly: false,
      }),
    );
    store.datasets.set(dataset.id, dataset);
    for (let i = 0; i < 5; i++) {
      const text = `${name()}\n`;
      const item = addFixtureItem(
        store,
        { datasetId: dataset.id, filename: `/seed/${name()}-${i}.txt`, text },
        defaultUser,
      );
      const annotation = annotationLinks(
        store.apiUrl,
        store.make(store.templates.annotation, {
          type: "class",
          label: store.rng.pick(WORDS),
          attributes: [],
          metadata: { system: {} },
          itemId: item.id,
          item: item.id,
          datasetId: dataset.id,
          dataset: dataset.id,
          creator: defaultUser,
          updatedBy: defaultUser,
        }),
      ) as Entity & { itemId: string };
      store.addAnnotation(annotation);
      Object.assign(item, { annotationsCount: 1, annotated: true });
    }
  } finally {
    store.clock = realClock;
  }
}

function addFixtureItem(
  store: TwinStore,
  fixture: NonNullable<TwinFixtures["items"]>[number],
  creator: string,
): HeldItem["item"] {
  const { id, text = "", filename, datasetId, ...rest } = fixture;
  const own = (rest.metadata ?? {}) as { system?: Record<string, unknown> } & Record<string, unknown>;
  const remote = filename.startsWith("/") ? filename : `/${filename}`;
  const slash = remote.lastIndexOf("/");
  const bytes = Buffer.from(text, "utf8");
  const system =
    (store.templates.item.metadata as { system?: Record<string, unknown> } | undefined)?.system ?? {};
  const item = itemLinks(
    store.apiUrl,
    store.make(
      store.templates.item,
      {
        datasetId,
        dataset: datasetId,
        type: "file",
        filename: remote,
        name: remote.slice(slash + 1),
        dir: remote.slice(0, slash) || "/",
        creator,
        annotated: false,
        annotationsCount: 0,
        ...rest,
        metadata: {
          ...own,
          // The fixture's own system fields (a mimetype, a size of a file it does not give) win.
          system: {
            ...system,
            size: bytes.length,
            mimetype: "text/plain",
            originalname: remote.slice(slash + 1),
            originalPath: remote,
            encoding: "7bit",
            ...own.system,
          },
        },
      },
      id,
    ),
  ) as HeldItem["item"];
  store.addItem({ item, bytes });
  return item;
}

/** Reads a fixtures file (JSON); a file that cannot be read or parsed is a `TwinFixturesError`. */
export function readFixtures(file: string): TwinFixtures {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as TwinFixtures;
  } catch (cause) {
    throw new TwinFixturesError({
      message: `Cannot load fixtures from ${file}: ${(cause as Error).message}`,
      cause,
    });
  }
}

/** Loads a user's fixtures on top of what the twin holds; a dangling reference is a `TwinFixturesError`. */
export function loadFixtures(store: TwinStore, fixtures: TwinFixtures, creator: string): void {
  for (const [i, o] of (fixtures.orgs ?? []).entries()) {
    if (typeof o?.name !== "string")
      throw new TwinFixturesError({ message: `fixtures.orgs[${i}] needs a name` });
    const { id, ...fields } = o;
    const org = store.make(
      store.templates.org,
      { creator, owner: creator, members: [], groups: [], integrations: [], ...fields },
      id,
    );
    store.orgs.set(org.id, org);
  }
  for (const [i, p] of (fixtures.projects ?? []).entries()) {
    if (typeof p?.name !== "string")
      throw new TwinFixturesError({ message: `fixtures.projects[${i}] needs a name` });
    const { id, ...fields } = p;
    const project = store.make(
      store.templates.project,
      { creator, contributors: [], groups: [], guests: [], ...fields },
      id,
    );
    store.projects.set(project.id, project);
  }
  for (const [i, d] of (fixtures.datasets ?? []).entries()) {
    if (typeof d?.name !== "string")
      throw new TwinFixturesError({ message: `fixtures.datasets[${i}] needs a name` });
    for (const p of d.projects ?? [])
      if (!store.projects.has(p))
        throw new TwinFixturesError({
          message: `fixtures.datasets[${i}] names project ${p}, which the fixtures do not hold`,
        });
    const { id, ...fields } = d;
    const dataset = datasetLinks(
      store.apiUrl,
      store.make(store.templates.dataset, { creator, projects: [], readonly: false, ...fields }, id),
    );
    store.datasets.set(dataset.id, dataset);
  }
  for (const [i, item] of (fixtures.items ?? []).entries()) {
    if (typeof item?.filename !== "string")
      throw new TwinFixturesError({ message: `fixtures.items[${i}] needs a filename` });
    if (!store.datasets.has(item.datasetId))
      throw new TwinFixturesError({
        message: `fixtures.items[${i}] names dataset ${item.datasetId}, which the fixtures do not hold`,
      });
    addFixtureItem(store, item, creator);
  }
  for (const [i, a] of (fixtures.annotations ?? []).entries()) {
    const held = store.items.get(a?.itemId);
    if (!held)
      throw new TwinFixturesError({
        message: `fixtures.annotations[${i}] names item ${a?.itemId}, which the fixtures do not hold`,
      });
    const { id, ...fields } = a;
    const annotation = annotationLinks(
      store.apiUrl,
      store.make(
        store.templates.annotation,
        {
          label: "",
          attributes: [],
          metadata: { system: {} },
          creator,
          ...fields,
          item: held.item.id,
          datasetId: held.item.datasetId,
          dataset: held.item.datasetId,
        },
        id,
      ),
    ) as Entity & { itemId: string };
    store.addAnnotation(annotation);
    const count = store.annotationsByItem.get(held.item.id)?.length ?? 0;
    Object.assign(held.item, { annotationsCount: count, annotated: true });
  }
}
