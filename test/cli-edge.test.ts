import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "@socket-notify/cli";
import { startEmulator } from "@socket-notify/slack-emulator";
import { describe, expect, it } from "vitest";

const report = new URL("../examples/demo/socket-report.json", import.meta.url).pathname;

async function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    cwd: tmpdir(),
  });
  return { code, stdout, stderr };
}

describe("socket-notify edge cases", () => {
  it("enabled: false (or SOCKET_SLACK_ENABLED=false) sends nothing and needs no secrets", async () => {
    const config = '{"url": {"env": "NOT_SET_ANYWHERE"}, "enabled": false}';
    const r = await run(["send", report], { SOCKET_SLACK_CONFIG_JSON: config });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("enabled: false: nothing sent");
    expect(r.stdout).not.toContain("dry run");
    const viaEnv = await run(["send", report], {
      SOCKET_SLACK_CONFIG_JSON: '{"url": {"env": "NOT_SET_ANYWHERE"}}',
      SOCKET_SLACK_ENABLED: "false",
    });
    expect(viaEnv.code).toBe(0);
    // Enabled, the same config is refused before anything is sent.
    const enabled = await run(["send", report], { SOCKET_SLACK_CONFIG_JSON: '{"url": {"env": "NOT_SET_ANYWHERE"}}' });
    expect(enabled.code).toBe(2);
    expect(enabled.stderr).toContain("url: environment variable NOT_SET_ANYWHERE is not set");
  });

  it("SOCKET_SLACK_LEVELS applies levels (the Socket CLI ignored it) and rejects unknown levels", async () => {
    const env = { SOCKET_SLACK_CONFIG_JSON: '{"url": "https://hooks.slack.com/services/T000/B000/xyz"}' };
    const all = await run(["send", report, "--dry-run", "--json"], env);
    const block = await run(["send", report, "--dry-run", "--json"], { ...env, SOCKET_SLACK_LEVELS: "block" });
    const matched = (r: { stdout: string }) => (JSON.parse(r.stdout) as { alerts: { matched: number } }).alerts.matched;
    expect(matched(block)).toBeLessThan(matched(all));
    const bad = await run(["send", report, "--dry-run"], { ...env, SOCKET_SLACK_LEVELS: "blok" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('SOCKET_SLACK_LEVELS: unknown level "blok"');
  });

  it("help for an unknown command is a usage error", async () => {
    const r = await run(["help", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('help: no command "nope"');
  });

  it("a message still failing when the time budget ends reports its last error, not just 'timeout'", async () => {
    const emu = await startEmulator({ rateLimit: false });
    try {
      emu.fault({ target: { hook: "security" }, kind: "status", status: 500, count: 1000 });
      const dir = mkdtempSync(join(tmpdir(), "sn-edge-"));
      const cfg = join(dir, "c.json");
      writeFileSync(cfg, JSON.stringify({ url: [{ name: "sec", url: { env: "HOOK" } }], timeout: 1.5 }));
      const r = await run(["send", report, "-c", cfg], { HOOK: emu.webhookUrl("security") });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        /timeout: not delivered within the run's time budget \(2 s\); last error: internal_error: server error \(HTTP 500/,
      );
      expect(r.stdout + r.stderr).not.toContain(emu.webhookUrl("security"));
    } finally {
      await emu.close();
    }
  });
});

describe("send --dry-run", () => {
  it("counts excluded alerts by reason with 5 examples each; --verbose lists each one with its reason", async () => {
    const config = JSON.stringify({
      url: [{ name: "sec", url: "https://hooks.slack.com/services/T000/B000/xyz" }],
      url_configs: { sec: { min_severity: "high" } },
    });
    const r = await run(["send", report, "--dry-run"], { SOCKET_SLACK_CONFIG_JSON: config });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("    excluded: 21 alerts\n      21 × severity below min_severity high\n");
    expect(r.stdout.match(/^ {8}- /gm)).toHaveLength(5);
    expect(r.stdout).toContain("        … and 16 more (--verbose lists them all)");
    const v = await run(["send", report, "--dry-run", "--verbose"], { SOCKET_SLACK_CONFIG_JSON: config });
    expect(v.code).toBe(0);
    expect(v.stdout).toContain("- lodash@4.17.20 mediumCVE: severity medium below min_severity high");
    expect(v.stdout).toContain("- gpl-widget@3.1.0 copyleftLicense: severity low below min_severity high");
    expect(v.stdout.match(/^ {8}- /gm)).toHaveLength(21);
  });
});

describe("the CLI as a Unix tool and with plugins", () => {
  it("stops quietly when the reader of its output goes away (| head)", async () => {
    const { execFile } = await import("node:child_process");
    const bin = new URL("../packages/cli/dist/bin.cjs", import.meta.url).pathname;
    const config = '{"url": "https://hooks.slack.com/services/T000/B000/xyz"}';
    const stderr = await new Promise<string>((done) => {
      execFile(
        "bash",
        ["-c", `"${process.execPath}" "${bin}" send "${report}" --dry-run | head -1 >/dev/null`],
        { env: { PATH: process.env.PATH ?? "", SOCKET_SLACK_CONFIG_JSON: config } },
        (_e, _out, err) => done(err),
      );
    });
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at .*\.js:\d+/);
  });

  it("validates a plugin config whose secrets are not set here, with a warning naming the variable", async () => {
    const cfg = new URL("../examples/configs/plugin.socketnotifyrc.json", import.meta.url).pathname;
    // The sample is in this repository's checkout: loading its plugin is code from the checkout.
    const r = await run(["validate", "-c", cfg, "--allow-code-config"]);
    expect(r.stderr).toMatch(/environment variable \w+ is not set \(needed to send\)/);
    expect(r.code).toBe(0);
  });
});
