/**
 * The bad-input catalogue (issue 9): every way a user can get the input, the config, a flag or
 * a side file wrong, run through the CLI's in-process `main()` as a user would hit it. Each case
 * expects exit code 2, one line `socket-notify: error: …` naming the file and JSON path, no stack
 * trace, and no secret echoed, even when the bad config holds a real-looking webhook URL or token.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "@socket-notify/cli";
import { expectNoSecrets } from "@socket-notify/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const HOOK = "https://hooks.slack.com/services/T0SECRET1/B0SECRET2/abcdefSECRETxyz";
const TOKEN = "xoxb-1234-SECRET";
/** Every secret in this file has SECRET in it, and nothing else a run prints does. */
const SECRET_PARTS = [HOOK, TOKEN, "abcdefSECRETxyz", "T0SECRET1/B0SECRET2", "xoxp-1234-SECRET", "xapp-1-SECRET"];

const ISSUE = {
  pkg_type: "npm",
  pkg_name: "left-pad",
  pkg_version: "1.3.0",
  type: "malware",
  severity: "critical",
  title: "Known malware",
  error: true,
};
const REPORT = JSON.stringify({ scan_failed: true, full_scan_id: "s1", new_alerts: [ISSUE] });
const report = (over: Record<string, unknown>) =>
  JSON.stringify({ scan_failed: false, full_scan_id: "s1", new_alerts: [{ ...ISSUE, ...over }] });
const cfg = (c: Record<string, unknown>) => JSON.stringify(c);
const bot = (extra: Record<string, unknown> = {}) =>
  cfg({ mode: "bot", bot_token: TOKEN, bot_configs: [{ name: "sec", channels: ["security-alerts"] }], ...extra });
const outboxLine = {
  version: 1,
  created: "2025-01-01T00:00:00Z",
  mode: "webhook",
  route: "default",
  target: "default",
  kind: "alerts",
  index: 1,
  count: 1,
  alerts: 1,
  payload: { text: "x", blocks: [] },
  error: { code: "timeout", message: "timed out" },
};

interface Case {
  name: string;
  /** Files to write in a fresh directory (the working directory). Binary as Buffer. */
  files?: Record<string, string | Buffer>;
  argv: string[];
  env?: Record<string, string>;
  /** A stable part of the one error line: file name, JSON path and the words. */
  error: string | RegExp;
}

/** Default files: a valid report and a valid config, so each case breaks one thing. */
const BASE = { "report.json": REPORT, "good.json": cfg({ url: HOOK }) };
const SEND = ["send", "report.json", "--dry-run"];

