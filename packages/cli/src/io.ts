/**
 * Everything the CLI touches outside itself, passed in so tests run `main()` in-process with
 * their own streams and environment, and so nothing the CLI prints can skip the secret scrubber.
 */
import { fstatSync, writeSync } from "node:fs";
import { type Secret } from "@socket-notify/core";
import { environmentSecrets, redactCredentials, scrubSecrets } from "@socket-notify/core/internal";
import { type Span, spansToTerminal } from "@socket-notify/preview";
import { onStopSignal, type StopSignal } from "./signals.js";

export interface CliIO {
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown; isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
  cwd: string;
  /** The real process streams: the CLI then also prints Node's own warnings, through the scrubber. */
  processStreams?: boolean;
  /** SIGINT/SIGTERM for `send` and `retry` (signals.ts); absent in-process, where there are none. */
  onStopSignal?: (handler: (signal: StopSignal) => void) => () => void;
}

export function processIO(): CliIO {
  return {
    stdout: stdioWriter(1),
    stderr: stdioWriter(2),
    env: process.env,
    cwd: process.cwd(),
    processStreams: true,
    onStopSignal,
  };
}

let warningOutput: Output | undefined;

/**
 * Node prints process warnings (a library's deprecation, an experimental feature) to stderr
 * itself, past the scrubber, and a warning can quote a config line. They go through `out`.
 */
export function routeProcessWarnings(out: Output): void {
  if (warningOutput === undefined) {
    process.removeAllListeners("warning");
    process.on("warning", (w) => warningOutput?.err(`warning: ${w.name}: ${w.message}`));
  }
  warningOutput = out;
}

type Stdio = NodeJS.WriteStream & { fd: 1 | 2 };

/**
 * Standard output or error written with `fs.writeSync` while it is a file, a pipe or a socket:
 * `process.stdout` would load Node's stream and net modules (start-up time, bench/README.md).
 * Node writes to those synchronously on POSIX anyway, so order and completeness are the same. A
 * terminal (or anything else), or a pipe another process left non-blocking (EAGAIN), gets the
 * regular stream. (`tty.isatty` would load the net module this avoids.)
 */
function stdioWriter(fd: 1 | 2): CliIO["stderr"] {
  let stream: Stdio | undefined;
  const getStream = (): Stdio => (stream ??= openStdio(fd));
  if (!isFileOrPipeOrSocket(fd)) return getStream();
  return {
    write(chunk: string): boolean {
      if (stream) return stream.write(chunk);
      const bytes = Buffer.from(chunk, "utf8");
      let done = 0;
      try {
        while (done < bytes.length) done += writeSync(fd, bytes, done);
        return true;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EPIPE") exitOnClosedPipe();
        if (code !== "EAGAIN") throw e;
        return getStream().write(bytes.subarray(done));
      }
    },
    isTTY: false,
  };
}

function isFileOrPipeOrSocket(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    // Sockets too: Node gives a child it spawns with stdio "pipe" a socket pair, not a FIFO.
    return stat.isFile() || stat.isFIFO() || stat.isSocket();
  } catch {
    return false; // closed: Node's stream knows what to do
  }
}

function openStdio(fd: 1 | 2): Stdio {
  const stream = (fd === 1 ? process.stdout : process.stderr) as Stdio;
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") exitOnClosedPipe();
    throw e;
  });
  return stream;
}

/** `socket-notify … | head`: the reader went away; stop quietly, as Unix tools do. */
function exitOnClosedPipe(): never {
  process.exit(process.exitCode ?? 0);
}

// Repo and branch names, package names, alert types and values quoted in errors are untrusted:
// a newline in them would print a line of their choosing (a forged "delivered" line, or a GitHub
// workflow command such as ::add-mask:: or ::stop-commands::), raw escape sequences, carriage
// returns or bidi overrides could rewrite or disguise a CI log line, and zero-width characters
// hide text. All of C0 (newline, CR and tab too), DEL, C1, the Unicode line and paragraph
// separators, bidi controls and zero-width characters.
const LINE_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
const NEWLINE = /\r\n|\n/;

