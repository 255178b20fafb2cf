import { parseArgs } from "node:util";

/** Every option of every command, declared once: the parser reads it and the command types derive from it. */
export const OPTIONS = {
  env: { type: "string" },
  gate: { type: "string" },
  json: { type: "boolean", default: false },
  email: { type: "string" },
  password: { type: "string" },
  "password-stdin": { type: "boolean", default: false },
  "api-key": { type: "string" },
  browser: { type: "boolean", default: false },
  "no-open": { type: "boolean", default: false },
  /** `login --browser`: how long to wait, in seconds. */
  timeout: { type: "string" },
  decode: { type: "boolean", default: false },
  query: { type: "string", multiple: true },
  body: { type: "string" },
  /** `request`: write the answer to this file (atomically), as it is. */
  output: { type: "string", short: "o" },
  org: { type: "string" },
  name: { type: "string" },
  /** `items`: the dataset. */
  dataset: { type: "string" },
  /** `items upload`: the remote folder the files go under (default /). */
  "remote-path": { type: "string" },
  /** `items`: files in flight at once (default 8). */
  concurrency: { type: "string" },
  /** `items upload`: skip (default) or overwrite what is already at a remote path. */
  mode: { type: "string" },
  /** `items upload`: follow symbolic links inside the named folders (never out of the named paths). */
  "follow-symlinks": { type: "boolean", default: false },
  /** `items download|query`: a DQL filter, as JSON or @file. */
  filter: { type: "string" },
  /** `items download`: the folder the items go to. */
  out: { type: "string" },
  /** `annotations`: dataloop (default), coco or yolo. */
  format: { type: "string" },
  /** `annotations convert`: the input's format and the output's (dataloop, coco or yolo). */
  from: { type: "string" },
  to: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
  version: { type: "boolean", short: "v", default: false },
} as const;

export type ParsedArgs = ReturnType<typeof parseCommandLine>;
/** The options as the commands see them: exactly what `parseArgs` gives for OPTIONS. */
export type Values = ParsedArgs["values"];

export function parseCommandLine(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
}

export const USAGE = `dataloop — the Dataloop API from a terminal

  dataloop login [--email E]         password or bot (M2M) account; asks on a terminal, else
                                     --password-stdin or DATALOOP_EMAIL + DATALOOP_PASSWORD
                                     (--password P works too, with a warning: argv is visible to others)
  dataloop login --api-key K         an API key (POST /apikeys), checked with GET /users/me; better
                                     DATALOOP_API_KEY=K, which every command also uses when set
  dataloop login --browser           the website login in your browser [--no-open] [--timeout SECONDS]
  dataloop token [--decode]          a valid JWT on stdout (refreshed first when due), for curl/Postman
  dataloop whoami                    who the stored session is (GET /users/me)
  dataloop request METHOD PATH       [--query k=v]... [--body JSON|@file] [-o, --output FILE]; JSON
                                     pretty-printed; any other answer as is (raw bytes when piped)
  dataloop bots create --org ORG --name NAME   a bot user; its password printed once, if sent
  dataloop items upload PATH... --dataset ID [--remote-path /dir] [--concurrency N] [--mode skip|overwrite]
                                     [--follow-symlinks] (links in folders are listed, not followed, without it)
  dataloop items download --dataset ID --out DIR [--filter DQL|@file] [--concurrency N]
  dataloop items query --dataset ID [--filter DQL|@file]   one JSON line per item
  dataloop annotations upload PATH --dataset ID [--format dataloop|coco|yolo] [--concurrency N]
  dataloop annotations download --dataset ID --out DIR [--format dataloop|coco|yolo] [--filter DQL]
  dataloop annotations convert IN --from dataloop|coco|yolo --to dataloop|coco|yolo --out PATH
                                     offline, no login: --out is a file for coco (and .jsonl), a folder else
  dataloop logout                    forget the stored tokens of this environment

  --env prod|rc|dev|local  or  --gate URL   one session per environment (env: DATALOOP_GATE)
  --json                   machine output: JSON on stdout, errors as JSON on stderr
  -v, --version            the installed @dataloop-ts/cli version
  -h, --help               this text
  Environment: DATALOOP_EMAIL, DATALOOP_PASSWORD, DATALOOP_API_KEY, DATALOOP_TS_HOME (token folder),
  BROWSER (command to open URLs; "none" to only print them), NO_COLOR, DEBUG=dataloop (log calls)`;
