// A big file up and down on loopback: this client's `uploadFile` / `downloadFile` next to undici's
// `request()` streaming the same bytes to and from the same local sink (and fetch, for reference). Each
// transfer runs in a fresh process (bench/items-big.mjs): its throughput, and how far its own peak RSS
// rose. Targets (issue 19): the client's throughput ≥ 95% of undici `request`'s, its RSS growth < 100 MB.
// Run: node --expose-gc bench/items-big.bench.mjs (in `pnpm bench`); BENCH_BIG_MB sets the size
// (default 1024), BENCH_BIG_ROUNDS the measured rounds (default 5), BENCH_BIG_ONLY=upload|download runs
// one half only (both by default).
import { execFile } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listenLoopback } from "@dataloop-ts/core/node";
import { answerUpload } from "./upload-sink.mjs";

const MB = Number(process.env.BENCH_BIG_MB ?? 1024);
const BIG = MB * 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_BIG_ROUNDS ?? 5);
const ONLY = process.env.BENCH_BIG_ONLY;
if (ONLY !== undefined && ONLY !== "upload" && ONLY !== "download")
  throw new Error(`BENCH_BIG_ONLY: "upload" or "download", not "${ONLY}"`);
// The file to upload is sparse (read from the page cache, never the disk) in the temp folder: the
// client refuses to upload what lies under /dev. Downloads land in memory-backed /dev/shm where there is
// one: no contender pays for the disk's write-back of the one before.
const src = await mkdtemp(join(tmpdir(), "items-big-"));
const dir = existsSync("/dev/shm") ? await mkdtemp(join("/dev/shm", "items-big-")) : src;
// Synchronous: an exit handler's promises never run.
process.on("exit", () => {
  for (const d of new Set([src, dir])) rmSync(d, { recursive: true, force: true });
});

const sink = await listenLoopback((req, res) => {
  if (req.method === "GET") {
    // A download: BIG bytes in 64 kB chunks, made as they are sent.
    const chunk = Buffer.alloc(64 * 1024, 7);
    let left = BIG;
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(BIG) });
    const more = () => {
      while (left > 0) {
        const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= part.length;
        if (!res.write(part)) return res.once("drain", more);
      }
      res.end();
    };
    return more();
  }
  answerUpload(req, res);
});

const big = join(src, "big.bin");
await writeFile(big, "");
await truncate(big, BIG);
const child = (what, who) =>
  new Promise((done, fail) =>
    execFile(
      process.execPath,
      [
        "--expose-gc",
        new URL("./items-big.mjs", import.meta.url).pathname,
        what,
        who,
        sink.url,
        big,
        join(dir, `down-${who}.bin`),
      ],
      { encoding: "utf8", timeout: 300_000 },
      (error, stdout, stderr) =>
        error ? fail(new Error(`${error.message}\n${stderr}`)) : done(JSON.parse(stdout)),
    ),
  );
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// Each contender once per round, the order rotating from round to round, the output removed after each
// run; one run first, not counted, warms the machine up. The median run of each counts, and the median
// of the rounds' ratios (client to undici in the same round: the machine's drift falls on both).
async function sideBySide(what, who) {
  const runs = Object.fromEntries(who.map((w) => [w, []]));
  const once = async (w) => {
    const r = await child(what, w);
    await rm(join(dir, `down-${w}.bin`), { force: true });
    return r;
  };
  await once(who[who.length - 1]);
  for (let round = 0; round < ROUNDS; round++)
    for (let k = 0; k < who.length; k++) {
      const w = who[(k + round) % who.length];
      runs[w].push(await once(w));
    }
  const pick = (rs) => ({
    ms: median(rs.map((r) => r.ms)),
    cpuMs: median(rs.map((r) => r.cpuMs)),
    rssMb: median(rs.map((r) => r.rssMb)),
    rssMaxMb: Math.max(...rs.map((r) => r.rssMb)),
  });
  const result = Object.fromEntries(who.map((w) => [w, pick(runs[w])]));
  // Throughput ratio: undici's time over the client's, round by round.
  result.ratio = median(runs.client.map((c, i) => runs.undici[i].ms / c.ms));
  return result;
}
const rate = (r) =>
  `${(MB / (r.ms / 1000)).toFixed(0).padStart(5)} MB/s, CPU ${(r.cpuMs / 1000).toFixed(2)} s,` +
  ` RSS +${r.rssMb.toFixed(0)} MB (highest +${r.rssMaxMb.toFixed(0)})`;
const verdict = (r) =>
  `client throughput ${(r.ratio * 100).toFixed(1)}% of undici request's (target ≥ 95%: ${r.ratio >= 0.95 ? "met" : "NOT met"});` +
  ` client RSS growth +${r.client.rssMaxMb.toFixed(0)} MB at most (target < 100 MB: ${r.client.rssMaxMb < 100 ? "met" : "NOT met"})`;

const up =
  ONLY === "download" ? undefined : await sideBySide("upload", ["client", "undici", "stream", "formData"]);
const down = ONLY === "upload" ? undefined : await sideBySide("download", ["client", "undici", "fetch"]);
console.log(
  `items-big bench: a ${MB} MB file on loopback, each transfer in a fresh process, median of ${ROUNDS} rotating rounds` +
    " (CPU: the sending or receiving process's, user and system; RSS: its peak growth, median and highest):",
);
if (up) {
  console.log(`  upload:   client (uploadFile)      ${rate(up.client)}`);
  console.log(`            undici request, streamed ${rate(up.undici)}`);
  console.log(`            raw fetch, streamed      ${rate(up.stream)}`);
  console.log(`            raw fetch + FormData     ${rate(up.formData)}`);
  console.log(`            ${verdict(up)}`);
}
if (down) {
  console.log(`  download (into ${dir.startsWith("/dev/shm") ? "/dev/shm" : "the temp folder"}):`);
  console.log(`            client (downloadFile)    ${rate(down.client)}`);
  console.log(`            undici request, piped    ${rate(down.undici)}`);
  console.log(`            raw fetch, piped         ${rate(down.fetch)}`);
  console.log(`            ${verdict(down)}`);
}
await sink.stop();
