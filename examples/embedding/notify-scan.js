#!/usr/bin/env node
// @ts-check
/**
 * notify-scan: a small tool that embeds the socket-notify core instead of running its CLI.
 *
 *   SLACK_WEBHOOK_URL=https://hooks.slack.com/services/… node notify-scan.js scan.json [--min-severity high] [--dry-run]
 *
 * It builds its config in code, picks the Slack incoming-webhook notifier, sends the scan's
 * alerts and prints a summary from the delivery report through its own logger. The library
 * never prints and never exits: everything it has to say comes back as the report, as logger
 * calls, or as a thrown `UserError` (with `exitCode` 2).
 */
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createEngine, isSocketNotifyError, readScanFile, reportExitCode } from "@socket-notify/core";
import { webhookPlugin } from "@socket-notify/slack-webhook";

/**
 * @typedef {import("@socket-notify/core").Logger} Logger
 * @typedef {import("@socket-notify/core").DeliveryReport} DeliveryReport
 * @typedef {{ write(text: string): unknown }} Output
 */

/**
 * The tool's own logger: info to stdout, warnings and errors to stderr, debug only when asked.
 * @param {{ stdout: Output, stderr: Output, verbose?: boolean }} io
 * @returns {Logger}
 */
export function createLogger({ stdout, stderr, verbose = false }) {
  return {
    debug: (m) => void (verbose && stderr.write(`notify-scan: debug: ${m}\n`)),
    info: (m) => void stdout.write(`${m}\n`),
    warn: (m) => void stderr.write(`notify-scan: warning: ${m}\n`),
    error: (m) => void stderr.write(`notify-scan: error: ${m}\n`),
  };
}

/**
 * What a person wants to know after a run, from the delivery report.
 * @param {DeliveryReport} report
 * @returns {string[]}
 */
export function summarize(report) {
  const lines = [
    `${report.alerts.total} alert(s) in the scan, ${report.alerts.matched} routed${report.dry_run ? " (dry run: nothing sent)" : ""}`,
  ];
  for (const d of report.destinations) {
    const detail =
      d.status === "failed" ? `: ${d.error?.message ?? "failed"}${d.error?.hint ? ` (${d.error.hint})` : ""}` : "";
    lines.push(
      `  ${d.target}: ${d.status}, ${d.alerts} alert(s) in ${d.delivered}/${d.messages} message(s)${d.omitted ? `, ${d.omitted} not shown` : ""}${detail}`,
    );
  }
  return lines;
}

/**
 * The whole tool as a function, so it can be tested and embedded in turn; returns the exit code.
 * @param {{ argv: string[], env: Record<string, string | undefined>, logger: Logger }} options
 * @returns {Promise<0 | 1 | 2>}
 */
export async function main({ argv, env, logger }) {
  /** @type {{ values: { "min-severity"?: string, "dry-run"?: boolean, verbose?: boolean }, positionals: string[] }} */
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { "min-severity": { type: "string" }, "dry-run": { type: "boolean" }, verbose: { type: "boolean" } },
    });
  } catch (e) {
    logger.error(/** @type {Error} */ (e).message);
    return 2;
  }
  const [scanPath] = args.positionals;
  if (!scanPath || args.positionals.length > 1) {
    logger.error("usage: notify-scan SCAN.json [--min-severity high] [--dry-run]");
    return 2;
  }
  try {
    // The config, in code. The URL stays in the environment: the config only names the variable.
    const config = {
      mode: "webhook",
      url: { env: "SLACK_WEBHOOK_URL" },
      url_configs: { default: args.values["min-severity"] ? { min_severity: args.values["min-severity"] } : {} },
    };
    const engine = await createEngine({ config, plugins: [webhookPlugin], logger, env });
    const scan = await readScanFile(scanPath);
    const report = await engine.notify(scan, { dryRun: args.values["dry-run"] ?? false });
    for (const w of report.warnings) logger.warn(w);
    for (const line of summarize(report)) logger.info(line);
    return reportExitCode(report);
  } catch (e) {
    // Bad input or config: a one-line message and a hint, never a stack trace.
    if (isSocketNotifyError(e)) {
      logger.error(`${e.message}${e.hint ? `\n  hint: ${e.hint}` : ""}`);
      return 2;
    }
    throw e;
  }
}

// Run as a program (not when imported): the exit code is set here, by the tool, not the library.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const logger = createLogger({ stdout: process.stdout, stderr: process.stderr, verbose: argv.includes("--verbose") });
  process.exitCode = await main({ argv, env: process.env, logger });
}
