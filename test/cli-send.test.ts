/**
 * `socket-notify send` end to end: the built binary as a child process, a controlled
 * environment (no CI variables, no SOCKET_SLACK_CONFIG_JSON unless set here), the Slack
 * emulator in this process. Assertions are on what a user sees: exit codes, stdout/stderr,
 * what arrived in which channel, files written, and that no secret shows anywhere.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { expectNoSecrets } from "@socket-notify/core/testing";
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ALERTS,
  DEMO,
  emulatorBotEnv,
  emulatorHookEnv,
  emulatorSecrets,
  enableJsonReport,
  FIXTURES,
  issue,
  lines,
  received,
  runCli,
  type RunResult,
  tempDir,
} from "./cli-harness.js";

let emu: SlackEmulator;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let secrets: string[];
let reportPath: string;
let webhookConfig: string;
let botConfig: string;

const WEBHOOK_CONFIG = {
  mode: "webhook",
  url: [
    { name: "security", url: { env: "HOOK_SECURITY" } },
    { name: "ops", url: { env: "HOOK_OPS" } },
    { name: "dev", url: { env: "HOOK_DEV" } },
  ],
  url_configs: {
    security: { min_severity: "high" },
    ops: { alert_types: ["malware"] },
    dev: { repos: ["acme/web"] },
  },
};

const BOT_CONFIG = {
  mode: "bot",
  bot_token: { env: "SOCKET_SLACK_BOT_TOKEN" },
  bot_configs: [
    { name: "security", channels: ["#security-alerts"], min_severity: "high" },
    { name: "everything", channels: ["general", "C0000000003"] },
  ],
};

const hookEnv = (): Record<string, string> => emulatorHookEnv(emu, ["security", "ops", "dev"]);

const botEnv = (): Record<string, string> => emulatorBotEnv(emu);

/** Outputs of a run plus every file given, checked for every emulator credential. */
async function noSecrets(r: RunResult, files: string[] = []): Promise<void> {
  const contents = await Promise.all(files.map((f) => readFile(f, "utf8")));
  expectNoSecrets(
    { stdout: r.stdout, stderr: r.stderr, ...Object.fromEntries(files.map((f, i) => [f, contents[i]])) },
    secrets,
  );
}

/** The webhook routing of WEBHOOK_CONFIG over ALERTS, as each channel saw it. */
function expectWebhookRouting(): void {
  const sec = received(emu, { hook: "security" });
  expect(sec).toContain("evil-pkg");
  expect(sec).toContain("lodahs");
  expect(sec).not.toContain("chatty-lib");
  expect(sec).not.toContain("env-peeker");
  const ops = received(emu, { hook: "ops" });
  expect(ops).toContain("evil-pkg");
  expect(ops).not.toContain("lodahs");
  const dev = received(emu, { hook: "dev" });
  for (const pkg of ["evil-pkg", "lodahs", "chatty-lib", "env-peeker"]) expect(dev).toContain(pkg);
  expect(emu.messages({ channel: "security-alerts" })).toHaveLength(1);
  expect(emu.messages({ channel: "ops" })).toHaveLength(1);
  expect(emu.messages({ channel: "dev" })).toHaveLength(1);
}

beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
  secrets = emulatorSecrets(emu);
  tmp = await tempDir("cli-send-");
  reportPath = await tmp.write("socket-report.json", enableJsonReport());
  webhookConfig = await tmp.write("webhook.json", WEBHOOK_CONFIG);
  botConfig = await tmp.write("bot.json", BOT_CONFIG);
});

afterAll(async () => {
  await emu?.close();
  await tmp?.cleanup();
});

beforeEach(() => emu.reset());

