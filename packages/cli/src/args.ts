import { parseArgs } from "node:util";
import { UserError } from "@socket-notify/core";
import { suggest } from "@socket-notify/core/internal";

export type Command =
  | "send"
  | "validate"
  | "schema"
  | "emulator"
  | "retry"
  | "demo"
  | "preview"
  | "serve"
  | "help"
  | "version"
  | "mute"
  | "unmute"
  | "mutes"
  | "state";
export const COMMANDS: Command[] = [
  "send",
  "validate",
  "schema",
  "emulator",
  "retry",
  "demo",
  "preview",
  "serve",
  "help",
  "version",
  "mute",
  "unmute",
  "mutes",
  "state",
];

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
  debug: { type: "boolean" },
  config: { type: "string", short: "c" },
  "allow-code-config": { type: "boolean" },
  facts: { type: "string" },
  "strict-blocking": { type: "boolean" },
  "dry-run": { type: "boolean" },
  out: { type: "string" },
  open: { type: "boolean" },
  json: { type: "boolean" },
  timeout: { type: "string" },
  "request-timeout": { type: "string" },
  outbox: { type: "string" },
  repo: { type: "string" },
  branch: { type: "string" },
  pr: { type: "string" },
  sha: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  verbose: { type: "boolean" },
  port: { type: "string" },
  workspace: { type: "string" },
  "no-rate-limit": { type: "boolean" },
  "request-url": { type: "string" },
  http: { type: "boolean" },
  host: { type: "string" },
  "log-format": { type: "string" },
  "health-port": { type: "string" },
  reason: { type: "string" },
  for: { type: "string" },
  until: { type: "string" },
  type: { type: "string" },
  by: { type: "string" },
  force: { type: "boolean" },
  replace: { type: "boolean" },
} as const;

/** Which options each command takes; anything else is a usage error, not silently ignored. */
const ALLOWED: Record<Command, (keyof typeof OPTIONS)[]> = {
  send: [
    "config",
    "allow-code-config",
    "facts",
    "strict-blocking",
    "dry-run",
    "out",
    "json",
    "timeout",
    "request-timeout",
    "outbox",
    "repo",
    "branch",
    "pr",
    "sha",
    "quiet",
    "verbose",
  ],
  validate: ["config", "allow-code-config", "facts", "json"],
  schema: ["config", "allow-code-config", "out"],
  emulator: ["port", "workspace", "no-rate-limit", "request-url"],
  retry: ["config", "allow-code-config", "dry-run", "json", "timeout", "request-timeout", "quiet"],
  demo: [],
  serve: ["config", "allow-code-config", "http", "port", "host", "health-port", "log-format"],
  preview: [
    "config",
    "allow-code-config",
    "facts",
    "strict-blocking",
    "out",
    "open",
    "repo",
    "branch",
    "pr",
    "sha",
    "quiet",
  ],
  help: [],
  version: [],
  mute: ["config", "allow-code-config", "reason", "for", "until", "repo", "type", "by", "force", "json"],
  unmute: ["config", "allow-code-config", "repo", "type", "json"],
  mutes: ["config", "allow-code-config", "json"],
  state: ["config", "allow-code-config", "replace"],
};

export type Flags = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]["type"] extends "boolean" ? boolean : string };

export interface ParsedArgs {
  command: Command;
  positionals: string[];
  flags: Flags;
}

