/**
 * Typed, coded errors. Every error a user can cause carries a stable `code`, a one-line
 * message that names the file and JSON path where that applies, and a `hint` that says how
 * to fix it. The CLI maps `exitCode` to the process exit code and never prints a stack
 * trace for these unless `--debug` is given.
 */
export type ErrorCode =
  | "usage"
  | "input_unreadable"
  | "input_invalid"
  | "config_not_found"
  | "config_invalid"
  | "config_code_not_allowed"
  | "mode_unknown"
  | "plugin_invalid"
  | "token_missing"
  | "token_wrong_kind"
  | "token_invalid"
  | "facts_invalid"
  | "proxy_invalid";

export interface ErrorDetails {
  hint?: string;
  /** The file the problem is in, when there is one. */
  file?: string;
  /** JSON path inside that file, e.g. `bot_configs[0].channels`. */
  path?: string;
  cause?: unknown;
}

// A plugin that imports @socket-notify/core gets its own copy of it next to the CLI's bundled
// one; the brand (a registry symbol, the same in every copy) lets `instanceof UserError` and
// friends recognise errors made by any copy, so a plugin's UserError still exits 2 with its hint.
const ERROR_CLASSES = Symbol.for("socket-notify:error-classes");

/** An error socket-notify means to show: a stable `code`, a one-line message, and `hint`, `file` and `path` when known. */
export abstract class SocketNotifyError extends Error {
  static [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const names = (value as { [ERROR_CLASSES]?: unknown } | null)?.[ERROR_CLASSES];
    return Array.isArray(names) && names.includes(this.name);
  }

  abstract readonly code: string;
  /** 2 for bad input, config or usage; 1 for a delivery failure. */
  abstract readonly exitCode: 1 | 2;
  readonly hint: string | undefined;
  readonly file: string | undefined;
  readonly path: string | undefined;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    const classes: string[] = [];
    for (let c: unknown = new.target; typeof c === "function" && c !== Error; c = Object.getPrototypeOf(c))
      classes.push((c as { name: string }).name);
    Object.defineProperty(this, ERROR_CLASSES, { value: classes });
    this.hint = details.hint;
    this.file = details.file;
    this.path = details.path;
  }
}

/** Bad input, config or usage: exit code 2. */
export class UserError extends SocketNotifyError {
  readonly exitCode = 2 as const;
  constructor(
    readonly code: ErrorCode,
    message: string,
    details: ErrorDetails = {},
  ) {
    super(message, details);
  }
}

/** Whether `e` is a socket-notify error from any copy of core (a plugin's own included). */
export function isSocketNotifyError(e: unknown): e is SocketNotifyError {
  return e instanceof SocketNotifyError;
}

/** `file: path: message` — the one-line form the CLI prints. */
export function formatLocation(file: string | undefined, path: string | undefined): string {
  const parts = [file, path].filter((p): p is string => p !== undefined && p !== "");
  return parts.length ? `${parts.join(": ")}: ` : "";
}
