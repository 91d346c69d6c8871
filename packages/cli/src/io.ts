/**
 * Everything the CLI touches outside itself, passed in so tests run `main()` in-process with
 * their own streams and environment, and so nothing the CLI prints can skip the secret scrubber.
 */
import { fstatSync, writeSync } from "node:fs";
import { redactSlackCredentials } from "@socket-notify/core";

export interface CliIO {
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown; isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
  cwd: string;
}

export function processIO(): CliIO {
  return { stdout: stdioWriter(1), stderr: stdioWriter(2), env: process.env, cwd: process.cwd() };
}

type Stdio = NodeJS.WriteStream & { fd: 1 | 2 };

/**
 * Standard output or error written with `fs.writeSync` while it is a file, a pipe or a socket.
 *
 * Why: the first touch of `process.stdout` builds a stream (for a pipe, a `net.Socket`), loading
 * Node's stream and net modules: several milliseconds of a dry run's start-up (bench figure 5),
 * more than the dry run itself. Node writes to files, pipes and sockets synchronously on POSIX anyway, so
 * the order and completeness of the output are the same. A terminal (or anything else that is
 * not one of those), or a pipe some other process left non-blocking (EAGAIN), gets the
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

// Repo and branch names, package names and values quoted in errors are untrusted: raw escape
// sequences, carriage returns or bidi overrides in them could rewrite or disguise a CI log line.
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Control and bidi characters shown as `\u001b`-style escapes; newlines and tabs kept. */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Writes through the scrubber; `extraScrub` is the engine host's exact-secret scrubber once a config is loaded. */
export class Output {
  extraScrub: (text: string) => string = (t) => t;
  private progressShown = false;

  constructor(private readonly io: CliIO) {}

  private clean(text: string): string {
    // Exact secrets of the run first (the engine host), then anything shaped like a Slack
    // credential (a value echoed from a config that failed to load), then terminal safety.
    return terminalSafe(redactSlackCredentials(this.extraScrub(text)));
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
}

/** For `emulator` only: its fake workspace's hook URLs and tokens are what the user came for. */
export function writeUnscrubbed(io: CliIO, text: string): void {
  io.stdout.write(`${text}\n`);
}