export function parseCli(argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw usageError(e as Error);
  }
  const flags = parsed.values as Flags;
  const positionals = [...parsed.positionals];
  let command: Command = "send";
  let explicit = false;
  const first = positionals[0];
  if (first !== undefined && (COMMANDS as string[]).includes(first)) {
    command = first as Command;
    explicit = true;
    positionals.shift();
  } else if (first !== undefined && !looksLikeFile(first)) {
    const guess = suggest(first, COMMANDS);
    if (guess)
      throw new UserError("usage", `unknown command "${first}" (did you mean "${guess}"?)`, {
        hint: "run socket-notify --help for the commands",
      });
  }
  if (flags.version) command = "version";
  // `socket-notify --help` (no command word) is the overview, not `send`'s help.
  if (flags.help)
    return { command: "help", positionals: command === "help" ? positionals : explicit ? [command] : [], flags };
  for (const k of Object.keys(flags) as (keyof typeof OPTIONS)[]) {
    if (k === "debug" || k === "help" || k === "version") continue;
    if (!ALLOWED[command].includes(k)) {
      throw new UserError("usage", `${command}: --${k} is not an option of this command`, {
        hint: `run socket-notify ${command} --help`,
      });
    }
  }
  // A PR number goes into links and messages: `--pr abc` is a mistake, not a PR.
  if (flags.pr !== undefined && !/^#?\d{1,12}$/.test(flags.pr.trim())) {
    throw new UserError("usage", `--pr: expected a pull request number, got "${flags.pr.slice(0, 40)}"`, {
      hint: "e.g. --pr 42 (leave it out when the scan is not of a pull request)",
    });
  }
  const maxPositionals =
    command === "state"
      ? 2
      : command === "send" ||
          command === "retry" ||
          command === "preview" ||
          command === "help" ||
          command === "mute" ||
          command === "unmute"
        ? 1
        : 0;
  if (positionals.length > maxPositionals) {
    throw new UserError("usage", `${command}: unexpected argument "${positionals[maxPositionals]}"`, {
      hint: `run socket-notify ${command} --help`,
    });
  }
  return { command, positionals, flags };
}

function looksLikeFile(s: string): boolean {
  return s === "-" || /[./\\]/.test(s);
}

function usageError(e: Error): UserError {
  const code = (e as NodeJS.ErrnoException).code;
  const m = /'(-{1,2}[^']+)'/.exec(e.message);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && m) {
    const name = m[1]!.replace(/^-+/, "");
    const guess = suggest(name, Object.keys(OPTIONS));
    return new UserError("usage", `unknown option ${m[1]}${guess ? ` (did you mean --${guess}?)` : ""}`, {
      hint: "run socket-notify --help for the options",
    });
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && m && /ambiguous/.test(e.message)) {
    // `--timeout -5`: node reads -5 as another option.
    const name = m[1]!.replace(/ <value>$/, "");
    return new UserError("usage", `option ${name} needs a value (for a value starting with -, write ${name}=VALUE)`, {
      hint: "run socket-notify --help",
    });
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && m) {
    return new UserError(
      "usage",
      `option ${m[1]!.replace(/ <value>$/, "")} ${/argument missing/.test(e.message) ? "needs a value" : "takes no value"}`,
      { hint: "run socket-notify --help" },
    );
  }
  return new UserError("usage", e.message.split("\n")[0] ?? "bad arguments", { hint: "run socket-notify --help" });
}

/** Seconds from a flag, for --timeout: a positive number, or a usage error naming the flag. */
export function secondsFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) {
    throw new UserError("usage", `--${name}: expected a number of seconds between 0 and 3600, got "${value}"`, {
      hint: `e.g. --${name} 60`,
    });
  }
  return n;
}

