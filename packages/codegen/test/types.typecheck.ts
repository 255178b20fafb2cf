// Type tests of the public API (checked by tsc in the typecheck task; this file never runs).
import type { DataloopError } from "@dataloop-ts/core";
import { expectTypeOf } from "vitest";
import * as codegen from "../src/index.js";
import {
  type CodegenError,
  generate,
  PinMismatchError,
  type PullResult,
  pull,
  type RepairedDocument,
} from "../src/index.js";

export async function pipelineResultsAreTyped() {
  expectTypeOf(pull).returns.resolves.toEqualTypeOf<PullResult>();
  const { repaired } = await generate({} as never, "out");
  expectTypeOf(repaired).toEqualTypeOf<RepairedDocument>();
}

export function errorsHaveFixedCodes(e: unknown) {
  expectTypeOf(PinMismatchError.code).toEqualTypeOf<"PIN_MISMATCH">();
  if (e instanceof PinMismatchError) expectTypeOf(e).toMatchTypeOf<CodegenError & DataloopError>();
}

export function internalsStayInternal() {
  // @ts-expect-error the emitter is internal: `generate` is the way in
  codegen.emitClientFiles;
  // @ts-expect-error the normalisations are internal (their report is public)
  codegen.NORMALISATIONS;
}