function escapeChar(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * Any text as exactly one terminal/CI-log line: every control, separator, bidi and zero-width
 * character shown as a `\u001b`-style escape, and never starting with `::` or `##` (GitHub
 * Actions workflow commands and the legacy `##[…]` form act only at the start of a line).
 */
export function oneLine(text: unknown): string {
  const s = typeof text === "string" ? text : String(text);
  return s
    .replace(LINE_UNSAFE, escapeChar)
    .replace(/^(\s*)([:#])(?=\2)/, (_m, ws: string, c: string) => `${ws}${escapeChar(c)}`);
}

/** Several lines, each made safe like {@link oneLine}; the newlines between them are kept. */
export function terminalSafe(text: string): string {
  return text.split(NEWLINE).map(oneLine).join("\n");
}

/**
 * Writes through the scrubber, one sanitised line at a time. `extraScrub` is the engine host's
 * scrubber once a config is loaded; before that (config errors) the environment's
 * credential-looking values and credential shapes are scrubbed all the same.
 */
export class Output {
  extraScrub: (text: string) => string = (t) => t;
  private progressShown = false;
  private envSecrets: Secret[] | undefined;

  constructor(private readonly io: CliIO) {}

  private scrub(text: string): string {
    // Exact secrets of the run first (the engine host), then every credential-looking value of
    // the environment (a config that failed to load may quote it), then credential shapes.
    return redactCredentials(
      scrubSecrets(this.extraScrub(text), (this.envSecrets ??= environmentSecrets(this.io.env))),
    );
  }

  /** Text meant as one line: a newline in it (from untrusted text) is escaped, not printed. */
  private clean(text: string): string {
    return oneLine(this.scrub(text));
  }

  /** Text meant as several lines (help, JSON, a stack trace): each line sanitised on its own. */
  private cleanBlock(text: string): string {
    return this.scrub(text).split(NEWLINE).map(oneLine).join("\n");
  }

  /** Several lines at once (help text, JSON): each is sanitised like a line given to out(). */
  outBlock(text: string): void {
    this.clearProgress();
    this.io.stdout.write(`${this.cleanBlock(text)}\n`);
  }

  errBlock(text: string): void {
    this.clearProgress();
    this.io.stderr.write(`${this.cleanBlock(text)}\n`);
  }

  out(line: string): void {
    this.clearProgress();
    this.io.stdout.write(`${this.clean(line)}\n`);
  }

  err(line: string): void {
    this.clearProgress();
    this.io.stderr.write(`${this.clean(line)}\n`);
  }

  /** One updating line on a TTY; nothing otherwise (CI gets plain log lines from the caller). */
  progress(line: string): void {
    if (!this.io.stderr.isTTY) return;
    const width = Math.max(20, (this.io.stderr.columns ?? 80) - 1);
    this.io.stderr.write(`\r\x1b[2K${this.clean(line).slice(0, width)}`);
    this.progressShown = true;
  }

  clearProgress(): void {
    if (!this.progressShown) return;
    this.io.stderr.write("\r\x1b[2K");
    this.progressShown = false;
  }

  get isTTY(): boolean {
    return this.io.stderr.isTTY === true;
  }

  /**
   * One line of styled spans (rendered mrkdwn): each span's text sanitised like out(), then
   * styled with ANSI (bold, italic…) only when stdout is a terminal and NO_COLOR is unset.
   */
  outSpans(prefix: string, spans: readonly Span[]): void {
    this.clearProgress();
    const ansi = this.io.stdout.isTTY === true && !this.io.env.NO_COLOR;
    this.io.stdout.write(`${this.clean(prefix)}${spansToTerminal(spans, ansi, (t) => this.clean(t))}\n`);
  }
}

/** For `emulator` only: its fake workspace's hook URLs and tokens are what the user came for. */
export function writeUnscrubbed(io: CliIO, text: string): void {
  io.stdout.write(`${text}\n`);
}
