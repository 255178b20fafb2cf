import { DataloopError, LoginRequiredError, TokenRejectedError } from "@dataloop-ts/auth";
import { DataloopApiError } from "@dataloop-ts/client";
import { ApiKeyRejectedError } from "./api-key.js";
import type { Output } from "./output.js";
import { reasonsOf } from "./reasons.js";

/** The gate a command ran against, and how to name it again on a command line (`--env rc`, `--gate URL`, or nothing for prod). */
export interface GateChoice {
  gateUrl: string;
  flag: string;
}

/** "Log in to it": each gate has its own session, so the command says which and how. */
function loginHint(gate: GateChoice): string {
  const command = `dataloop login${gate.flag ? ` ${gate.flag}` : ""}`;
  return `Log in to it: ${command} (asks for email and password; or --browser, --api-key K). Each gate keeps its own session.`;
}

/**
 * Every failure, shown one way: `dataloop: message` and `→ hint` for people, `{"error":{…}}` with
 * --json; the stack only with DEBUG set. Returns the exit code: 2 for usage, 1 for the rest.
 */
export function renderError(
  thrown: unknown,
  out: Output,
  env: NodeJS.ProcessEnv = process.env,
  gate?: GateChoice,
): number {
  if (env.DEBUG) out.say(String((thrown as Error)?.stack ?? thrown));
  // With DATALOOP_API_KEY set, a token the gateway refused is that key: named as such, not as a login.
  const error =
    thrown instanceof TokenRejectedError && env.DATALOOP_API_KEY && gate
      ? new ApiKeyRejectedError({ gateUrl: gate.gateUrl, source: "DATALOOP_API_KEY", cause: thrown })
      : thrown;
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
  const status = typeof json.status === "number" ? json.status : undefined;
  if (error instanceof DataloopApiError) {
    // The gateway's reasons (its body, redacted by the client): the summary already in the message is not repeated.
    const reasons = reasonsOf(error.body).filter((r) => !error.message.includes(r));
    if (env.DEBUG) out.say(`body: ${JSON.stringify(error.body ?? null)}`);
    out.fail({
      code: error.code,
      message: error.message,
      hint:
        reasons.length && (status === 400 || status === 422)
          ? "The request does not match what the route takes: fix what the gateway lists above."
          : error.hint,
      status,
      reasons,
      body: error.body,
    });
    return 1;
  }
  const loggedOut = error instanceof LoginRequiredError || error instanceof TokenRejectedError;
  out.fail({
    code: error.code,
    message:
      gate && error instanceof LoginRequiredError && error.message === "Not logged in."
        ? `Not logged in to ${gate.gateUrl}.`
        : error.message,
    hint: gate && loggedOut ? loginHint(gate) : error.hint,
    status,
  });
  return error.code === "USAGE" ? 2 : 1;
}
