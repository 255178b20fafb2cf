// Editor speed: how long a consumer project takes to type-check N typed calls through
// @dataloop-ts/client, next to the same calls through bare openapi-fetch on a tiny hand-written `paths`
// type (the same five routes, small response shapes), with TypeScript 5.9 and TypeScript 7. Each round
// runs `tsc --noEmit` on both projects back to back (alternating which goes first), and the ratio is the
// median of the rounds' ratios. Target: ≤ 1.3× with TypeScript 5.9 and with TypeScript 7 (issue 22).
// Where the time goes: BENCH_KEEP=1 keeps both projects; `tsc -p DIR --extendedDiagnostics` (or
// `--generateTrace`) on each. The checker's counts printed below are the same on a busy machine as on an
// idle one: on a shared machine judge a change by them and by the CPU-time ratio printed beside the
// wall-time one (the target is the wall-time ratio, on an idle machine).
// Run: pnpm --filter @dataloop-ts/runtime-tests bench (after pnpm build). BENCH_ROUNDS (5), BENCH_CALLS (50).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";

const require = createRequire(import.meta.url);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const calls = Number(process.env.BENCH_CALLS ?? 50);

const COMPILERS = {
  "TypeScript 5.9": join(dirname(require.resolve("typescript/package.json")), "bin/tsc"),
  "TypeScript 7": join(dirname(require.resolve("typescript7/package.json")), "bin/tsc"),
};

/** One of five typed calls (path parameters, a query, a body), the same text in both projects. */
const call = (i) =>
  [
    `  { const { data } = await dl.GET("/projects/{projectId}", { params: { path: { projectId: "p${i}" } } }); out.push(data?.name); }`,
    `  { const { data } = await dl.GET("/users/me"); out.push(data?.email); }`,
    `  { const { data } = await dl.GET("/datasets/{datasetId}/items", { params: { path: { datasetId: "d${i}" }, query: { pageOffset: ${i}, pageSize: 100 } } }); out.push(String(data?.totalItemsCount)); }`,
    `  { const { data } = await dl.GET("/items/{id}", { params: { path: { id: "i${i}" } } }); out.push(data?.name); }`,
    `  { const { data } = await dl.PATCH("/projects/{projectId}", { params: { path: { projectId: "p${i}" } }, body: { name: "n${i}" } }); out.push(data?.id); }`,
  ][i % 5];

const body = () =>
  `export async function calls(): Promise<Array<string | undefined>> {
  const out: Array<string | undefined> = [];
${Array.from({ length: calls }, (_, i) => call(i)).join("\n")}
  return out;
}
`;

const OURS = () => `import { createDataloopClient } from "@dataloop-ts/client";

const dl = createDataloopClient({ gateUrl: "https://gate.example", auth: { apiKey: "k" } });
${body()}`;

// What a project that types its few routes by hand writes: openapi-typescript's shape, trimmed.
const TINY = () => `import createClient from "openapi-fetch";

type Json<T> = { content: { "application/json": T } };
interface Project { id: string; name: string }
interface Item { id: string; name: string; filename: string }
interface paths {
  "/projects/{projectId}": {
    get: { parameters: { path: { projectId: string } }; responses: { 200: Json<Project> } };
    patch: {
      parameters: { path: { projectId: string } };
      requestBody: Json<{ name: string }>;
      responses: { 200: Json<Project> };
    };
  };
  "/users/me": { get: { parameters: {}; responses: { 200: Json<{ id: string; email: string }> } } };
  "/datasets/{datasetId}/items": {
    get: {
      parameters: { path: { datasetId: string }; query?: { pageOffset?: number; pageSize?: number } };
      responses: { 200: Json<{ totalItemsCount: number; items: Item[] }> };
    };
  };
  "/items/{id}": { get: { parameters: { path: { id: string } }; responses: { 200: Json<Item> } } };
}

const dl = createClient<paths>({ baseUrl: "https://gate.example/api/v1" });
${body()}`;

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    strict: true,
    noEmit: true,
    target: "es2022",
    module: "nodenext",
    moduleResolution: "nodenext",
    skipLibCheck: true,
    types: [],
  },
  files: ["calls.mts"],
});

