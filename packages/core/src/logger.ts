/**
 * Where dataloop-ts writes what it does (requests, token renewals, refusals): one shape in every
 * package, every line already redacted. `console` fits; so do pino and winston loggers.
 */
export interface Logger {
  debug?(message: string): void;
  warn?(message: string): void;
}
