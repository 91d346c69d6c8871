/**
 * The GitHub Action (action.yml at the repository root). The runner runs
 * `node dist-action/index.cjs`, a committed bundle of this module and everything it imports
 * (scripts/action-bundle.mjs), so a workflow needs no install step and fetches no package.
 *
 * It is the CLI's `send` with the Action's inputs as flags: the same validation, routing,
 * delivery and exit code. Around it, the Action's own duties: mask every secret the config
 * resolves before anything is printed, write step outputs and a job summary, and annotate
 * failed destinations.
 */
import "reflect-metadata";
import { appendFile, writeFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import {
  type Alert,
  createEngine,
  type DeliveryReport,
  isSocketNotifyError,
  readScanFile,
  reportExitCode,
  silentLogger,
  UserError,
} from "@socket-notify/core";
import { packageLabel, sortByRisk } from "@socket-notify/core/internal";
import { BUILTIN_PLUGINS } from "./builtins.js";
import { type CliIO } from "./io.js";
import { main } from "./main.js";

/** The Action's inputs (action.yml), each mapped to a `send` flag. */
interface Inputs {
  report: string;
  config?: string;
  configJson?: string;
  facts?: string;
  dryRun: boolean;
  strictBlocking: boolean;
  outbox?: string;
  timeout?: string;
}

/** Rows of the job summary's alert table; the rest are counted. */
const TOP_ALERTS = 10;

/**
 * Runs the Action as the runner does: inputs from `INPUT_*`, outputs appended to the file
 * `GITHUB_OUTPUT` names, the summary to `GITHUB_STEP_SUMMARY`, workflow commands on stdout.
 * Returns the exit code (the CLI's: 0 delivered, 1 a destination failed, 2 bad input).
 */
export async function runAction(io: CliIO): Promise<number> {
  const { env } = io;
  const say = (line: string): void => void io.stdout.write(`${line}\n`);
  let inputs: Inputs;
  try {
    inputs = readInputs(env);
  } catch (e) {
    if (!isSocketNotifyError(e)) throw e;
    say(`::error title=socket-notify::${command(`${e.message}${e.hint ? ` (hint: ${e.hint})` : ""}`)}`);
    return 2;
  }
  const cliEnv: Record<string, string | undefined> = { ...env };
  if (inputs.configJson !== undefined) cliEnv.SOCKET_SLACK_CONFIG_JSON = inputs.configJson;
  const configPath = inputs.config === undefined ? undefined : abs(io.cwd, inputs.config);

  // Before anything else prints: the CLI's own output never shows a secret, but a plugin's,
  // an SDK's or a later step's might, and GitHub redacts only what it was told about.
  await maskSecrets(cliEnv, io.cwd, configPath, say);

  const argv = ["send", inputs.report, "--json"];
  if (configPath !== undefined) argv.push("--config", configPath);
  if (inputs.facts !== undefined) argv.push("--facts", inputs.facts);
  if (inputs.dryRun) argv.push("--dry-run");
  if (inputs.strictBlocking) argv.push("--strict-blocking");
  if (inputs.outbox !== undefined) argv.push("--outbox", inputs.outbox);
  if (inputs.timeout !== undefined) argv.push("--timeout", inputs.timeout);

  let json = "";
  let errors = "";
  const code = await main(argv, {
    stdout: { write: (chunk: string) => ((json += chunk), true) },
    stderr: { write: (chunk: string) => ((errors += chunk), io.stderr.write(chunk)) },
    env: cliEnv,
    cwd: io.cwd,
  });
  let report: DeliveryReport | undefined;
  try {
    report = json.trim() ? (JSON.parse(json) as DeliveryReport) : undefined;
  } catch {
    report = undefined;
  }
  if (!report) {
    // Bad input, config or usage (exit 2): the CLI said why on stderr, in one line and a hint.
    const lines = errors.split("\n").filter((l) => /^socket-notify: (error|internal error)|^ {2}hint:/.test(l));
    say(
      `::error title=socket-notify::${command(lines.map((l) => l.trim()).join(" ") || `socket-notify exited ${code}`)}`,
    );
    return code === 0 ? 1 : code;
  }

  const reportPath = join(env.RUNNER_TEMP || io.cwd, "socket-notify-report.json");
  await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  for (const line of logLines(report)) say(line);
  for (const d of report.destinations) {
    if (d.status !== "failed") continue;
    const why = d.error
      ? `${d.error.code}: ${d.error.message}${d.error.hint ? ` (hint: ${d.error.hint})` : ""}`
      : "failed";
    say(`::error title=${property(`socket-notify: ${d.route} failed`)}::${command(`${d.target}: ${why}`)}`);
  }

  if (env.GITHUB_OUTPUT) await appendFile(env.GITHUB_OUTPUT, outputs(report, reportPath));
  if (env.GITHUB_STEP_SUMMARY) {
    let alerts: Alert[] = [];
    try {
      alerts = (await readScanFile(abs(io.cwd, inputs.report), { strictBlocking: inputs.strictBlocking })).alerts;
    } catch {
      // The CLI read it a moment ago; if it cannot be read again the table is left out.
    }
    await appendFile(env.GITHUB_STEP_SUMMARY, summary(report, alerts));
  }
  // The CLI's exit policy, unchanged: 1 when a destination failed.
  return code === 0 ? reportExitCode(report) : code;
}

function readInputs(env: Record<string, string | undefined>): Inputs {
  // The runner's naming: `INPUT_` + the name upper-cased, spaces as underscores (hyphens stay).
  const get = (name: string): string | undefined => {
    const v = env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`]?.trim();
    return v ? v : undefined;
  };
  const bool = (name: string): boolean => {
    const v = get(name);
    if (v === undefined || /^(false|False|FALSE)$/.test(v)) return false;
    if (/^(true|True|TRUE)$/.test(v)) return true;
    throw new UserError("usage", `input ${name}: "${v.slice(0, 40)}" is not a boolean`, {
      hint: `use ${name}: true or ${name}: false`,
    });
  };
  const report = get("report");
  if (report === undefined)
    throw new UserError("usage", "input report: missing", {
      hint: "set report: to the file the Socket CLI wrote with --enable-json",
    });
  const config = get("config");
  const configJson = get("config-json");
  if (config !== undefined && configJson !== undefined) {
    throw new UserError("usage", "inputs config and config-json: both given", {
      hint: "give one: config: a file path, or config-json: the JSON itself",
    });
  }
  const inputs: Inputs = { report, dryRun: bool("dry-run"), strictBlocking: bool("strict-blocking") };
  if (config !== undefined) inputs.config = config;
  if (configJson !== undefined) inputs.configJson = configJson;
  for (const [key, name] of [
    ["facts", "facts"],
    ["outbox", "outbox"],
    ["timeout", "timeout"],
  ] as const) {
    const v = get(name);
    if (v !== undefined) inputs[key] = v;
  }
  return inputs;
}

/**
 * `::add-mask::` every secret the config resolves (webhook URLs, tokens), in each form a log
 * might show it. The config is loaded as the CLI will load it; if that fails, the CLI reports
 * the error (which never contains a secret) and nothing is sent.
 */
async function maskSecrets(
  env: Record<string, string | undefined>,
  cwd: string,
  configPath: string | undefined,
  say: (line: string) => void,
): Promise<void> {
  let secrets: string[];
  try {
    const options: Parameters<typeof createEngine>[0] = {
      env,
      cwd,
      plugins: BUILTIN_PLUGINS,
      logger: silentLogger,
      missingSecrets: "warn",
    };
    if (configPath !== undefined) options.configPath = configPath;
    const engine = await createEngine(options);
    secrets = engine.host.secrets.filter((s) => !s.missing).map((s) => s.reveal());
  } catch {
    return;
  }
  const forms = new Set<string>();
  for (const raw of secrets) {
    if (!raw) continue;
    forms.add(raw);
    forms.add(encodeURIComponent(raw));
    forms.add(raw.replace(/^https?:\/\//, ""));
  }
  // A mask is one line: a value with a line break is masked line by line.
  for (const f of forms) for (const line of f.split(/\r?\n/)) if (line.trim().length >= 4) say(`::add-mask::${line}`);
}

function outputs(report: DeliveryReport, reportPath: string): string {
  const failed = report.destinations.filter((d) => d.status === "failed").length;
  const delivered = report.destinations.reduce((n, d) => n + d.delivered, 0);
  const firstMessages: Record<string, { ts: string; channel: string }> = {};
  for (const d of report.destinations) {
    const first = d.message_results.find((m) => m.ts !== undefined && m.channel !== undefined);
    if (first) firstMessages[d.route] = { ts: first.ts!, channel: first.channel! };
  }
  const first = Object.values(firstMessages)[0];
  const out: Record<string, string> = {
    delivered: String(delivered),
    failed: String(failed),
    alerts: String(report.alerts.matched),
    report: reportPath,
    messages: JSON.stringify(firstMessages),
    ts: first?.ts ?? "",
    channel: first?.channel ?? "",
  };
  // The multi-line form with a random delimiter, so no value can end its own entry early.
  const delimiter = `socket_notify_${Math.random().toString(36).slice(2)}_EOF`;
  return Object.entries(out)
    .map(([k, v]) => `${k}<<${delimiter}\n${v}\n${delimiter}\n`)
    .join("");
}

/** The log's account of the run (the JSON report is in the `report` output). */
function logLines(report: DeliveryReport): string[] {
  const lines = [
    `socket-notify: ${report.alerts.total} alert(s) in the scan, ${report.alerts.matched} routed${report.dry_run ? " (dry run: nothing sent)" : ""}`,
  ];
  for (const d of report.destinations) {
    lines.push(
      `  ${d.status === "failed" ? "✗" : "✓"} ${d.route} → ${d.target}: ${d.status}, ${d.alerts} alert(s), ${d.delivered}/${d.messages} message(s)${d.error ? ` — ${d.error.code}: ${d.error.message}` : ""}`,
    );
    if (d.error?.hint) lines.push(`      hint: ${d.error.hint}`);
  }
  for (const w of report.warnings) lines.push(`::warning title=socket-notify::${command(w)}`);
  return lines;
}

const STATUS_ICON: Record<string, string> = { sent: "✅", "dry-run": "🧪", skipped: "⏭️", failed: "❌" };

/** The job summary: per destination, then the top alerts. Every report-derived cell is escaped. */
export function summary(report: DeliveryReport, alerts: readonly Alert[]): string {
  const out: string[] = [];
  out.push(`### socket-notify${report.dry_run ? " (dry run: nothing sent)" : ""}`, "");
  out.push(
    `${report.alerts.total} alert(s) in the scan, ${report.alerts.matched} routed to ${report.destinations.length} destination(s).`,
    "",
  );
  if (report.destinations.length) {
    out.push("| destination | status | alerts | messages | error |", "|---|---|---|---|---|");
    for (const d of report.destinations) {
      const error = d.error
        ? `${mdCode(d.error.code)} ${mdText(d.error.message)}${d.error.hint ? `<br>hint: ${mdText(d.error.hint)}` : ""}`
        : "";
      out.push(
        `| ${mdText(d.route)} → ${mdText(d.target)} | ${STATUS_ICON[d.status] ?? ""} ${mdText(d.status)} | ${d.alerts} | ${d.delivered}/${d.messages} | ${error} |`,
      );
    }
    out.push("");
  }
  for (const w of report.warnings) out.push(`> ⚠️ ${mdText(w)}`, "");
  if (alerts.length) {
    const top = sortByRisk(alerts).slice(0, TOP_ALERTS);
    out.push(`#### Top alerts`, "", "| severity | package | alert | action |", "|---|---|---|---|");
    for (const a of top) {
      out.push(
        `| ${mdText(String(a.severity))} | ${mdCode(`${a.ecosystem}:${packageLabel(a)}`)} | ${mdText(a.title || a.type)} | ${mdText(a.action)} |`,
      );
    }
    if (alerts.length > top.length)
      out.push(
        "",
        `… and ${alerts.length - top.length} more (all of them in the delivery report and the Slack messages).`,
      );
    out.push("");
  }
  return `${out.join("\n")}\n`;
}

/**
 * Report text as inert Markdown in a GitHub summary (a table cell): HTML's special characters
 * as entities, every other ASCII punctuation character backslash-escaped (no emphasis, links,
 * images, code or table cells), and a zero-width space breaking what GitHub would autolink
 * (`http://`, `www.`, `user@host`). Line breaks would end the table row: they become spaces.
 */
export function mdText(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f]+/g, " ")
    .replace(/[!"#$%'()*+,\-./:;=?@[\\\]^_`{|}~]/g, (c) => `\\${c}`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/(\w)(\\:|\\@|\\\.)/g, "$1&#8203;$2");
}

/** A code span (literal: no links, no HTML), fenced by more backticks than the text holds. */
export function mdCode(text: string): string {
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\|/g, "\\|");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  return `${fence} ${flat} ${fence}`;
}

/** Data of a workflow command (`::error::DATA`): `%`, CR and LF are the runner's escapes. */
function command(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A workflow command's property value (`title=…`): also `:` and `,`. */
function property(text: string): string {
  return command(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function abs(cwd: string, p: string): string {
  return isAbsolute(p) ? p : resolve(cwd, p);
}
