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
  /** What happened, for someone following along (`DEBUG=dataloop` in the CLI): requests, renewals. */
  debug?(message: string): void;
  /**
   * What a user should know even when the call went on: a refused refresh token, a failed early
   * renewal, a clock far off the gateway's.
   */
  warn?(message: string): void;
}