export const HELP: Record<string, string> = {
  main: `socket-notify — route Socket Security scan alerts to Slack (and any notifier you plug in)

Usage:
  socket-notify [send] INPUT [options]   send the alerts of a Socket scan report (INPUT: a file, or - for stdin)
  socket-notify validate [--config F]    check the config and show the destinations, without sending
  socket-notify schema                   print the config's JSON Schema (for editors: "$schema")
  socket-notify retry OUTBOX             re-send messages an earlier run wrote to --outbox
  socket-notify preview INPUT [--out F]  an HTML page of exactly what send would post, per destination
  socket-notify serve [--http]           the Slack app: buttons and /socket-notify on alert messages (bot mode)
  socket-notify emulator                 run a local Slack emulator (Web API + incoming webhooks), live view at /
  socket-notify demo                     the bundled example, end to end, against an in-process emulator
  socket-notify mute PKG --reason TEXT   leave a package's alerts out of later runs (needs "state")
  socket-notify unmute ID|PKG            remove a mute;  socket-notify mutes [--json]: list them
  socket-notify state export|import FILE the state store as JSON (mutes, living messages)

Common options:
  -c, --config FILE        config file (default: SOCKET_SLACK_CONFIG_JSON, then .socketnotifyrc* search)
  --allow-code-config      allow .js/.mjs/.ts config files and "plugins" outside --config
  --debug                  show stack traces of internal errors
  -h, --help               help for a command: socket-notify send --help
  --version

Environment variables:
  SOCKET_SLACK_CONFIG_JSON  the config as JSON (the Socket CLI's variable; used when no --config)
  SOCKET_SLACK_BOT_TOKEN    bot mode's token (xoxb-…), unless the config sets bot_token
  SOCKET_SLACK_API_URL      Slack Web API base URL (GovSlack, a proxy, the emulator)
  SOCKET_SLACK_ENABLED      false: send nothing (when the config does not set enabled)
  SOCKET_SLACK_LEVELS       block,warn: policy levels to send (when the config does not set levels)
  SOCKET_NOTIFY_STATE       the state store: a file path or a postgres:// URL (overrides "state")
  SOCKET_SLACK_APP_TOKEN    serve's Socket Mode app-level token (xapp-…)
  SOCKET_SLACK_SIGNING_SECRET
                            serve --http: the app's signing secret
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY (and lower case)
                            a proxy for every request to Slack, with curl's rules
  any name in {"env": "NAME"} secrets of the config, e.g. SLACK_WEBHOOK_SECURITY
  CI variables of GitHub Actions, GitLab CI, Bitbucket Pipelines, Buildkite and CircleCI give the
  repository, branch, PR, commit and the links to them and to the CI run

Examples:
  socket-notify send socket-report.json --outbox undelivered.jsonl
  socket-notify send socket-report.json --config notify.json --dry-run
  socket-notify validate --config notify.json
  socket-notify schema --out socketnotify.schema.json
  socket-notify retry undelivered.jsonl
  socket-notify preview socket-report.json --config notify.json --out preview.html
  socket-notify serve --config notify.json
  socket-notify mute npm/lodash@4.17.20 --type criticalCVE --reason "not reachable" --for 30d
  socket-notify unmute mute-3f9a2c1b
  socket-notify mutes --json
  socket-notify state export state.json
  socket-notify emulator --port 3100
  socket-notify demo

Exit codes: 0 delivered (or nothing to send), 1 a destination failed, 2 bad input, config or usage.`,
  send: `socket-notify send INPUT [options]

INPUT is the JSON the Socket CLI wrote with --enable-json (the logger prefix is fine), or a scan
diff with new_alerts; - reads stdin.

  --facts FILE            reachability facts (.socket.facts.json): enables reachability_alerts_only
                          and always_send_reachability
  --strict-blocking       also send unchanged alerts (as the Socket CLI's --strict-blocking)
  --dry-run               plan and print what would be sent where, and why alerts were left out
                          (counts by reason, 5 examples each); send nothing
  --verbose               with --dry-run: list every excluded alert
  --out DIR               write report.json and every planned payload (as sent) to DIR
  --json                  print the delivery report as JSON on stdout
  --timeout SEC           whole-run time budget (default: config "timeout", else 120)
  --request-timeout SEC   per-request timeout (default: config "request_timeout", else 10)
  --outbox FILE           append every message that could not be delivered, as JSON lines
                          (no secrets); re-send them later with: socket-notify retry FILE
  --repo, --branch, --pr, --sha
                          override where the scan ran (default: the report, then CI variables of
                          GitHub Actions, GitLab CI, Bitbucket Pipelines, Buildkite, CircleCI);
                          --pr takes a number
  -q, --quiet             print only errors
  -c, --config FILE, --allow-code-config

Example:
  socketcli --enable-json > socket-report.json || true
  socket-notify send socket-report.json --outbox undelivered.jsonl`,
  validate: `socket-notify validate [--config FILE] [--facts FILE] [--json]

Loads the config the same way send does, validates it and lists each destination (secrets shown
redacted), with warnings. Exit 0 when valid, 2 otherwise.

Example:
  socket-notify validate --config .socketnotifyrc.json --json`,
  schema: `socket-notify schema [--out FILE]

Prints the JSON Schema of the config (core keys plus the webhook and bot notifiers' keys, and any
plugins the config loads).

Example:
  socket-notify schema --out socketnotify.schema.json`,
  retry: `socket-notify retry OUTBOX [--config FILE] [--dry-run] [--json] [--timeout SEC]

Re-sends the messages in OUTBOX (written by send --outbox) to their destinations in the current
config. Delivered lines are removed from the file; what still fails stays there.

Example:
  socket-notify retry undelivered.jsonl --dry-run`,
  serve: `socket-notify serve [--config FILE] [--health-port N | --http [--port 3000]] [--host 127.0.0.1] [--log-format json|plain]

The receive half: a long-running Slack app that acts on the buttons send puts under each alert
(bot mode with "interactive" in the config) and answers /socket-notify. Decisions go to the state
store (config "state" or SOCKET_NOTIFY_STATE), where the next send reads them.

  (default)               Socket Mode: an outbound WebSocket, no public endpoint;
                          needs SOCKET_SLACK_APP_TOKEN (xapp-…) and SOCKET_SLACK_BOT_TOKEN
  --http                  the Events API at /slack/events (+ /healthz, /readyz);
                          needs SOCKET_SLACK_SIGNING_SECRET and SOCKET_SLACK_BOT_TOKEN
  --port N, --host ADDR   where --http listens (default 127.0.0.1:3000)
  --health-port N         Socket Mode: /healthz and /readyz on this port (at --host);
                          ready = a Socket Mode connection is open and not draining
  --log-format json       one JSON object per line on stderr (default: plain text)
  -c, --config FILE, --allow-code-config

SIGTERM or Ctrl-C: stops taking requests, never acking one it will not handle (Slack retries
those events elsewhere), finishes the ones in flight, exits 0.

Example:
  SOCKET_SLACK_APP_TOKEN=xapp-… SOCKET_SLACK_BOT_TOKEN=xoxb-… socket-notify serve --config notify.json`,
  preview: `socket-notify preview INPUT [--config FILE] [--facts FILE] [--out page.html | --open]

Plans the run exactly as send does (same config, filters, facts, pages, thread replies) and
shows every message each destination would get, rendered as Slack shows Block Kit and mrkdwn,
with the destination's route, filter and how many alerts it left out and why. Sends nothing and
needs no secrets. The page is one self-contained HTML file: no network requests, no scripts.

  --out FILE              write the page to FILE (default: print it on stdout)
  --open                  write it to a private temporary file and open it in the browser
                          (xdg-open or open); prints the path when there is neither
  --facts FILE, --strict-blocking, --repo, --branch, --pr, --sha   as for send
  -q, --quiet             print only errors
  -c, --config FILE, --allow-code-config

Example:
  socket-notify preview examples/demo/socket-report.json \\
    --config examples/demo/webhook.socketnotifyrc.json --out preview.html`,
  emulator: `socket-notify emulator [--port N] [--workspace FILE] [--no-rate-limit] [--request-url URL]

Runs the local Slack emulator on 127.0.0.1 until Ctrl-C, and prints its webhook URLs, Web API URL,
tokens and its app's values (app ID, xapp- token, signing secret, users, user groups). Point a
config at it ("slack_api_url", or webhook "url") to try it without Slack. --request-url sends the
app's events, clicks and slash commands over HTTP (signed) to URL; without it, Socket Mode only.

Example:
  socket-notify emulator --port 3100 --no-rate-limit`,
  mute: `socket-notify mute ECOSYSTEM/NAME[@VERSION] --reason TEXT [options]

Leaves matching alerts out of every later send (they are counted: "2 muted"). Needs a state store
("state" in the config, or SOCKET_NOTIFY_STATE).

  --reason TEXT           why (required; shown with the mute)
  --for 30d | --until DATE
                          expiry (m, h, d, w; or 2027-01-31 / an ISO date-time); default: none
  --repo OWNER/NAME       only in this repository (default: every repository)
  --type ALERT_TYPE       only this alert type (e.g. criticalCVE); without it, --force is needed
  --force                 also for malware and didYouMean (typosquat) alerts
  --by NAME               who decides (default: the CI actor, else the OS user)
  --json                  print the decision as JSON

Example:
  socket-notify mute npm/lodash@4.17.20 --type criticalCVE --reason "not reachable" --for 30d`,
  unmute: `socket-notify unmute ID | ECOSYSTEM/NAME[@VERSION] [--repo OWNER/NAME] [--type T] [--json]

Removes a mute by its id (socket-notify mutes lists them), or every mute of that package.

Example:
  socket-notify unmute mute-3f9a2c1b`,
  mutes: `socket-notify mutes [--json]

Lists the mutes, acknowledgements and snoozes in force (expired ones no longer apply), with who,
when, why and until when.

Example:
  socket-notify mutes --json`,
  state: `socket-notify state export FILE | state import FILE [--replace]

export writes the whole state store (decisions and living messages) as JSON, to review or keep in
git; import merges such a file into the store (--replace: the store becomes the file). FILE may be -.

Example:
  socket-notify state export state.json`,
  demo: `socket-notify demo

Sends the bundled example report through webhook mode and bot mode to an in-process Slack
emulator and shows what arrived in each channel. Needs no Slack workspace.

Example:
  socket-notify demo`,
};
