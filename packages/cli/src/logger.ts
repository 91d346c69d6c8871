import { type Logger } from "@socket-notify/core";
import { type Output } from "./io.js";

/** The CLI's logger: warnings and errors always (stderr), info unless quiet, debug with --debug. */
export function cliLogger(out: Output, opts: { quiet: boolean; debug: boolean }): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    debug: (m) => {
      if (opts.debug) out.err(`debug: ${m}`);
    },
    info: (m) => {
      if (!opts.quiet) out.err(m);
    },
    warn: (m) => {
      warnings.push(m);
      out.err(`warning: ${m}`);
    },
    error: (m) => out.err(`error: ${m}`),
  };
}
