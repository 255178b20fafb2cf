// Type tests of the public API (checked by tsc in the typecheck task; this file never runs).
import { expectTypeOf } from "vitest";
import {
  type Auth,
  AuthError,
  type AuthStrategy,
  createAuth,
  type DataloopError,
  LoginRequiredError,
  passwordAuth,
  tokenAuth,
} from "../src/index.js";

export function authIsWhatUsersCall(auth: Auth) {
  expectTypeOf(auth.token).toEqualTypeOf<() => Promise<string>>();
  expectTypeOf<keyof Auth>().toEqualTypeOf<
    "gateUrl" | "token" | "rejected" | "logout" | "redact" | "middleware"
  >();
  // @ts-expect-error the session's internals are not on Auth
  auth.peek();
}

export function optionsNameTheGateOneWay() {
  createAuth(passwordAuth({ email: "a@b.c", password: "p" }), { env: "rc" });
  createAuth(tokenAuth("k"), { gateUrl: "https://gate.example" });
  // @ts-expect-error `gate` is gone: env or gateUrl
  createAuth(tokenAuth("k"), { gate: "rc" });
  // @ts-expect-error not an environment
  createAuth(tokenAuth("k"), { env: "staging" });
}

export function strategiesHaveNoKind(s: AuthStrategy) {
  // @ts-expect-error the session never asks which kind of strategy it holds
  s.kind;
}

export function errorsShareOneRootWithFixedCodes(e: unknown) {
  expectTypeOf(LoginRequiredError.code).toEqualTypeOf<"LOGIN_REQUIRED">();
  if (e instanceof LoginRequiredError) {
    expectTypeOf(e.code).toEqualTypeOf<"LOGIN_REQUIRED">();
    expectTypeOf(e).toMatchTypeOf<AuthError>();
    expectTypeOf(e).toMatchTypeOf<DataloopError>();
  }
  // @ts-expect-error constructors take an object
  new AuthError("LOGIN_REQUIRED", "message", "hint");
}
