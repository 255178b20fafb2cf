export {
  type Credentials,
  createDataloopClient,
  type DataloopClient,
  type DataloopClientOptions,
} from "./client.js";
export { DataloopApiError, DataloopConnectionError, errorMiddleware } from "./errors.js";
export { apiSpec, type OperationName, operationIndex } from "./generated/operations.js";
export type { components, operations, paths } from "./generated/schema.js";
export { debugFromEnv, type LogFn, loggingMiddleware } from "./logging.js";
export { type Page, type PaginateOptions, paginate } from "./paginate.js";
export { type RetryOptions, retryAfterMs, retryMiddleware } from "./retry.js";
export { timeoutFetch } from "./timeout.js";
