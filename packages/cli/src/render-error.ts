// The errors are told apart by their `code` (one fixed code per class), not by `instanceof` on the
// auth and client packages' classes: importing those to render a usage error or a bad input file loaded
// the whole client and jose first, a third of a second and 25 MB of RSS.
import type { LoginRequiredError, TokenRejectedError } from "@dataloop-ts/auth";
import type { DataloopApiError } from "@dataloop-ts/client";
import { DataloopError } from "@dataloop-ts/core";
import type { Output } from "./output.js";
import { reasonsOf } from "./reasons.js";

const is = <E extends DataloopError>(error: unknown, code: E["code"]): error is E =>
  error instanceof DataloopError && error.code === code;

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
export async function renderError(
  thrown: unknown,
  out: Output,
  env: NodeJS.ProcessEnv = process.env,
  gate?: GateChoice,
): Promise<number> {
  if (env.DEBUG) out.say(String((thrown as Error)?.stack ?? thrown));
  // With DATALOOP_API_KEY set, a token the gateway refused is that key: named as such, not as a login.
  const error =
    is<TokenRejectedError>(thrown, "TOKEN_REJECTED") && env.DATALOOP_API_KEY && gate
      ? new (await import("./api-key.js")).ApiKeyRejectedError({
          gateUrl: gate.gateUrl,
          source: "DATALOOP_API_KEY",
          cause: thrown,
        })
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
  if (is<DataloopApiError>(error, "API_ERROR")) {
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
  const loggedOut =
    is<LoginRequiredError>(error, "LOGIN_REQUIRED") || is<TokenRejectedError>(error, "TOKEN_REJECTED");
  out.fail({
    code: error.code,
    message:
      gate && is<LoginRequiredError>(error, "LOGIN_REQUIRED") && error.message === "Not logged in."
        ? `Not logged in to ${gate.gateUrl}.`
        : error.message,
    hint: gate && loggedOut ? loginHint(gate) : error.hint,
    status,
  });
  return error.code === "USAGE" ? 2 : 1;
}
