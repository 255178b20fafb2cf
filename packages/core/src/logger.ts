/**
 * Where dataloop-ts writes what it does (requests, token renewals, refusals): one shape in every
 * package, every line already redacted. `console` fits; so do pino and winston loggers.
 * @example
 * ```ts
 * import type { Logger } from "@dataloop-ts/core";
 *
 * const logger: Logger = { debug: (line) => console.error(`[dataloop] ${line}`), warn: console.warn };
 * const quiet: Logger = {}; // both methods are optional
 * ```
 */
export interface Logger {
  debug?(message: string): void;
  warn?(message: string): void;
}