const CASES: Case[] = [
  // --- the scan report ---
  {
    name: "report: JSON cut off at the end",
    files: { "r.json": '{"new_alerts": [{"pkg_type": "npm"' },
    argv: ["r.json", "--config", "good.json"],
    error: "r.json: invalid JSON at line 1, column 35: unexpected end of input (truncated?)",
  },
  {
    name: "report: missing colon in the middle",
    files: { "r.json": '{"new_alerts": [{"pkg_type" "npm"}]}' },
    argv: ["r.json", "--config", "good.json"],
    error: 'r.json: invalid JSON at line 1, column 29: unexpected "\\""',
  },
  {
    name: "report: garbage at the start",
    files: { "r.json": "x{}" },
    argv: ["r.json", "--config", "good.json"],
    error: 'r.json: invalid JSON at line 1, column 1: unexpected "x"',
  },
  {
    name: "report: text after the JSON",
    files: { "r.json": '{"new_alerts": []} x' },
    argv: ["r.json", "--config", "good.json"],
    error: 'r.json: invalid JSON at line 1, column 20: unexpected "x": more text after the end of the JSON value',
  },
  {
    name: "report: error on a later line",
    files: { "r.json": '{\n  "new_alerts": [\n    {"pkg_type": "npm",}\n  ]\n}' },
    argv: ["r.json", "--config", "good.json"],
    error: 'r.json: invalid JSON at line 3, column 24: unexpected "}"',
  },
  {
    name: "report: a list instead of an object",
    files: { "r.json": "[]" },
    argv: ["r.json", "--config", "good.json"],
    error: "r.json: expected a JSON object (a Socket scan report), got a list",
  },
  {
    name: "report: a string",
    files: { "r.json": '"new_alerts"' },
    argv: ["r.json", "--config", "good.json"],
    error: "r.json: expected a JSON object (a Socket scan report), got a string",
  },
  {
    name: "report: empty file",
    files: { "r.json": "" },
    argv: ["r.json", "--config", "good.json"],
    error: "r.json: the file is empty",
  },
  {
    name: "report: only whitespace",
    files: { "r.json": " \n\t\n" },
    argv: ["r.json", "--config", "good.json"],
    error: "r.json: the file is empty",
  },
  {
    name: "report: binary file",
    files: { "r.bin": Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00, 0x0a]) },
    argv: ["r.bin", "--config", "good.json"],
    error: "r.bin: this is a binary file, not JSON",
  },
  {
    name: "report: missing file",
    argv: ["nope.json", "--config", "good.json"],
    error: "nope.json: cannot read the scan report (no such file)",
  },
  {
    name: "report: a directory",
    files: { "adir/x": "" },
    argv: ["adir", "--config", "good.json"],
    error: "adir: cannot read the scan report (it is a directory)",
  },
  {
    name: "report: no new_alerts",
    files: { "r.json": '{"alerts": []}' },
    argv: ["r.json", "--config", "good.json"],
    error: 'r.json: not a Socket scan report: no "new_alerts" key',
  },
  {
    name: "report: new_alerts is an object",
    files: { "r.json": '{"new_alerts": {}}' },
    argv: ["r.json", "--config", "good.json"],
    error: "r.json: new_alerts: expected a list, got an object",
  },
  {
    name: "report: pkg_name is a number",
    files: { "r.json": report({ pkg_name: 5 }) },
    argv: ["r.json", "--config", "good.json"],
    error: "r.json: new_alerts[0].pkg_name: expected a string, got the number 5",
  },
  {
    name: "report: type missing",
    files: { "r.json": report({ type: undefined }) },
    argv: ["r.json", "--config", "good.json"],
    error: "r.json: new_alerts[0].type: is required but missing",
  },
  {
    name: "report: unknown severity",
    files: { "r.json": report({ severity: "urgent" }) },
    argv: ["r.json", "--config", "good.json"],
    error: 'r.json: new_alerts[0].severity: unknown severity "urgent"',
  },
  {
    name: "report: error flag is a string",
    files: { "r.json": report({ error: "yes" }) },
    argv: ["r.json", "--config", "good.json"],
    error: "r.json: new_alerts[0].error: expected true or false",
  },
  {
    name: "report: a facts file given as the report",
    files: { "r.json": '{"components": []}' },
    argv: ["r.json", "--config", "good.json"],
    error: "r.json: this is a reachability facts file, not a scan report",
  },
  {
    name: "report: a Slack payload given as the report",
    files: { "r.json": '{"blocks": []}' },
    argv: ["r.json", "--config", "good.json"],
    error: "r.json: this is a Slack message payload, not a scan report",
  },

  // --- the config file ---
  {
    name: "config: JSON cut off after the secret",
    files: { "c.json": `{"url": "${HOOK}"` },
    argv: [...SEND, "--config", "c.json"],
    error: "c.json: invalid JSON at line 1, column 79: unexpected end of input (truncated?)",
  },
  {
    name: "config: missing comma after the secret",
    files: { "c.json": `{"url": "${HOOK}" "mode": "webhook"}` },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: invalid JSON at line 1, column 80: unexpected "\\"": a missing comma or closing brace',
  },
  {
    name: "config: trailing comma",
    files: { "c.json": `{"url": "${HOOK}",}` },
    argv: [...SEND, "--config", "c.json"],
    error:
      'c.json: invalid JSON at line 1, column 80: unexpected "}": a property name that is not in double quotes (or a trailing comma)',
  },
  {
    name: "config: raw line break inside the secret",
    files: { "c.json": `{"url": "${HOOK}\n"}` },
    argv: [...SEND, "--config", "c.json"],
    error:
      "c.json: invalid JSON at line 1, column 78: unexpected U+000A: a control character (a raw line break?) inside a string",
  },
  {
    name: "config: a list instead of an object",
    files: { "c.json": `["${HOOK}"]` },
    argv: [...SEND, "--config", "c.json"],
    error: "c.json: expected a JSON object, got a list",
  },
  {
    name: "config: empty file",
    files: { "c.json": "" },
    argv: [...SEND, "--config", "c.json"],
    error: "c.json: the file is empty",
  },
  {
    name: "config: binary file",
    files: { "c.json": Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x00]) },
    argv: [...SEND, "--config", "c.json"],
    error: "c.json: this is a binary file, not JSON",
  },
  {
    name: "config: missing file",
    argv: [...SEND, "--config", "missing.json"],
    error: "missing.json: cannot read the config file (no such file)",
  },
  {
    name: "config: a directory",
    files: { "cdir/x": "" },
    argv: [...SEND, "--config", "cdir"],
    error: "cdir: cannot read the config file (it is a directory)",
  },
  {
    name: "config: bad YAML",
    files: { "c.yaml": `url: ${HOOK}\n  mode: x: y\n` },
    argv: [...SEND, "--config", "c.yaml"],
    error: "c.yaml: invalid YAML at line 1",
  },
  {
    name: "config: package.json without the key",
    files: { "package.json": '{"name": "x"}' },
    argv: [...SEND, "--config", "package.json"],
    error: 'package.json: has no "socketnotify" key',
  },
  {
    name: "config: unknown mode, with a suggestion",
    files: { "c.json": cfg({ mode: "webhok", url: HOOK }) },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: mode: unknown mode "webhok" (did you mean "webhook"?); available: webhook, bot',
  },
  {
    name: "config: mode is a number",
    files: { "c.json": cfg({ mode: 1, url: HOOK }) },
    argv: [...SEND, "--config", "c.json"],
    error: "c.json: mode: expected a string, got the number 1",
  },
  {
    name: "config: unknown top-level key",
    files: { "c.json": cfg({ url: HOOK, bogus: 1 }) },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: bogus: unknown key "bogus"',
  },
  {
    name: "config: top-level typo, did you mean",
    files: { "c.json": cfg({ url: HOOK, max_mesages: 3 }) },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: max_mesages: unknown key "max_mesages" (did you mean "max_messages"?)',
  },
  {
    name: "config: unknown key in url_configs entry",
    files: { "c.json": cfg({ url: HOOK, url_configs: { default: { min_severty: "high" } } }) },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: url_configs.default.min_severty: unknown key "min_severty" (did you mean "min_severity"?)',
  },
  {
    name: "config: unknown key in bot_configs entry",
    files: { "c.json": cfg({ mode: "bot", bot_token: TOKEN, bot_configs: [{ channels: ["a"], chanels: ["b"] }] }) },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: bot_configs[0].chanels: unknown key "chanels" (did you mean "channels"?)',
  },
  {
    name: "config: url_configs names no webhook",
    files: { "c.json": cfg({ url: HOOK, url_configs: { defualt: {} } }) },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: url_configs.defualt: no webhook is named "defualt" (did you mean "default"?)',
  },
  {
    name: "config: duplicate webhook names",
    files: {
      "c.json": cfg({
        url: [
          { url: HOOK, name: "sec" },
          { url: HOOK, name: "sec" },
        ],
      }),
    },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: url[1]: two webhooks are named "sec"',
  },
  {
    name: "config: duplicate bot_configs names",
    files: {
      "c.json": cfg({
        mode: "bot",
        bot_token: TOKEN,
        bot_configs: [
          { name: "x", channels: ["a"] },
          { name: "x", channels: ["b"] },
        ],
      }),
    },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: bot_configs[1].name: two bot_configs are named "x"',
  },
  {
    name: "config: url is a single object",
    files: { "c.json": cfg({ url: { url: HOOK } }) },
    argv: [...SEND, "--config", "c.json"],
    error: "c.json: url: expected a webhook URL, a list of URLs, or a list of",
  },
  {
    name: "config: webhook mode without url",
    files: { "c.json": cfg({ mode: "webhook" }) },
    argv: [...SEND, "--config", "c.json"],
    error: "c.json: url: webhook mode needs at least one incoming webhook URL",
  },
  {
    name: "config: http webhook URL",
    files: { "c.json": cfg({ url: HOOK.replace("https:", "http:") }) },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: url: webhook "default" URL must use https (got http)',
  },
  {
    name: "config: non-Slack webhook host",
    files: { "c.json": cfg({ url: HOOK.replace("hooks.slack.com", "hooks.evil.example") }) },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: url: webhook "default" URL host hooks.evil.example is not hooks.slack.com or hooks.slack-gov.com',
  },
  {
    name: "config: webhook URL with the wrong path",
    files: { "c.json": cfg({ url: HOOK.replace("/services/", "/api/") }) },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: url: webhook "default" URL path must start with /services/',
  },
  {
    name: "config: webhook URL that is not a URL",
    files: { "c.json": cfg({ url: "abcdefSECRETxyz" }) },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: url: webhook "default" URL is not a valid URL',
  },
  {
    name: "config: second webhook is javascript:",
    files: { "c.json": cfg({ url: [HOOK, "javascript:alert(1)//SECRET"] }) },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: url[1]: webhook "webhook_1" URL must use https (got javascript)',
  },
  {
    name: "config: bot mode without bot_configs",
    files: { "c.json": cfg({ mode: "bot", bot_token: TOKEN }) },
    argv: [...SEND, "--config", "c.json"],
    error: "c.json: bot_configs: bot mode needs at least one entry in bot_configs",
  },
  {
    name: "config: empty channel list",
    files: { "c.json": cfg({ mode: "bot", bot_token: TOKEN, bot_configs: [{ channels: [] }] }) },
    argv: [...SEND, "--config", "c.json"],
    error: "c.json: bot_configs[0].channels: must not be an empty list",
  },
  {
    name: "config: channels is a string",
    files: { "c.json": cfg({ mode: "bot", bot_token: TOKEN, bot_configs: [{ channels: "security" }] }) },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: bot_configs[0].channels: expected a list, got the string "security"',
  },
  {
    name: "config: missing token (sending)",
    files: { "c.json": cfg({ mode: "bot", bot_configs: [{ channels: ["a"] }] }) },
    argv: ["report.json", "--config", "c.json"],
    error: "SOCKET_SLACK_BOT_TOKEN is not set: bot mode needs a bot token",
  },
  {
    name: "config: token env var not set (sending)",
    files: { "c.json": cfg({ mode: "bot", bot_token: { env: "MY_BOT_TOKEN" }, bot_configs: [{ channels: ["a"] }] }) },
    argv: ["report.json", "--config", "c.json"],
    error: "c.json: bot_token: environment variable MY_BOT_TOKEN is not set",
  },
  {
    name: "config: user token (xoxp-)",
    files: { "c.json": bot({ bot_token: "xoxp-1234-SECRET" }) },
    argv: [...SEND, "--config", "c.json"],
    error: "c.json: bot_token: the bot token is a user token (xoxp-); bot mode needs the Bot User OAuth Token (xoxb-)",
  },
  {
    name: "config: app-level token (xapp-)",
    files: { "c.json": bot({ bot_token: "xapp-1-SECRET" }) },
    argv: [...SEND, "--config", "c.json"],
    error: "c.json: bot_token: the bot token is an app-level token (xapp-)",
  },
  {
    name: "config: not a Slack token at all",
    files: { "c.json": bot({ bot_token: "hunter2-SECRET" }) },
    argv: [...SEND, "--config", "c.json"],
    error: "c.json: bot_token: the bot token is not a Slack bot token",
  },
  {
    name: "config: user token from SOCKET_SLACK_BOT_TOKEN",
    files: { "c.json": cfg({ mode: "bot", bot_configs: [{ channels: ["a"] }] }) },
    env: { SOCKET_SLACK_BOT_TOKEN: "xoxp-1234-SECRET" },
    argv: [...SEND, "--config", "c.json"],
    error: "error: SOCKET_SLACK_BOT_TOKEN: the bot token is a user token (xoxp-)",
  },
  {
    name: "config: bot_token is a number",
    files: { "c.json": bot({ bot_token: 1234 }) },
    argv: [...SEND, "--config", "c.json"],
    error: "c.json: bot_token:",
  },
  {
    name: "config: slack_api_url not https",
    files: { "c.json": bot({ slack_api_url: "ftp://slack.example/api" }) },
    argv: [...SEND, "--config", "c.json"],
    error: "c.json: slack_api_url: Slack API URL must use https (got ftp)",
  },
  {
    name: "config: unknown severity in severities",
    files: { "c.json": cfg({ url: HOOK, url_configs: { default: { severities: ["urgent"] } } }) },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: url_configs.default.severities[0]: unknown severity "urgent"',
  },
  {
    name: "config: unknown min_severity",
    files: { "c.json": bot({ bot_configs: [{ channels: ["a"], min_severity: "severe" }] }) },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: bot_configs[0].min_severity: unknown severity "severe"',
  },
  {
    name: "config: min_severity is a number",
    files: { "c.json": cfg({ url: HOOK, url_configs: { default: { min_severity: 5 } } }) },
    argv: [...SEND, "--config", "c.json"],
    error: "c.json: url_configs.default.min_severity: expected a string, got the number 5",
  },
  {
    name: "config: unknown level",
    files: { "c.json": cfg({ url: HOOK, levels: ["error"] }) },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: levels[0]: the string "error" is not allowed',
  },
  {
    name: "config: max_messages 0",
    files: { "c.json": cfg({ url: HOOK, max_messages: 0 }) },
    argv: [...SEND, "--config", "c.json"],
    error: "c.json: max_messages: the number 0 is too small",
  },
  {
    name: "config: enabled is a string",
    files: { "c.json": cfg({ url: HOOK, enabled: "false" }) },
    argv: [...SEND, "--config", "c.json"],
    error: 'c.json: enabled: expected true or false, got the string "false"',
  },
  {
    name: "config: timeout negative",
    files: { "c.json": cfg({ url: HOOK, timeout: -1 }) },
    argv: [...SEND, "--config", "c.json"],
    error: "c.json: timeout: the number -1 is too small",
  },
  {
    name: "config: code config without --allow-code-config",
    files: { "c.mjs": `export default { url: "${HOOK}" }` },
    argv: [...SEND, "--config", "c.mjs"],
    error: "c.mjs: this config file runs code, and code config files load only with --allow-code-config",
  },
  {
    name: "config: code config found by search",
    files: { ".socketnotifyrc.mjs": `export default { url: "${HOOK}" }` },
    argv: SEND,
    error: ".socketnotifyrc.mjs: this config file runs code, and code config files load only with --allow-code-config",
  },
  {
    name: "config: plugins in a searched rc file",
    files: { ".socketnotifyrc.json": cfg({ url: HOOK, plugins: ["./evil.js"] }) },
    argv: SEND,
    error:
      ".socketnotifyrc.json: plugins: plugins are code and load only from a --config file outside the checkout or with --allow-code-config",
  },
  {
    name: "config: plugins in SOCKET_SLACK_CONFIG_JSON",
    env: { SOCKET_SLACK_CONFIG_JSON: cfg({ url: HOOK, plugins: ["./evil.js"] }) },
    argv: SEND,
    error:
      "SOCKET_SLACK_CONFIG_JSON: plugins: plugins are code and load only from a --config file outside the checkout or with --allow-code-config",
  },
  {
    // The job names the file, but it is in the checkout (here the working directory): a pull
    // request could add a plugin to it as easily as to a searched rc file.
    name: "config: plugins in a --config file inside the checkout",
    files: { "c.json": cfg({ url: HOOK, plugins: ["./evil.js"] }) },
    argv: [...SEND, "--config", "c.json"],
    error:
      "c.json: plugins: plugins are code and load only from a --config file outside the checkout or with --allow-code-config",
  },
  {
    name: "config: plugin module missing",
    files: { "c.json": cfg({ url: HOOK, plugins: ["./nope.js"] }) },
    argv: [...SEND, "--config", "c.json", "--allow-code-config"],
    error: /c\.json: plugins.*nope\.js/,
  },
  { name: "config: none found", argv: SEND, error: "no config found" },

  // --- SOCKET_SLACK_CONFIG_JSON ---
  {
    name: "env: JSON cut off",
    env: { SOCKET_SLACK_CONFIG_JSON: `{"url": "${HOOK}",` },
    argv: SEND,
    error: "SOCKET_SLACK_CONFIG_JSON: invalid JSON at line 1, column 80: unexpected end of input (truncated?)",
  },
  {
    name: "env: single quotes (shell quoting)",
    env: { SOCKET_SLACK_CONFIG_JSON: `{'url': '${HOOK}'}` },
    argv: SEND,
    error: `SOCKET_SLACK_CONFIG_JSON: invalid JSON at line 1, column 2: unexpected "'": a property name that is not in double quotes`,
  },
  {
    name: "env: a bare URL instead of JSON",
    env: { SOCKET_SLACK_CONFIG_JSON: HOOK },
    argv: SEND,
    error: 'SOCKET_SLACK_CONFIG_JSON: invalid JSON at line 1, column 1: unexpected "h"',
  },
  {
    name: "env: a list",
    env: { SOCKET_SLACK_CONFIG_JSON: `["${HOOK}"]` },
    argv: SEND,
    error: "SOCKET_SLACK_CONFIG_JSON: expected a JSON object, got a list",
  },
  {
    name: "env: unknown key",
    env: { SOCKET_SLACK_CONFIG_JSON: cfg({ url: HOOK, url_config: {} }) },
    argv: SEND,
    error: 'SOCKET_SLACK_CONFIG_JSON: url_config: unknown key "url_config" (did you mean "url_configs"?)',
  },

  // --- facts, outbox ---
  {
    name: "facts: malformed JSON",
    files: { "f.json": '{"components": [' },
    argv: [...SEND, "--config", "good.json", "--facts", "f.json"],
    error: "f.json: (top level): invalid JSON at line 1, column 17: unexpected end of input (truncated?)",
  },
  {
    name: "facts: components not a list",
    files: { "f.json": '{"components": 3}' },
    argv: [...SEND, "--config", "good.json", "--facts", "f.json"],
    error: "f.json: components: expected a list, got the number 3",
  },
  {
    name: "facts: missing file",
    argv: [...SEND, "--config", "good.json", "--facts", "nofacts.json"],
    error: "nofacts.json: cannot read the reachability facts (no such file)",
  },
  {
    name: "facts: a scan report given as facts",
    files: { "f.json": REPORT },
    argv: [...SEND, "--config", "good.json", "--facts", "f.json"],
    error: "f.json",
  },
  {
    name: "outbox: a line that is not JSON",
    files: { "o.jsonl": `${JSON.stringify(outboxLine)}\nnot json\n` },
    argv: ["retry", "o.jsonl", "--config", "good.json", "--dry-run"],
    error: "o.jsonl: line 2: not valid JSON",
  },
  {
    name: "outbox: an entry without version",
    files: { "o.jsonl": '{"x": 1}\n' },
    argv: ["retry", "o.jsonl", "--config", "good.json", "--dry-run"],
    error: "o.jsonl: line 1: version: is required but missing",
  },
  {
    name: "outbox: wrong kind",
    files: { "o.jsonl": `${JSON.stringify({ ...outboxLine, kind: "other" })}\n` },
    argv: ["retry", "o.jsonl", "--config", "good.json", "--dry-run"],
    error: "o.jsonl: line 1: kind: a string is not allowed",
  },
  {
    name: "outbox: missing file",
    argv: ["retry", "noout.jsonl", "--config", "good.json"],
    error: "noout.jsonl: cannot read the outbox (no such file)",
  },

  // --- command line ---
  {
    name: "flag: --timeout not a number",
    argv: [...SEND, "--config", "good.json", "--timeout", "abc"],
    error: '--timeout: expected a number of seconds between 0 and 3600, got "abc"',
  },
  {
    name: "flag: --timeout=-5",
    argv: [...SEND, "--config", "good.json", "--timeout=-5"],
    error: '--timeout: expected a number of seconds between 0 and 3600, got "-5"',
  },
  {
    name: "flag: --timeout -5 (read as an option)",
    argv: [...SEND, "--config", "good.json", "--timeout", "-5"],
    error: "option --timeout needs a value (for a value starting with -, write --timeout=VALUE)",
  },
  {
    name: "flag: --timeout without a value",
    argv: [...SEND, "--config", "good.json", "--timeout"],
    error: "option --timeout needs a value",
  },
  {
    name: "flag: --request-timeout too large",
    argv: [...SEND, "--config", "good.json", "--request-timeout", "99999"],
    error: '--request-timeout: expected a number of seconds between 0 and 3600, got "99999"',
  },
  {
    name: "flag: unknown option",
    argv: [...SEND, "--config", "good.json", "--dryrun"],
    error: "unknown option --dryrun (did you mean --dry-run?)",
  },
  {
    name: "flag: option of another command",
    argv: ["validate", "--config", "good.json", "--dry-run"],
    error: "validate: --dry-run is not an option of this command",
  },
  {
    name: "flag: boolean given a value",
    argv: [...SEND, "--config", "good.json", "--quiet=yes"],
    error: "--quiet takes no value",
  },
  {
    name: "args: extra argument",
    argv: ["send", "report.json", "extra.json", "--config", "good.json"],
    error: 'send: unexpected argument "extra.json"',
  },
  {
    name: "args: unknown command",
    argv: ["sned", "report.json"],
    error: 'unknown command "sned" (did you mean "send"?)',
  },
  { name: "args: send without a report", argv: ["send", "--config", "good.json"], error: "send: no scan report given" },
  {
    name: "args: retry without an outbox",
    argv: ["retry", "--config", "good.json"],
    error: "retry: no outbox file given",
  },
];

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "bad-input-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function run(c: Case, i: number) {
  const dir = join(root, String(i));
  // A package.json stops the config search here, so nothing above the temp dir is found.
  const files: Record<string, string | Buffer> = { "package.json": '{"name": "fixture"}', ...BASE, ...c.files };
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  let stdout = "";
  let stderr = "";
  const code = await main(c.argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: c.env ?? {},
    cwd: dir,
  });
  return { code, stdout, stderr };
}

describe("bad input: exit 2, one clear line, no stack, no secret", () => {
  it("has at least 40 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c, i) => [c.name, c, i] as const))("%s", async (_name, c, i) => {
    const { code, stdout, stderr } = await run(c, i);
    const errors = stderr.split("\n").filter((l) => l.startsWith("socket-notify: error: "));
    expect(errors, stderr).toHaveLength(1);
    const line = errors[0]!;
    if (typeof c.error === "string") expect(line).toContain(c.error);
    else expect(line).toMatch(c.error);
    expect(code, stderr).toBe(2);
    // One line for the error, one for its hint; nothing like a stack trace.
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toContain("internal error");
    expect(line.length).toBeLessThan(400);
    expectNoSecrets({ stdout, stderr }, SECRET_PARTS);
    expect(stdout + stderr).not.toContain("SECRET");
  });
});
