import { DataloopError, LoginRequiredError } from "@dataloop-ts/auth";
import type { Output } from "./output.js";

/**
 * Every failure, shown one way: `dataloop: message` and `→ hint` for people, `{"error":{…}}` with
 * --json; the stack only with DEBUG set. Returns the exit code: 2 for usage, 1 for the rest.
 */
export function renderError(error: unknown, out: Output, env: NodeJS.ProcessEnv = process.env): number {
  if (env.DEBUG) out.say(String((error as Error)?.stack ?? error));
  const parseArgsError = (error as { code?: string })?.code?.startsWith("ERR_PARSE_ARGS");
  if (parseArgsError) {
    out.fail({ code: "USAGE", message: (error as Error).message, hint: "Run dataloop --help for usage." });
    return 2;
  }
  if (!(error instanceof DataloopError)) {
    out.fail({
      code: "ERROR",
      message: error instanceof Error ? error.message : String(error),
      hint: "This looks like a bug: run again with DEBUG=dataloop for the stack, and report it.",
    });
    return 1;
  }
  const json = error.toJSON();
  out.fail({
    code: error.code,
    message: error.message,
    hint:
      error instanceof LoginRequiredError
        ? "Log in first: dataloop login (asks for email and password; or --browser, --api-key K)"
        : error.hint,
    status: typeof json.status === "number" ? json.status : undefined,
  });
  return error.code === "USAGE" ? 2 : 1;
}
