import { type Auth, createAuth, type Logger, memoryStore, readExpiry, tokenAuth } from "@dataloop-ts/auth";
import { createDataloopClient, DataloopApiError } from "@dataloop-ts/client";
import { DataloopError } from "@dataloop-ts/core";

/** The API key has passed its `exp`: it cannot be renewed, only replaced. */
export class ApiKeyExpiredError extends DataloopError {
  static override readonly code = "API_KEY_EXPIRED" as const;
  override name = "ApiKeyExpiredError";
  override readonly code = "API_KEY_EXPIRED" as const;
  readonly expiresAt: string;
  constructor(init: { expiresAt: number; source: string }) {
    const at = new Date(init.expiresAt).toISOString();
    super({
      message: `The API key (${init.source}) expired at ${at}.`,
      hint: "Create a new API key (POST /apikeys, or the Dataloop console) and use that one.",
    });
    this.expiresAt = at;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), expiresAt: this.expiresAt };
  }
}

/** The gateway answered 401 to the API key: it is not a key, or not one of this gate's. */
export class ApiKeyRejectedError extends DataloopError {
  static override readonly code = "API_KEY_REJECTED" as const;
  override name = "ApiKeyRejectedError";
  override readonly code = "API_KEY_REJECTED" as const;
  readonly status = 401;
  constructor(init: { gateUrl: string; source: string; cause?: unknown }) {
    super({
      message: `${init.gateUrl} refused the API key (${init.source}): HTTP 401.`,
      hint: "Check that it is a whole API key of this environment (a JWT from POST /apikeys), not cut short or for another gate.",
      cause: init.cause,
    });
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status };
  }
}

/**
 * A session on an API key alone (nothing stored): what `DATALOOP_API_KEY` gives every command. An
 * expired key is refused here, before any call, with its expiry; a key that is no JWT at all goes to
 * the gateway, whose 401 is the judge.
 */
export function apiKeyAuth(key: string, options: { gateUrl: string; source: string; logger?: Logger }): Auth {
  const { expiresAt } = readExpiry(key);
  if (expiresAt !== undefined && expiresAt <= Date.now())
    throw new ApiKeyExpiredError({ expiresAt, source: options.source });
  return createAuth(tokenAuth(key, "api-key"), {
    gateUrl: options.gateUrl,
    store: memoryStore(),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

/** One call (`GET /users/me`) with the key: resolves to the user it is, or says what is wrong with it. */
export async function checkApiKey(
  key: string,
  options: { gateUrl: string; source: string; logger?: Logger },
): Promise<{ email?: string; username?: string; id?: string }> {
  const auth = apiKeyAuth(key, options);
  const client = createDataloopClient({
    gateUrl: options.gateUrl,
    auth,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  try {
    const { data } = await client.GET("/users/me");
    return (data ?? {}) as { email?: string; username?: string; id?: string };
  } catch (error) {
    // A 401 comes back as the session's "cannot be renewed" (it tried once more) or as the API's own 401.
    const refused =
      (error instanceof DataloopApiError && error.status === 401) ||
      (error instanceof DataloopError && error.code === "TOKEN_REJECTED");
    if (refused)
      throw new ApiKeyRejectedError({ gateUrl: options.gateUrl, source: options.source, cause: error });
    throw error;
  }
}
