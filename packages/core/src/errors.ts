/**
 * What every error of dataloop-ts is built from: the message, what to do about it, and what caused it.
 * @example
 * ```ts
 * import { DataloopError, type DataloopErrorInit } from "@dataloop-ts/core";
 *
 * class QuotaError extends DataloopError {
 *   static override readonly code = "QUOTA" as const;
 *   override readonly code = "QUOTA" as const;
 *   constructor(init: DataloopErrorInit) {
 *     super(init);
 *   }
 * }
 * throw new QuotaError({ message: "The project is over its quota.", hint: "Delete items, or ask for more." });
 * ```
 */
export interface DataloopErrorInit {
  /** What went wrong, in a sentence a user can act on (no secret in it: it is logged). */
  message: string;
  /** What the user should do next: a command, an option, a fact to check. */
  hint: string;
  /** The underlying error. Kept off `toJSON`: it may carry a request, and with it a secret. */
  cause?: unknown;
}

/**
 * The root of every error the dataloop-ts packages throw. Each subclass has one fixed `code` (as in
 * jose's errors), so `catch (e) { if (e instanceof DataloopError) … e.code … }` works for all of them,
 * and `hint` always says what to do. `toJSON` gives name, code, message and hint (plus a subclass's own
 * safe fields), never `cause`.
 * @example
 * ```ts
 * import { DataloopError } from "@dataloop-ts/core";
 *
 * async function run(work: () => Promise<void>): Promise<void> {
 *   try {
 *     await work();
 *   } catch (e) {
 *     if (!(e instanceof DataloopError)) throw e;
 *     console.error(`${e.message}\n→ ${e.hint} (${e.code})`);
 *     process.exitCode = 1;
 *   }
 * }
 * ```
 */
export class DataloopError extends Error {
  /** The code of instances of this class; the same as `code`, readable without an instance. */
  static readonly code: string = "DATALOOP_ERROR";
  /** The class's name, as `error.name` shows it in stack traces and logs. */
  override name = "DataloopError";
  /** One fixed code per class (`BAD_CREDENTIALS`, `PIN_MISMATCH`, …): what code compares, not the message. */
  readonly code: string = "DATALOOP_ERROR";
  /** What to do about it: a command, an option, a fact to check. */
  readonly hint: string;

  constructor(init: DataloopErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.hint = init.hint;
  }

  /** `{ name, code, message, hint }` and a subclass's own safe fields; never `cause` (it may hold a secret). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, hint: this.hint };
  }
}

/**
 * A command line or option that cannot be acted on (the CLIs exit 2 for it).
 * @example
 * ```ts
 * import { UsageError } from "@dataloop-ts/core";
 *
 * const limit = Number("ten");
 * if (!Number.isInteger(limit)) throw new UsageError({ message: "--limit takes a whole number." });
 * ```
 */
export class UsageError extends DataloopError {
  static override readonly code = "USAGE" as const;
  override name = "UsageError";
  override readonly code = "USAGE" as const;
  constructor(init: { message: string; hint?: string }) {
    super({ hint: "Run the command with --help for its usage.", ...init });
  }
}

/**
 * A function was called with a value it cannot work with (an empty password, an unknown environment).
 * @example
 * ```ts
 * import { InvalidArgumentError } from "@dataloop-ts/core";
 *
 * function pageSize(size: number): number {
 *   if (size < 1) throw new InvalidArgumentError({ message: `pageSize ${size} is below 1.`, hint: "Pass 1 or more." });
 *   return size;
 * }
 * ```
 */
export class InvalidArgumentError extends DataloopError {
  static override readonly code = "INVALID_ARGUMENT" as const;
  override name = "InvalidArgumentError";
  override readonly code = "INVALID_ARGUMENT" as const;
}
