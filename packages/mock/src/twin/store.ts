import { type Clock, systemClock } from "@dataloop-ts/core";
import { DqlIndexes, type ListIndex } from "./dql-index.js";
import { EntityJson } from "./entity-json.js";
import { notFound } from "./errors.js";
import { IdMaker, type Rng, seededRng } from "./ids.js";
import type { Templates } from "./templates.js";

export type Entity = Record<string, unknown> & { id: string };
/** An item the twin holds: the object the gateway answers with, and a file's bytes. */
export interface HeldItem {
  item: Entity & { datasetId: string; filename: string };
  bytes: Buffer;
}

/**
 * The twin's state: users, orgs, projects, datasets, items (with their bytes), annotations, API keys.
 * Relations are kept: an item's dataset exists, deleting a dataset removes its items and their
 * annotations. Items are also held per dataset in id order (ids sort in creation order, ids.ts), so a
 * DQL query sorted by id needs no sort. Times come from `clock`, ids from a seeded generator.
 */
export class TwinStore {
  readonly users = new Map<string, Entity>();
  readonly orgs = new Map<string, Entity>();
  readonly projects = new Map<string, Entity>();
  readonly datasets = new Map<string, Entity>();
  readonly items = new Map<string, HeldItem>();
  readonly itemsByDataset = new Map<string, Array<HeldItem["item"]>>();
  readonly annotations = new Map<string, Entity>();
  readonly annotationsByItem = new Map<string, Entity[]>();
  readonly apiKeys = new Map<string, Entity>();
  rng: Rng;
  /**
   * Moves on at every change of the held data (the store's methods, and every write the routes
   * answer): what DQL's kept columns, sort orders and serialised items are valid for. A test that
   * changes held objects directly calls `changed()` after.
   */
  generation = 0;
  private readonly indexes = new DqlIndexes();
  private readonly json = new EntityJson();
  /** The API base the held objects' URLs point at (set when the gateway listens). */
  apiUrl = "http://127.0.0.1/api/v1";
  private ids: IdMaker;

  constructor(
    readonly templates: Templates,
    seed: number,
    public clock: Clock = systemClock,
  ) {
    this.rng = seededRng(seed);
    this.ids = new IdMaker(this.rng);
  }

  /** Empties the store and restarts the id generator from `seed`. */
  clear(seed: number): void {
    for (const map of [
      this.users,
      this.orgs,
      this.projects,
      this.datasets,
      this.items,
      this.itemsByDataset,
      this.annotations,
      this.annotationsByItem,
      this.apiKeys,
    ])
      map.clear();
    this.rng = seededRng(seed);
    this.ids = new IdMaker(this.rng);
  }

  /** Says the held data changed: DQL's kept columns and orders are made again on the next query. */
  changed(): void {
    this.generation++;
  }

  /** DQL's kept columns and sort orders of a held list (a dataset's items), for this generation. */
  indexOf(list: readonly unknown[]): ListIndex {
    return this.indexes.of(list, this.generation);
  }

  /** A held entity's JSON as UTF-8 bytes, kept until the data changes (a DQL page is a concat of them). */
  jsonOf(entity: object): Buffer {
    return this.json.of(entity, this.generation);
  }

  newId(): string {
    return this.ids.make(this.clock.now());
  }

  /**
   * The time as the template writes it: epoch ms where the spec's example has a number (users, orgs,
   * projects, API keys), an ISO string elsewhere (datasets, items, annotations).
   */
  stamp(template: Record<string, unknown>): number | string {
    const now = this.clock.now();
    return typeof template.createdAt === "number" ? now : new Date(now).toISOString();
  }

  /** A new entity on `template`: fresh id, `createdAt` = `updatedAt` = now, then `fields`. */
  make(template: Record<string, unknown>, fields: Record<string, unknown>, id = this.newId()): Entity {
    const at = this.stamp(template);
    // Only what `fields` leaves to the template is copied (deep for objects): a structuredClone of the
    // whole template per entity made loading 100,000 fixture items take seconds.
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template))
      if (!(key in fields)) out[key] = value && typeof value === "object" ? structuredClone(value) : value;
    return { ...out, createdAt: at, updatedAt: at, ...fields, id };
  }

  /** `fields` merged into `entity`; `updatedAt` moves on (never before `createdAt`). */
  touch<T extends Entity>(entity: T, fields: Record<string, unknown>, template: Record<string, unknown>): T {
    const { id: _id, createdAt: _c, ...rest } = fields;
    this.changed();
    Object.assign(entity, rest, { updatedAt: this.stamp(template) });
    return entity;
  }

  get<T extends Entity>(map: Map<string, T>, kind: string, id: string): T {
    const found = map.get(id);
    if (!found) throw notFound(kind, id);
    return found;
  }

  item(id: string): HeldItem {
    const held = this.items.get(id);
    if (!held) throw notFound("Item", id);
    return held;
  }

  addItem(held: HeldItem): void {
    this.changed();
    const existing = this.items.get(held.item.id);
    this.items.set(held.item.id, held);
    if (existing) {
      const list = this.itemsByDataset.get(held.item.datasetId) ?? [];
      const at = list.indexOf(existing.item);
      if (at >= 0) list[at] = held.item;
      return;
    }
    const list = this.itemsByDataset.get(held.item.datasetId);
    if (!list) return void this.itemsByDataset.set(held.item.datasetId, [held.item]);
    // Kept in id order: made ids come in order (a push); a fixture's own id is put in its place.
    const id = held.item.id;
    if (!list.length || (list.at(-1) as HeldItem["item"]).id < id) return void list.push(held.item);
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((list[mid] as HeldItem["item"]).id < id) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, held.item);
  }

  removeItem(id: string): void {
    const held = this.item(id);
    this.changed();
    this.items.delete(id);
    const list = this.itemsByDataset.get(held.item.datasetId);
    if (list) list.splice(list.indexOf(held.item), 1);
    for (const a of this.annotationsByItem.get(id) ?? []) this.annotations.delete(a.id);
    this.annotationsByItem.delete(id);
  }

  /** The dataset and everything in it: items, their bytes, their annotations. */
  removeDataset(id: string): void {
    this.get(this.datasets, "Dataset", id);
    for (const item of [...(this.itemsByDataset.get(id) ?? [])]) this.removeItem(item.id);
    this.changed();
    this.itemsByDataset.delete(id);
    this.datasets.delete(id);
  }

  /** The project and its datasets (each with its items). */
  removeProject(id: string): void {
    this.get(this.projects, "Project", id);
    for (const dataset of [...this.datasets.values()])
      if ((dataset.projects as string[] | undefined)?.includes(id)) this.removeDataset(dataset.id);
    this.projects.delete(id);
  }

  addAnnotation(annotation: Entity & { itemId: string }): void {
    this.changed();
    this.annotations.set(annotation.id, annotation);
    const list = this.annotationsByItem.get(annotation.itemId);
    if (list) list.push(annotation);
    else this.annotationsByItem.set(annotation.itemId, [annotation]);
  }

  removeAnnotation(id: string): void {
    const annotation = this.get(this.annotations, "Annotation", id);
    this.changed();
    this.annotations.delete(id);
    const list = this.annotationsByItem.get(String(annotation.itemId));
    if (list) list.splice(list.indexOf(annotation), 1);
  }

  /** The annotations of a dataset's items, in item order then creation order. */
  annotationsOfDataset(datasetId: string): Entity[] {
    const out: Entity[] = [];
    for (const item of this.itemsByDataset.get(datasetId) ?? [])
      for (const a of this.annotationsByItem.get(item.id) ?? []) out.push(a);
    return out;
  }
}
