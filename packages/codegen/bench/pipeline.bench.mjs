// pull + repair + generate on the real spec, next to bare openapi-typescript on the repaired document,
// interleaved in one run so both see the same machine. Run: pnpm --filter @dataloop-ts/codegen bench
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import { emitOptions } from "../dist/emit.js";
import { generate, loadSpec, projectAt, pull, readOverlay, repairSpec } from "../dist/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../../..");
const spec = process.env.DATALOOP_BENCH_SPEC ?? resolve(repo, "specs/dataloop.openapi.json");
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async (fn) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

const overlay = await readOverlay(projectAt(repo));
const repaired = repairSpec((await loadSpec(spec)).document, overlay).document;

const ours = [];
const bare = [];
for (let i = 0; i < rounds + 1; i++) {
  const root = await mkdtemp(join(tmpdir(), "codegen-bench-"));
  await mkdir(join(root, "specs"));
  await copyFile(join(repo, "specs/dataloop.overlay.yaml"), join(root, "specs/dataloop.overlay.yaml"));
  const project = projectAt(root);
  const a = await time(async () => {
    await pull(project, spec);
    await generate(project, join(root, "out"));
  });
  const b = await time(async () => {
    // The same options as the codegen's (its Blob transform included): what differs is the pipeline.
    astToString(await openapiTS(structuredClone(repaired), emitOptions()));
  });
  await rm(root, { recursive: true, force: true });
  if (i > 0) {
    // round 0 warms both up (module loading, JIT) and is not counted
    ours.push(a);
    bare.push(b);
  }
}
const o = median(ours);
const b = median(bare);
const ratio = o / b;
console.log(`codegen bench on ${spec} (${rounds} rounds, medians, warm)`);
console.log(`  pull+repair+generate (dataloop-codegen): ${o.toFixed(0)} ms`);
console.log(`  bare openapi-typescript (repaired doc, same options):  ${b.toFixed(0)} ms`);
console.log(
  `  ratio: ${ratio.toFixed(2)}×  (target ≤ 1.5×, and ≤ 3000 ms: ${ratio <= 1.5 && o <= 3000 ? "met" : "NOT met"})`,
);
