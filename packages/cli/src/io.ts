/**
 * Everything the CLI touches outside itself, passed in so tests run `main()` in-process with
 * their own streams and environment, and so nothing the CLI prints can skip the secret scrubber.
 */
import { redactSlackCredentials } from "@socket-notify/core";

export interface CliIO {
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown; isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Read standard input (for `-`). */
  stdin?: NodeJS.ReadableStream;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), stdin: process.stdin };
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
