import { createHash } from "node:crypto";
import type { Entity } from "./store.js";

/**
 * The fields the gateway fills with its own URLs and derived values (required by the spec's schemas):
 * they point at this twin, so that a client following `item.stream` downloads from it.
 */
export function datasetLinks(apiUrl: string, dataset: Entity): Entity {
  return Object.assign(dataset, {
    url: `${apiUrl}/datasets/${dataset.id}`,
    items: `${apiUrl}/datasets/${dataset.id}/items`,
    directoryTree: `${apiUrl}/datasets/${dataset.id}/directoryTree`,
    readableType: "dataset",
    driver: String(dataset.driver ?? "dataloop"),
    accessLevel: dataset.accessLevel ?? "private",
    indexDriver: dataset.indexDriver ?? "v1",
  });
}

export function itemLinks(apiUrl: string, item: Entity): Entity {
  return Object.assign(item, {
    url: `${apiUrl}/items/${item.id}`,
    stream: `${apiUrl}/items/${item.id}/stream`,
    thumbnail: `${apiUrl}/items/${item.id}/thumbnail`,
    annotations: `${apiUrl}/items/${item.id}/annotations`,
    // An original, not a clone: its source is itself.
    srcItem: item.id,
    srcDataset: String(item.datasetId),
    updatedBy: item.updatedBy ?? item.creator,
    spec: item.spec ?? "MasterItemSpec",
    hidden: item.hidden ?? false,
  });
}

export function annotationLinks(apiUrl: string, annotation: Entity): Entity {
  const shape = JSON.stringify([annotation.type, annotation.label, annotation.coordinates ?? null]);
  return Object.assign(annotation, {
    url: `${apiUrl}/annotations/${annotation.id}`,
    hash: createHash("sha1").update(shape).digest("hex"),
    labelSuggestions: annotation.labelSuggestions ?? {},
    label: annotation.label ?? "",
  });
}
