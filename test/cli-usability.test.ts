/**
 * Smaller defects a new user runs into (issue 15 §5), end to end on the built CLI: a bounded
 * dry run, errors that name their real source, usage errors for bad flags, progress lines with
 * the names people know, and a --help that lists environment variables and examples.
 */
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { emulatorBotEnv, enableJsonReport, issue, lines, runCli, tempDir } from "./cli-harness.js";

let emu: SlackEmulator;
let tmp: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
  tmp = await tempDir("cli-usability-");
});

afterAll(async () => {
  await emu?.close();
  await tmp?.cleanup();
});

beforeEach(() => emu.reset());

/** 400 alerts: 4 critical malware, the rest low/medium/high of everyday types. */
function fourHundred(): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < 400; i++) {
    if (i < 4) out.push(issue("malware", "critical", `evil-${i}`));
    else
      out.push(issue(["envVars", "networkAccess", "usesEval"][i % 3]!, ["low", "middle", "high"][i % 3]!, `pkg-${i}`));
  }
  return out;
}

describe("--dry-run output is bounded", () => {
  it("400 alerts × 2 destinations: counts by reason, at most 5 examples each, on one screen; --verbose lists all", async () => {
    const report = await tmp.write("400.json", enableJsonReport(fourHundred()));
    const config = await tmp.write("two.json", {
      url: [
        { name: "security", url: "https://hooks.slack.com/services/T0/B0/aaaa" },
        { name: "ops", url: "https://hooks.slack.com/services/T0/B1/bbbb" },
      ],
      url_configs: {
        security: { min_severity: "critical" },
        ops: { alert_types: ["malware"], exclude_alert_types: ["usesEval"], severities: ["high", "critical"] },
      },
    });
    const r = await runCli(["send", report, "-c", config, "--dry-run"]);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out.length).toBeLessThanOrEqual(40);
    // Per destination: the total excluded, each reason with its count, ≤ 5 examples, then the rest counted.
    const sec = out.slice(
      out.findIndex((l) => l.startsWith("  security")),
      out.findIndex((l) => l.startsWith("  ops")),
    );
    expect(sec).toContain("    excluded: 396 alerts");
    expect(sec).toContain("      396 × severity below min_severity critical");
    expect(sec.filter((l) => l.startsWith("        - "))).toHaveLength(5);
    expect(sec).toContain("        … and 391 more (--verbose lists them all)");
    const ops = out.slice(out.findIndex((l) => l.startsWith("  ops")));
    const reasons = ops.filter((l) => /^ {6}\d+ × /.test(l));
    expect(reasons.length).toBeGreaterThanOrEqual(1);
    expect(reasons.reduce((n, l) => n + Number(/^ *(\d+)/.exec(l)![1]), 0)).toBe(396);
    for (let k = 0; k < ops.length; k++) {
      if (!/^ {6}\d+ × /.test(ops[k]!)) continue;
      let examples = 0;
      for (let j = k + 1; j < ops.length && ops[j]!.startsWith("        - "); j++) examples++;
      expect(examples).toBeLessThanOrEqual(5);
    }

    const v = await runCli(["send", report, "-c", config, "--dry-run", "--verbose"]);
    expect(v.code).toBe(0);
    const examples = lines(v.stdout).filter((l) => l.startsWith("        - "));
    expect(examples).toHaveLength(396 * 2);
    expect(v.stdout).not.toContain("--verbose lists them all");
  });

  it("--verbose belongs to send", async () => {
    const r = await runCli(["validate", "--verbose"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("validate: --verbose is not an option of this command");
  });
});

describe("errors name their real source", () => {
  it("a bad token in SOCKET_SLACK_BOT_TOKEN names that variable, not the config file", async () => {
    const config = await tmp.write("bot.json", { mode: "bot", bot_configs: [{ channels: ["general"] }] });
    const r = await runCli(["validate", "-c", config], { env: { SOCKET_SLACK_BOT_TOKEN: "xoxp-not-a-bot-token" } });
    expect(r.code).toBe(2);
    expect(lines(r.stderr)[0]).toBe(
      "socket-notify: error: SOCKET_SLACK_BOT_TOKEN: the bot token is a user token (xoxp-); bot mode needs the Bot User OAuth Token (xoxb-)",
    );
    expect(r.stderr).not.toContain("bot.json");
    expect(r.stderr).not.toContain("xoxp-not-a-bot-token");
  });

  it('a bad value in an {"env": "HOOK"} variable names HOOK (and where the config refers to it)', async () => {
    const config = await tmp.write("hook.json", { url: { env: "HOOK" } });
    const r = await runCli(["validate", "-c", config], { env: { HOOK: "https://evil.example/services/x" } });
    expect(r.code).toBe(2);
    expect(lines(r.stderr)[0]).toBe(
      `socket-notify: error: environment variable HOOK (${config}: url refers to it): webhook "default" URL host evil.example is not hooks.slack.com or hooks.slack-gov.com`,
    );
  });

  it("a plugin with a bad optionsSchema is named by its file", async () => {
    const plugin = await tmp.write(
      "bad-plugin.mjs",
      'export default { mode: "teams", optionsSchema: { not: "zod" }, destinations() { return []; }, createNotifier() {} };\n',
    );
    const config = await tmp.write("plugin.json", { mode: "teams", plugins: ["./bad-plugin.mjs"] });
    const r = await runCli(["validate", "-c", config]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)[0]).toBe(
      `socket-notify: error: plugin "teams" (${plugin}): optionsSchema is not a zod object`,
    );
  });
});

