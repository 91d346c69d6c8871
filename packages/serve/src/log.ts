/**
 * One line per event: JSON (`--log-format json`, for log collectors) or plain text. Callers pass
 * only what is safe to print (ids, kinds, outcomes, timings); request bodies and the headers that
 * carry secrets are never handed to the logger. As a last line of defence any value that looks
 * like a Slack token or signature is masked anyway.
 */
export type LogFormat = "json" | "plain";
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface ServeLogger {
  log(level: LogLevel, event: string, fields?: LogFields): void;
}

const SECRETISH = /\b(?:xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|v0=[0-9a-f]{16,})/g;

function mask(v: string): string {
  return v.replace(SECRETISH, "[REDACTED]");
}

/** Plain values with spaces, quotes or `=` are quoted, so a line splits back into its fields. */
function plainValue(v: string | number | boolean): string {
  const s = typeof v === "string" ? mask(v) : String(v);
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}

export function createLogger(
  format: LogFormat,
  write: (line: string) => void,
  options: { level?: LogLevel; now?: () => Date } = {},
): ServeLogger {
  const order: LogLevel[] = ["debug", "info", "warn", "error"];
  const min = order.indexOf(options.level ?? "info");
  const now = options.now ?? (() => new Date());
  return {
    log(level, event, fields = {}) {
      if (order.indexOf(level) < min) return;
      const time = now().toISOString();
      const entries = Object.entries(fields).filter(
        (e): e is [string, string | number | boolean] => e[1] !== undefined,
      );
      if (format === "json") {
        const out: Record<string, string | number | boolean> = { time, level, event };
        for (const [k, v] of entries) out[k] = typeof v === "string" ? mask(v) : v;
        write(JSON.stringify(out));
      } else {
        write([time, level.toUpperCase(), event, ...entries.map(([k, v]) => `${k}=${plainValue(v)}`)].join(" "));
      }
    },
  };
}

/** For library users and tests that do not want output. */
export const silentLogger: ServeLogger = { log() {} };
