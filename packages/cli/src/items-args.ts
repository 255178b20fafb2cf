import { readFile } from "node:fs/promises";
import { posix } from "node:path";
import { UsageError } from "@dataloop-ts/core";
import type { Values } from "./args.js";

const SUBCOMMANDS = ["upload", "download", "query"] as const;
type Sub = (typeof SUBCOMMANDS)[number];

/** Options of `items` that only some of its subcommands take: given to another, they are a mistake, not ignored. */
const ONLY_FOR: Record<string, readonly Sub[]> = {
  "remote-path": ["upload"],
  mode: ["upload"],
  out: ["download"],
  filter: ["download", "query"],
  concurrency: ["upload", "download"],
};

const usage = (message: string) => new UsageError({ message, hint: "Run dataloop --help for usage." });

/**
 * `--remote-path`: an absolute remote folder. Anything that climbs (`..`) is refused rather than
 * normalised away: `/../../etc` is a typo or an attack, and either way not what to upload under.
 */
function checkRemotePath(path: string): void {
  if (!path.startsWith("/"))
    throw usage(`--remote-path takes an absolute remote folder such as /cats, got "${path}"`);
  if (path.split("/").includes(".."))
    throw usage(`--remote-path must not climb with "..", got "${path}" (remote folders start at /)`);
  if (posix.normalize(path) !== path && posix.normalize(path) !== path.replace(/\/+$/, ""))
    throw usage(`--remote-path takes a plain folder path such as /cats/2024, got "${path}"`);
}

/** `--filter`: a DQL filter, a JSON object inline or in a file (`@file`). */
async function checkFilter(text: string): Promise<void> {
  let json = text;
  if (text.startsWith("@")) {
    const file = text.slice(1);
    try {
      json = await readFile(file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw usage(
        `--filter ${text}: cannot read ${file}${code === "ENOENT" ? " (no such file)" : code ? ` (${code})` : ""}`,
      );
    }
  }
  let filter: unknown;
  try {
    filter = JSON.parse(json);
  } catch {
    throw usage(
      `--filter must be a DQL filter as JSON (or @file)${text.startsWith("@") ? `; ${text.slice(1)} is not JSON` : ""}, e.g. '{"$and":[{"dir":"/cats"}]}'`,
    );
  }
  if (filter === null || typeof filter !== "object" || Array.isArray(filter))
    throw usage(
      `--filter must be a JSON object (a DQL filter), got ${Array.isArray(filter) ? "an array" : `a ${filter === null ? "null" : typeof filter}`}; e.g. '{"$and":[{"dir":"/cats"}]}'`,
    );
}

/**
 * The command line of `dataloop items`, checked before anything is sent: the subcommand first (so
 * that `dataloop items` alone says which ones there are), then options the subcommand does not take,
 * then the values. Every mistake is a UsageError (exit 2) that says what was wrong.
 */
export async function checkItemsArgs(args: string[], values: Values): Promise<void> {
  const sub = args[0];
  if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub))
    throw usage(
      sub
        ? `items takes upload, download or query, got "${sub}"`
        : "items needs a subcommand: upload, download or query",
    );
  for (const [option, subs] of Object.entries(ONLY_FOR))
    if (values[option as keyof Values] !== undefined && !subs.includes(sub as Sub))
      throw usage(`--${option} is for items ${subs.join(" and items ")}, not items ${sub}`);
  const remotePath = values["remote-path"];
  if (remotePath !== undefined) checkRemotePath(remotePath);
  if (values.filter !== undefined) await checkFilter(values.filter);
}