describe("send, webhook mode", () => {
  it("--config FILE: each hook gets the alerts its filters let through, exit 0, one line per destination", async () => {
    const r = await runCli(["send", reportPath, "--config", webhookConfig], { env: hookEnv() });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expectWebhookRouting();
    const out = lines(r.stdout);
    expect(out[0]).toMatch(/^socket-notify: 4 alerts, 4 routed · mode webhook · repo acme\/web · branch main/);
    expect(out.filter((l) => l.startsWith("  ✓ "))).toEqual([
      "  ✓ security: 2 alerts in 1 message: sent",
      "  ✓ ops: 1 alert in 1 message: sent",
      "  ✓ dev: 4 alerts in 1 message: sent",
    ]);
    await noSecrets(r);
  });

  it("the input file is the default command's argument: `socket-notify FILE` is `send FILE`", async () => {
    const r = await runCli([reportPath, "-c", webhookConfig], { env: hookEnv() });
    expect(r.code).toBe(0);
    expectWebhookRouting();
    await noSecrets(r);
  });

  it("config from SOCKET_SLACK_CONFIG_JSON", async () => {
    const r = await runCli(["send", reportPath], {
      env: { ...hookEnv(), SOCKET_SLACK_CONFIG_JSON: JSON.stringify(WEBHOOK_CONFIG) },
    });
    expect(r.code).toBe(0);
    expectWebhookRouting();
    await noSecrets(r);
  });

  it("config from a .socketnotifyrc.json found from the working directory upwards", async () => {
    const project = await tempDir("cli-rc-");
    try {
      await project.write(".socketnotifyrc.json", WEBHOOK_CONFIG);
      await project.write("socket-report.json", enableJsonReport());
      const { mkdir } = await import("node:fs/promises");
      await mkdir(project.path("packages", "app"), { recursive: true });
      const r = await runCli(["send", "../../socket-report.json"], {
        env: hookEnv(),
        cwd: project.path("packages", "app"),
      });
      expect(r.code).toBe(0);
      expectWebhookRouting();
      await noSecrets(r);
    } finally {
      await project.cleanup();
    }
  });

  it("a removed hook: exit 1, its one-line reason and hint, and the other hooks still got their messages", async () => {
    const env = { ...hookEnv(), HOOK_OPS: emu.webhookUrl("ops").replace("/B0002/", "/B0999/") };
    const r = await runCli(["send", reportPath, "-c", webhookConfig], { env });
    expect(r.code).toBe(1);
    expect(emu.messages({ hook: "security" })).toHaveLength(1);
    expect(emu.messages({ hook: "dev" })).toHaveLength(1);
    expect(emu.messages({ channel: "ops" })).toHaveLength(0);
    const out = lines(r.stdout);
    const at = out.findIndex((l) => l.startsWith("  ✗ ops:"));
    expect(out[at]).toBe("  ✗ ops: 1 alert in 1 message: failed (0/1 delivered)");
    expect(out[at + 1]).toMatch(/^ {6}no_service: .*no longer exists/);
    expect(out[at + 2]).toMatch(/^ {6}hint: \S/);
    expect(out.filter((l) => l.startsWith("  ✓ "))).toHaveLength(2);
    await noSecrets(r, []);
    expectNoSecrets({ stdout: r.stdout, stderr: r.stderr }, [env.HOOK_OPS]);
  });

  it("a hook answering 500 every time: exit 1 after retries, the others delivered", async () => {
    emu.fault({ target: { hook: "ops" }, kind: "status", status: 500, count: 1000 });
    const r = await runCli(["send", reportPath, "-c", webhookConfig, "--timeout", "3"], { env: hookEnv() });
    expect(r.code).toBe(1);
    expect(emu.messages({ hook: "security" })).toHaveLength(1);
    expect(emu.messages({ hook: "dev" })).toHaveLength(1);
    expect(emu.records().filter((x) => x.hook === "ops").length).toBeGreaterThan(1); // retried
    const out = lines(r.stdout);
    const at = out.indexOf("  ✗ ops: 1 alert in 1 message: failed (0/1 delivered)");
    expect(at).toBeGreaterThan(0);
    // Whichever ends it, the retries or the time budget during a backoff, there is a reason and a hint.
    expect(out[at + 1]).toMatch(
      /^ {6}(internal_error: server error \(HTTP 500|timeout: not delivered within the run's time budget)/,
    );
    expect(out[at + 2]).toMatch(/^ {6}hint: .*retry/);
    await noSecrets(r);
  });

  it("an env secret that is not set: exit 2 before anything is sent, naming the variable, not a value", async () => {
    const { HOOK_OPS: _, ...env } = hookEnv();
    const r = await runCli(["send", reportPath, "-c", webhookConfig], { env });
    expect(r.code).toBe(2);
    expect(emu.records()).toHaveLength(0);
    expect(r.stderr).toMatch(/socket-notify: error: .*environment variable HOOK_OPS is not set/);
    expect(r.stderr).toMatch(/hint: set HOOK_OPS/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    await noSecrets(r);
  });
});

describe("send, bot mode", () => {
  it("posts to channels by name and by ID, exit 0", async () => {
    const r = await runCli(["send", reportPath, "-c", botConfig], { env: botEnv() });
    expect(r.code).toBe(0);
    const sec = received(emu, { channel: "security-alerts" });
    expect(sec).toContain("evil-pkg");
    expect(sec).not.toContain("env-peeker");
    expect(received(emu, { channel: "general" })).toContain("env-peeker");
    expect(received(emu, { channel: "C0000000003" })).toContain("env-peeker");
    expect(emu.messages().every((m) => m.kind === "api" && m.method === "chat.postMessage")).toBe(true);
    expect(lines(r.stdout).filter((l) => l.startsWith("  ✓ "))).toEqual([
      "  ✓ security → #security-alerts: 2 alerts in 1 message: sent",
      "  ✓ everything → #general: 4 alerts in 1 message: sent",
      "  ✓ everything → C0000000003: 4 alerts in 1 message: sent",
    ]);
    await noSecrets(r);
  });

  it("many alerts: the pages after the first are thread replies to it, in order", async () => {
    const many = Array.from({ length: 90 }, (_, i) =>
      issue("networkAccess", "high", `pkg-${String(i).padStart(3, "0")}`, { description: "x".repeat(200) }),
    );
    const big = await tmp.write("big-report.json", enableJsonReport(many));
    const cfg = await tmp.write("bot-one.json", {
      mode: "bot",
      bot_configs: [{ name: "sec", channels: ["security-alerts"], max_messages: 10 }],
    });
    const r = await runCli(["send", big, "-c", cfg], { env: botEnv() });
    expect(r.code).toBe(0);
    const msgs = emu.messages({ channel: "security-alerts" });
    expect(msgs.length).toBeGreaterThan(1);
    const [first, ...rest] = msgs;
    expect(first!.threadTs).toBeUndefined();
    for (const m of rest) expect(m.threadTs).toBe(first!.ts);
    // Every package arrived exactly once, in the order of the report.
    const text = msgs.map((m) => JSON.stringify(m.payload.blocks)).join("\n");
    const order = [...text.matchAll(/npm\/(pkg-\d{3})@/g)].map((m) => m[1]);
    expect([...new Set(order)]).toEqual(many.map((a) => a.pkg_name));
    await noSecrets(r);
  });

  it("an archived channel: exit 1 with reason and hint, the other channels got their messages", async () => {
    const cfg = await tmp.write("bot-archived.json", {
      ...BOT_CONFIG,
      bot_configs: [...BOT_CONFIG.bot_configs, { name: "archive", channels: ["old-alerts"] }],
    });
    const r = await runCli(["send", reportPath, "-c", cfg], { env: botEnv() });
    expect(r.code).toBe(1);
    expect(emu.messages({ channel: "security-alerts" })).toHaveLength(1);
    expect(emu.messages({ channel: "general" })).toHaveLength(1);
    expect(emu.messages({ channel: "old-alerts" })).toHaveLength(0);
    const out = lines(r.stdout);
    const at = out.findIndex((l) => l.startsWith("  ✗ archive → #old-alerts"));
    expect(at).toBeGreaterThan(0);
    expect(out[at + 1]).toMatch(/^ {6}is_archived: /);
    expect(out[at + 2]).toMatch(/^ {6}hint: .*old-alerts/);
    await noSecrets(r);
  });

  it("a revoked token: exit 1, nothing posted, the reason and no token", async () => {
    const r = await runCli(["send", reportPath, "-c", botConfig], {
      env: { ...botEnv(), SOCKET_SLACK_BOT_TOKEN: "xoxb-emulator-revoked-token" },
    });
    expect(r.code).not.toBe(0);
    expect(emu.messages()).toHaveLength(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/token_revoked/);
    await noSecrets(r);
  });
});

describe("send options", () => {
  it("--dry-run: nothing reaches Slack, the plan is printed, exit 0", async () => {
    const r = await runCli(["send", reportPath, "-c", webhookConfig, "--dry-run"], { env: hookEnv() });
    expect(r.code).toBe(0);
    expect(emu.records()).toHaveLength(0);
    const out = lines(r.stdout);
    expect(out[0]).toMatch(/dry run: nothing sent$/);
    expect(out).toContain("  • security: 2 alerts in 1 message: dry-run");
    expect(out).toContain("  security (url_configs.security):");
    expect(out.some((l) => /^ {4}message 1\/1 \(alerts\): 2 alerts, \d+ blocks/.test(l))).toBe(true);
    expect(out).toContain("    excluded: 2 alerts");
    expect(out.some((l) => /^ {6}2 × severity below/.test(l))).toBe(true);
    await noSecrets(r);
  });

  it("--dry-run without the secrets set: warnings naming the variables, exit 0, nothing sent", async () => {
    const r = await runCli(["send", reportPath, "-c", webhookConfig, "--dry-run"]);
    expect(r.code).toBe(0);
    expect(emu.records()).toHaveLength(0);
    for (const v of ["HOOK_SECURITY", "HOOK_OPS", "HOOK_DEV"])
      expect(r.stderr).toMatch(new RegExp(`warning: .*environment variable ${v} is not set`));
    expect(r.stdout).toContain("  • dev: 4 alerts in 1 message: dry-run");
  });

  it("--dry-run in bot mode without a token: plan printed, exit 0", async () => {
    const r = await runCli(["send", reportPath, "-c", botConfig, "--dry-run"], {
      env: { SOCKET_SLACK_API_URL: emu.apiUrl },
    });
    expect(r.code).toBe(0);
    expect(emu.records()).toHaveLength(0);
    expect(r.stdout).toContain("  • everything → #general: 4 alerts in 1 message: dry-run");
    expect(r.stderr).toMatch(/warning: .*SOCKET_SLACK_BOT_TOKEN/);
  });

  it("--json: stdout is exactly one JSON report (warnings and progress stay on stderr)", async () => {
    const r = await runCli(["send", reportPath, "-c", webhookConfig, "--json"], { env: hookEnv() });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      mode: string;
      dry_run: boolean;
      destinations: { route: string; status: string; alerts: number; delivered: number }[];
      alerts: { total: number };
    };
    expect(report.mode).toBe("webhook");
    expect(report.dry_run).toBe(false);
    expect(report.alerts.total).toBe(4);
    expect(report.destinations.map((d) => [d.route, d.status, d.alerts, d.delivered])).toEqual([
      ["security", "sent", 2, 1],
      ["ops", "sent", 1, 1],
      ["dev", "sent", 4, 1],
    ]);
    await noSecrets(r);
  });

  it("--json on a failure: exit 1, the failure in the JSON with its code, stdout still only JSON", async () => {
    emu.fault({ target: { hook: "dev" }, kind: "status", status: 404, error: "no_service", count: 100 });
    const r = await runCli(["send", reportPath, "-c", webhookConfig, "--json"], { env: hookEnv() });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      destinations: { route: string; status: string; error?: { code: string } }[];
    };
    const dev = report.destinations.find((d) => d.route === "dev");
    expect(dev?.status).toBe("failed");
    expect(dev?.error?.code).toBe("no_service");
    await noSecrets(r);
  });

  it("--out DIR: report.json and one payload file per message, exactly what Slack got, no secret inside", async () => {
    const dir = tmp.path("out-send");
    const r = await runCli(["send", reportPath, "-c", webhookConfig, "--out", dir], { env: hookEnv() });
    expect(r.code).toBe(0);
    const files = (await readdir(dir)).sort();
    expect(files).toContain("report.json");
    const payloadFiles = files.filter((f) => f !== "report.json");
    expect(payloadFiles).toHaveLength(emu.messages().length);
    expect(payloadFiles).toHaveLength(3);
    const written = await Promise.all(
      payloadFiles.map(
        async (f) =>
          JSON.parse(await readFile(join(dir, f), "utf8")) as { route: string; payload: { blocks: unknown[] } },
      ),
    );
    expect(written.map((w) => w.route)).toEqual(["security", "ops", "dev"]);
    for (const w of written) {
      const got = emu.messages({ hook: w.route })[0]!;
      expect(got.payload.blocks).toEqual(w.payload.blocks);
    }
    const report = JSON.parse(await readFile(join(dir, "report.json"), "utf8")) as { destinations: unknown[] };
    expect(report.destinations).toHaveLength(3);
    await noSecrets(
      r,
      files.map((f) => join(dir, f)),
    );
  });

  it("--dry-run --out DIR: the payloads are written, nothing is sent", async () => {
    const dir = tmp.path("out-dry");
    const r = await runCli(["send", reportPath, "-c", botConfig, "--dry-run", "--out", dir], { env: botEnv() });
    expect(r.code).toBe(0);
    expect(emu.records()).toHaveLength(0);
    const files = (await readdir(dir)).sort();
    expect(files.filter((f) => f !== "report.json")).toHaveLength(3);
    await noSecrets(
      r,
      files.map((f) => join(dir, f)),
    );
  });

  it("--strict-blocking also sends unchanged alerts (duplicates merged)", async () => {
    const diff = await tmp.write("diff.json", {
      id: "diff-1",
      new_alerts: [ALERTS[0], ALERTS[1]],
      unchanged_alerts: [ALERTS[0], issue("unmaintained", "high", "old-lib")],
    });
    const cfg = await tmp.write("one-hook.json", { mode: "webhook", url: { env: "HOOK" } });
    const env = { HOOK: emu.webhookUrl("dev") };

    const plain = await runCli(["send", diff, "-c", cfg], { env });
    expect(plain.code).toBe(0);
    expect(received(emu, { hook: "dev" })).not.toContain("old-lib");
    expect(plain.stdout).toContain("  ✓ default: 2 alerts in 1 message: sent");

    emu.reset();
    const strict = await runCli(["send", diff, "-c", cfg, "--strict-blocking"], { env });
    expect(strict.code).toBe(0);
    const text = received(emu, { hook: "dev" });
    expect(text).toContain("old-lib");
    expect(text.match(/npm\/evil-pkg@/g)).toHaveLength(1);
    expect(lines(strict.stdout)[0]).toMatch(/^socket-notify: 3 alerts \(1 duplicates merged\)/);
    await noSecrets(strict);
  });

  it("--facts: reachability_alerts_only drops unreachable vulnerabilities and always_send_reachability adds the summary", async () => {
    const cfg = await tmp.write("facts.json", {
      mode: "webhook",
      url: [{ name: "security", url: { env: "HOOK" } }],
      url_configs: {
        security: { min_severity: "high", reachability_alerts_only: true, always_send_reachability: true },
      },
    });
    const env = { HOOK: emu.webhookUrl("security") };
    const report = join(DEMO, "socket-report.json");

    const without = await runCli(["send", report, "-c", cfg, "--json"], { env });
    expect(without.code).toBe(0);
    expect(without.stderr).toMatch(/warning: .*reachability_alerts_only has no effect without --facts/);
    const a = JSON.parse(without.stdout) as { destinations: { alerts: number; messages: number }[] };
    expect(emu.messages({ hook: "security" })).toHaveLength(1);

    emu.reset();
    const withFacts = await runCli(["send", report, "-c", cfg, "--json", "--facts", join(DEMO, "socket.facts.json")], {
      env,
    });
    expect(withFacts.code).toBe(0);
    expect(withFacts.stderr).not.toMatch(/without --facts/);
    const b = JSON.parse(withFacts.stdout) as { destinations: { alerts: number; messages: number }[] };
    expect(b.destinations[0]!.alerts).toBeLessThan(a.destinations[0]!.alerts);
    const msgs = emu.messages({ hook: "security" });
    expect(msgs).toHaveLength(2);
    expect(JSON.stringify(msgs[1]!.payload)).toMatch(/reachab/i);
    await noSecrets(withFacts);
  });

  it("--repo/--branch/--pr/--sha override the report and drive a repos filter", async () => {
    const noRepo = await tmp.write(
      "no-repo.json",
      enableJsonReport(ALERTS, { repo: undefined, branch: undefined, commit_sha: undefined }),
    );
    const r = await runCli(
      [
        "send",
        noRepo,
        "-c",
        webhookConfig,
        "--repo",
        "acme/web",
        "--branch",
        "feat/x",
        "--pr",
        "17",
        "--sha",
        "0123456789abcdef",
      ],
      { env: hookEnv() },
    );
    expect(r.code).toBe(0);
    expect(lines(r.stdout)[0]).toContain("repo acme/web · branch feat/x · PR 17");
    const dev = received(emu, { hook: "dev" });
    expect(dev).toContain("evil-pkg");
    expect(dev).toContain("feat/x");

    emu.reset();
    const other = await runCli(["send", reportPath, "-c", webhookConfig, "--repo", "acme/other"], { env: hookEnv() });
    expect(other.code).toBe(0);
    expect(emu.messages({ hook: "dev" })).toHaveLength(0);
    expect(other.stdout).toMatch(/– dev: no alerts matched \(4 excluded\): skipped/);
  });

  it("without --repo, a repos filter says which flag is missing", async () => {
    const noRepo = await tmp.write(
      "no-repo.json",
      enableJsonReport(ALERTS, { repo: undefined, branch: undefined, commit_sha: undefined }),
    );
    const r = await runCli(["send", noRepo, "-c", webhookConfig, "--dry-run"], { env: hookEnv() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ {4}nothing to send\n {4}excluded: 4 alerts\n {6}4 × repo unknown.*--repo/);
  });

  it("GitHub Actions variables fill in repo, branch and PR when the report has none", async () => {
    const noRepo = await tmp.write(
      "no-repo.json",
      enableJsonReport(ALERTS, { repo: undefined, branch: undefined, commit_sha: undefined }),
    );
    const gha = {
      GITHUB_ACTIONS: "true",
      GITHUB_REPOSITORY: "acme/web",
      GITHUB_REF: "refs/pull/23/merge",
      GITHUB_HEAD_REF: "fix/deps",
      GITHUB_SHA: "feedfacecafe0000",
    };
    const r = await runCli(["send", noRepo, "-c", webhookConfig], { env: { ...hookEnv(), ...gha } });
    expect(r.code).toBe(0);
    expect(lines(r.stdout)[0]).toContain("repo acme/web · branch fix/deps · PR 23");
    expect(received(emu, { hook: "dev" })).toContain("evil-pkg");

    // CI variables do not override what the report says; flags do.
    emu.reset();
    const r2 = await runCli(["send", reportPath, "-c", webhookConfig, "--dry-run"], {
      env: { ...hookEnv(), ...gha, GITHUB_REPOSITORY: "acme/other" },
    });
    expect(lines(r2.stdout)[0]).toContain("repo acme/web");
    const r3 = await runCli(["send", reportPath, "-c", webhookConfig, "--dry-run", "--repo", "acme/other"], {
      env: { ...hookEnv(), ...gha },
    });
    expect(r3.stdout).toMatch(/– dev: no alerts matched \(4 excluded\)/);
  });

  it("GitHub Actions for another repo: the repos filter leaves that hook out", async () => {
    const noRepo = await tmp.write("no-repo.json", enableJsonReport(ALERTS, { repo: undefined }));
    const r = await runCli(["send", noRepo, "-c", webhookConfig], {
      env: { ...hookEnv(), GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "acme/other" },
    });
    expect(r.code).toBe(0);
    expect(emu.messages({ hook: "dev" })).toHaveLength(0);
    expect(emu.messages({ hook: "security" })).toHaveLength(1);
  });

  it("- reads the report from stdin", async () => {
    const r = await runCli(["send", "-", "-c", webhookConfig], {
      env: hookEnv(),
      stdin: JSON.stringify(enableJsonReport()),
    });
    expect(r.code).toBe(0);
    expectWebhookRouting();
    await noSecrets(r);
  });

  it("- reads Socket CLI log output from stdin (the report on a logger line)", async () => {
    // Reference §2.3: one line on stderr, prefixed `YYYY-MM-DD HH:MM:SS,mmm: `, after other log lines.
    const log = `2025-01-01 00:00:00,001: Starting Socket Security CLI\n2025-01-01 00:00:09,412: ${JSON.stringify(enableJsonReport())}\n`;
    const r = await runCli(["send", "-", "-c", webhookConfig], { env: hookEnv(), stdin: log });
    expect(r.code).toBe(0);
    expectWebhookRouting();
  });

  it("the reference fixture (--enable-json report) goes through", async () => {
    const cfg = await tmp.write("one-hook.json", { mode: "webhook", url: { env: "HOOK" } });
    const r = await runCli(["send", join(FIXTURES, "derived__enable_json_report.json"), "-c", cfg], {
      env: { HOOK: emu.webhookUrl("dev") },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  ✓ default: 8 alerts in 1 message: sent");
    expect(emu.messages({ hook: "dev" })).toHaveLength(1);
    expect(r.stderr).toMatch(/note: the Socket scan reported scan_failed: true/);
  });

  it("progress in a non-TTY run: plain `sending:` lines on stderr, none on stdout", async () => {
    const r = await runCli(["send", reportPath, "-c", webhookConfig], { env: hookEnv() });
    expect(r.code).toBe(0);
    const progress = lines(r.stderr).filter((l) => l.startsWith("sending:"));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe("sending: 3/3 sent");
    expect(r.stderr).not.toContain("\r");
    expect(r.stderr).not.toContain("\x1b[");
    expect(r.stdout).not.toContain("sending:");
  });

  it("--quiet: nothing on stdout or stderr when all is well", async () => {
    const r = await runCli(["send", reportPath, "-c", webhookConfig, "-q"], { env: hookEnv() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("");
    expect(emu.messages()).toHaveLength(3);
  });

  it("--quiet with a failed destination: the failure (reason and hint) is still printed, on stderr, exit 1", async () => {
    const env = { ...hookEnv(), HOOK_OPS: emu.webhookUrl("ops").replace("/B0002/", "/B0999/") };
    const r = await runCli(["send", reportPath, "-c", webhookConfig, "-q"], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(lines(r.stderr)).toEqual([
      expect.stringMatching(/^socket-notify: error: ops: 0\/1 delivered: no_service: /),
      expect.stringMatching(/^ {2}hint: \S/),
    ]);
    expect(emu.messages()).toHaveLength(2);
    expectNoSecrets({ stdout: r.stdout, stderr: r.stderr }, [...secrets, env.HOOK_OPS]);
  });
});
