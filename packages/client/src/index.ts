// The public surface of @dataloop-ts/client: what its README documents (api-report.md records it).
// The loop, its transports and the logger are internal: tests import them by path.
export type { Logger } from "@dataloop-ts/auth";
export { DataloopError } from "@dataloop-ts/core";
export {
  type BatchOptions,
  type BatchResult,
  type BatchSummary,
  type UploadEntry,
  uploadItems,
} from "./batch.js";
export {
  type Credentials,
  createDataloopClient,
  type DataloopClient,
  type DataloopClientOptions,
} from "./client.js";
export {
  DataloopApiError,
  DataloopConnectionError,
  DataloopResponseError,
  type DeadlineOption,
  UnsafePathParameterError,
} from "./errors.js";
export { apiSpec, type OperationName, operationIndex } from "./generated/operations.js";
/**
 * The types openapi-typescript generates from the pinned spec: `paths` (every route, by path and
 * method), `components` (its schemas, as `components["schemas"]["Dataset"]`) and `operations` (each
 * route by its camelCase operation name, as listed in `operationIndex`). Their members are the whole
 * API, so the reference does not list them: browse the spec in `dataloop-mock`'s Swagger UI.
 * @example
 * ```ts
 * import type { components, operations, paths } from "@dataloop-ts/client";
 *
 * type Dataset = components["schemas"]["Dataset"];
 * type GetProject = paths["/projects/{projectId}"]["get"];
 * type ProjectId = operations["getProject"]["parameters"]["path"]["projectId"];
 * const id: ProjectId = "64f0c1a2b3";
 * ```
 */
export type { components, operations, paths } from "./generated/schema.js";
export {
  DownloadIncompleteError,
  downloadItem,
  type Item,
  type ItemSource,
  type StreamSource,
  UnreadableSourceError,
  UploadCorruptedError,
  type UploadedItem,
  type UploadItemOptions,
  UploadNotReplayableError,
  uploadItem,
  uploadLink,
} from "./items.js";
export type { CallOptions } from "./loop.js";
export { type Page, type PaginateOptions, paginate } from "./paginate.js";
export {
  type DqlCondition,
  type DqlFilter,
  type DqlOperator,
  type DqlResources,
  type DqlValue,
  type QueryOptions,
  queryDataset,
} from "./query.js";
export type { RetryOptions } from "./retry.js";
export type { ResultClient, Succeeded, ThrowingClient } from "./types.js";