describe("usage errors, not internal errors", () => {
  it("schema --out into a directory that does not exist: exit 2 with a hint", async () => {
    const r = await runCli(["schema", "--out", "/no/such/dir/x.json"]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([
      "socket-notify: error: schema: --out /no/such/dir/x.json: cannot write (no such directory)",
      "  hint: give a file in an existing, writable directory, e.g. --out config.schema.json",
    ]);
  });

  it("--pr must be a number", async () => {
    const r = await runCli(["send", "report.json", "--pr", "abc"]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)[0]).toBe('socket-notify: error: --pr: expected a pull request number, got "abc"');
    const ok = await runCli([
      "send",
      await tmp.write("r.json", enableJsonReport([])),
      "--pr",
      "#12",
      "--dry-run",
      "-c",
      await tmp.write("c.json", { url: "https://hooks.slack.com/services/T0/B0/x" }),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("PR 12");
  });
});

describe("names people know", () => {
  it("a rate-limit wait names the channel (#security-alerts), not the internal pacing key", async () => {
    emu.fault({ target: { channel: "security-alerts" }, kind: "ratelimit", retryAfter: 1, count: 1 });
    const report = await tmp.write("one.json", enableJsonReport([issue("malware", "critical", "evil-pkg")]));
    const config = await tmp.write("bot-one.json", {
      mode: "bot",
      bot_configs: [{ name: "security", channels: ["security-alerts"] }],
    });
    const r = await runCli(["send", report, "-c", config], { env: emulatorBotEnv(emu) });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("sending: #security-alerts: rate limited, waiting 1 s");
    expect(r.stderr).not.toMatch(/channel:|webhook:/);
  });

  it("--help lists the environment variables and an example for every command", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const v of [
      "SOCKET_SLACK_CONFIG_JSON",
      "SOCKET_SLACK_BOT_TOKEN",
      "SOCKET_SLACK_API_URL",
      "SOCKET_SLACK_ENABLED",
      "SOCKET_SLACK_LEVELS",
      "HTTPS_PROXY",
      "NO_PROXY",
      "SOCKET_NOTIFY_STATE",
      "SOCKET_SLACK_APP_TOKEN",
      "SOCKET_SLACK_SIGNING_SECRET",
    ])
      expect(r.stdout).toContain(v);
    const examples = r.stdout.slice(r.stdout.indexOf("Examples:"));
    // One example per command (issue 15 §5), the commands added since included.
    const COMMANDS = [
      "send",
      "validate",
      "schema",
      "retry",
      "emulator",
      "demo",
      "preview",
      "serve",
      "mute",
      "unmute",
      "mutes",
      "state",
    ];
    for (const c of COMMANDS) expect(examples).toContain(`socket-notify ${c}`);
    for (const c of COMMANDS) {
      const h = await runCli([c, "--help"]);
      // serve's example sets its tokens in front (VAR=value socket-notify serve …).
      expect(h.stdout, c).toMatch(/\nExample:\n(?: {2}.*\n)*? {2}(?:[A-Z_]+=\S+ )*socket-notify /);
    }
    // 13 runs of the CLI: generous on a loaded machine.
  }, 120_000);
});
