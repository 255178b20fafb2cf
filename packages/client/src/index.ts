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
} from "./errors.js";
export { apiSpec, type OperationName, operationIndex } from "./generated/operations.js";
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