/** A project outside the workspace whose node_modules links `links` (name → folder) only. */
async function project(root, name, links, source) {
  const dir = join(root, name);
  for (const [pkg, target] of Object.entries(links)) {
    await mkdir(join(dir, "node_modules", dirname(pkg)), { recursive: true });
    await symlink(target, join(dir, "node_modules", pkg), "dir");
  }
  await writeFile(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  await writeFile(join(dir, "tsconfig.json"), TSCONFIG);
  await writeFile(join(dir, "calls.mts"), source);
  return dir;
}

/**
 * CPU seconds (user + system) of this process's waited-for children, TypeScript 7's native compiler
 * included (its `bin/tsc` waits for it): /proc/self/stat's cutime and cstime, in clock ticks (1/100 s on
 * Linux). Undefined elsewhere. On a busy machine a run's CPU time moves much less than its wall time.
 */
const childCpu = () => {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime (fields 16 and 17 of stat)
  } catch {
    return undefined;
  }
};
const check = (tsc, dir) => {
  const t = performance.now();
  const c = childCpu();
  // A type error would make the figure meaningless: execFileSync throws on tsc's exit code 2.
  execFileSync(process.execPath, [tsc, "-p", dir], { stdio: ["ignore", "pipe", "pipe"] });
  const after = childCpu();
  return {
    wall: performance.now() - t,
    cpu: c === undefined || after === undefined ? Number.NaN : after - c,
  };
};
/**
 * The checker's own counts (types, instantiations, symbols: the same on a busy machine as on an idle one),
 * and where one run's time went (parse, bind, check: where to look when the ratio moves).
 */
const counts = (tsc, dir) => {
  const out = execFileSync(process.execPath, [tsc, "-p", dir, "--extendedDiagnostics"], { encoding: "utf8" });
  const read = (name) => Number(out.match(new RegExp(`^${name}:\\s+([\\d.]+)`, "m"))?.[1] ?? Number.NaN);
  return {
    types: read("Types"),
    instantiations: read("Instantiations"),
    symbols: read("Symbols"),
    parse: read("Parse time"),
    bind: read("Bind time"),
    check: read("Check time"),
  };
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const root = await mkdtemp(join(tmpdir(), "typecheck-bench-"));
try {
  // The built client (its dependencies resolve from its own folder), and openapi-fetch as it resolves it.
  const clientDir = dirname(require.resolve("@dataloop-ts/client/package.json"));
  const openapiFetch = dirname(
    createRequire(join(clientDir, "package.json")).resolve("openapi-fetch/package.json"),
  );
  const ours = await project(root, "generated", { "@dataloop-ts/client": clientDir }, OURS());
  const tiny = await project(root, "tiny", { "openapi-fetch": openapiFetch }, TINY());

  if (process.env.BENCH_KEEP) {
    // For a closer look: tsc -p DIR --extendedDiagnostics (or --generateTrace) on each project.
    console.log(`projects kept: ${ours} ${tiny}`);
    process.exit(0);
  }
  console.log(`type-check bench: ${calls} typed calls, ${rounds} rounds (medians, one warm-up round)`);
  for (const [label, tsc] of Object.entries(COMPILERS)) {
    const a = [];
    const b = [];
    const ratios = [];
    const cpuRatios = [];
    for (let i = 0; i < rounds + 1; i++) {
      let ta;
      let tb;
      if (i % 2 === 0) {
        ta = check(tsc, ours);
        tb = check(tsc, tiny);
      } else {
        tb = check(tsc, tiny);
        ta = check(tsc, ours);
      }
      if (i === 0) continue; // the warm-up: file system cache, compile cache
      a.push(ta.wall);
      b.push(tb.wall);
      ratios.push(ta.wall / tb.wall);
      cpuRatios.push(ta.cpu / tb.cpu);
    }
    const ratio = median(ratios);
    const target = `  (target ≤ 1.3×: ${ratio <= 1.3 ? "met" : "NOT met"})`;
    console.log(
      `  ${label}: @dataloop-ts/client ${median(a).toFixed(0)} ms, tiny paths ${median(b).toFixed(0)} ms, ratio ${ratio.toFixed(2)}×${target}`,
    );
    const cpu = median(cpuRatios);
    const pad = " ".repeat(label.length);
    if (!Number.isNaN(cpu)) {
      const spread = `${Math.min(...cpuRatios).toFixed(2)}–${Math.max(...cpuRatios).toFixed(2)}`;
      console.log(
        `  ${pad}  CPU time (user + system) ratio ${cpu.toFixed(2)}× (rounds ${spread}; wall ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
      );
    }
    const [x, y] = [counts(tsc, ours), counts(tsc, tiny)];
    console.log(
      `  ${pad}  types ${x.types} vs ${y.types}, instantiations ${x.instantiations} vs ${y.instantiations}, symbols ${x.symbols} vs ${y.symbols}`,
    );
    const split = (c) => `parse ${c.parse}s bind ${c.bind}s check ${c.check}s`;
    console.log(`  ${pad}  one run: ${split(x)} vs ${split(y)}`);
  }
} finally {
  if (!process.env.BENCH_KEEP) await rm(root, { recursive: true, force: true });
}
