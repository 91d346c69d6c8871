/**
 * Everything the CLI touches outside itself, passed in so tests run `main()` in-process with
 * their own streams and environment, and so nothing the CLI prints can skip the secret scrubber.
 */
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

// Last line of defence: whatever reaches the terminal, a Slack credential does not. Secrets
// the config named are scrubbed exactly by the engine's host; these patterns catch the rest
// (a URL or token quoted back inside an SDK error, a value echoed from a bad config).
const WEBHOOK = /(https?:\/\/)?(hooks\.slack(?:-gov)?\.com\/services\/)([A-Za-z0-9_]+)\/([A-Za-z0-9_]+)\/[A-Za-z0-9_]+/g;
const EMULATOR_HOOK = /(http:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):\d+\/services\/)([A-Za-z0-9_]+)\/([A-Za-z0-9_]+)\/[A-Za-z0-9_]+/g;
const TOKEN = /\bxox([abpre])-[A-Za-z0-9-]+/g;
const APP_TOKEN = /\bxapp-[A-Za-z0-9-]+/g;

export function redactCredentials(text: string): string {
  return text
    .replace(WEBHOOK, (_m, _scheme, host: string, t: string, b: string) => `${host}${t.slice(0, 1)}…/${b.slice(0, 1)}…/****`)
    .replace(EMULATOR_HOOK, (_m, base: string, t: string, b: string) => `${base}${t.slice(0, 1)}…/${b.slice(0, 1)}…/****`)
    .replace(TOKEN, (_m, kind: string) => `xox${kind}-****`)
    .replace(APP_TOKEN, "xapp-****");
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
    return terminalSafe(redactCredentials(this.extraScrub(text)));
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
