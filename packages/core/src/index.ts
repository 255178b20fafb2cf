export { type Clock, manualClock, systemClock } from "./clock.js";
export { DataloopError, type DataloopErrorInit, InvalidArgumentError, UsageError } from "./errors.js";
export { leadingBytes } from "./file-names.js";
export { escapeHtml, htmlPage, printable } from "./html.js";
export { isHttpUrl, isTransientStatus, operationKey } from "./http.js";
export type { Logger } from "./logger.js";
export {
  backoffMs,
  DEFAULT_RETRY,
  type RetryPolicy,
  type RetryVerdict,
  retryAfterMs,
  sleep,
  withRetries,
} from "./retry.js";
export type { SpecManifest } from "./spec-manifest.js";
