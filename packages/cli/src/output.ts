import { styleText } from "node:util";

type Style = Parameters<typeof styleText>[0];

export interface OutputOptions {
  json: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

/**
 * Where the CLI writes. Data goes to stdout (JSON with `--json`), everything for people to stderr;
 * spinners only when stderr is an interactive terminal, colours only when it also has colours
 * (`hasColors()` honours NO_COLOR, FORCE_COLOR and TERM=dumb).
 */
export class Output {
  readonly json: boolean;
  readonly interactive: boolean;
  readonly color: boolean;
  private readonly stdout: NodeJS.WriteStream;
  private readonly stderr: NodeJS.WriteStream;

  constructor(options: OutputOptions) {
    const env = options.env ?? process.env;
    this.json = options.json;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.interactive = Boolean(this.stderr.isTTY) && env.TERM !== "dumb" && !("CI" in env);
    const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
    this.color = Boolean(this.stderr.isTTY) && !noColor && (this.stderr.hasColors?.() ?? false);
  }

  paint(style: Style, text: string): string {
    return this.color ? styleText(style, text, { validateStream: false }) : text;
  }

  /** A line for people, on stderr. */
  say(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  /** The command's result: `value` as JSON with --json, else `human` (defaults to pretty JSON). */
  result(value: unknown, human?: string): void {
    this.stdout.write(`${this.json ? JSON.stringify(value) : (human ?? JSON.stringify(value, null, 2))}\n`);
  }

  /** Whether stdout is a terminal (a person reads it): binary is not written there. */
  get stdoutIsTerminal(): boolean {
    return Boolean(this.stdout.isTTY);
  }

  /** Bytes on stdout, as they are (an answer that is not JSON, piped on); resolves once written. */
  bytes(data: Uint8Array): Promise<void> {
    // A closed pipe is not a failure of the command: the 'error' listener ends it quietly (below).
    return new Promise((done, fail) =>
      this.stdout.write(data, (error) =>
        error && (error as NodeJS.ErrnoException).code !== "EPIPE" ? fail(error) : done(),
      ),
    );
  }

  /** One line of data on stdout, as is (JSON lines). */
  line(text: string): void {
    this.stdout.write(`${text}\n`);
  }

  /** A finished action (login, logout): JSON on stdout with --json, else a line for people on stderr. */
  done(value: unknown, human: string): void {
    if (this.json) this.result(value);
    else this.say(human);
  }

  /** Runs `work` under a spinner on an interactive terminal; elsewhere just runs it. */
  async spin<T>(text: string, work: Promise<T> | (() => Promise<T>)): Promise<T> {
    const run = typeof work === "function" ? work : () => work;
    if (!this.interactive || this.json) return run();
    // Loaded here, for a terminal: imported with this module it cost every command 2.5 MB of peak RSS
    // (`dataloop annotations convert` measures its peak against the file it converts).
    const { default: yoctoSpinner } = await import("yocto-spinner");
    const spinner = yoctoSpinner({ text, stream: this.stderr, color: this.color ? "cyan" : "white" }).start();
    try {
      return await run();
    } finally {
      spinner.stop();
    }
  }

  /** A failure: `dataloop: message` and a hint for people; `{"error":…}` on stderr with --json. */
  fail(error: {
    code?: string;
    message: string;
    hint?: string | undefined;
    status?: number | undefined;
    /** What the gateway said was wrong (a 400/422's reasons), one line each. */
    reasons?: string[] | undefined;
    /** The gateway's answer, redacted: in the JSON error only. */
    body?: unknown;
  }): void {
    if (this.json) {
      const { code, message, hint, status, reasons, body } = error;
      this.stderr.write(`${JSON.stringify({ error: { code, message, hint, status, reasons, body } })}\n`);
      return;
    }
    const reasons = (error.reasons ?? []).map((r) => `\n  - ${r}`).join("");
    this.say(
      `${this.paint("red", "dataloop:")} ${error.message}${reasons}${error.hint ? `\n  → ${error.hint}` : ""}`,
    );
  }
}

/**
 * `dataloop items query … | head -1`: once the reader has gone, nothing more can be said, so the
 * command ends quietly with 0, as `git log | head` does, instead of dying on an unhandled EPIPE
 * (Node ignores SIGPIPE, so a write to a closed pipe comes back as an 'error' event).
 */
export function endQuietlyOnClosedPipe(
  streams: NodeJS.WriteStream[] = [process.stdout, process.stderr],
): void {
  for (const stream of streams)
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(0);
      throw error;
    });
}
