/**
 * Issue 7 end to end: `send --outbox FILE` keeps what could not be delivered (one JSON line per
 * message, no secret), `socket-notify retry FILE` re-sends it once the fault is gone and
 * empties the file; messages whose route the config no longer has are kept, with a warning.
 */
import { readFile, writeFile } from "node:fs/promises";
import { expectNoSecrets } from "@socket-notify/core/testing";
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { emulatorBotEnv, emulatorHookEnv, emulatorSecrets, enableJsonReport, issue, lines, received, runCli, type RunResult, tempDir } from "./cli-harness.js";

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
  ],
};

const hookEnv = (): Record<string, string> => emulatorHookEnv(emu, ["security", "ops"]);

const botEnv = (): Record<string, string> => emulatorBotEnv(emu);

async function noSecrets(r: RunResult, ...files: string[]): Promise<void> {
  const contents = await Promise.all(files.map((f) => readFile(f, "utf8")));
  expectNoSecrets({ stdout: r.stdout, stderr: r.stderr, ...Object.fromEntries(files.map((f, i) => [f, contents[i]])) }, secrets);
}

/** The ops hook answers 404 no_service (deleted in Slack): fails at once, no retries. */
function removeOpsHook(): void {
  emu.fault({ target: { hook: "ops" }, kind: "status", status: 404, error: "no_service", count: 1000 });
}

async function outboxLines(file: string): Promise<Record<string, unknown>[]> {
  return lines(await readFile(file, "utf8")).map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
  secrets = emulatorSecrets(emu);
  tmp = await tempDir("cli-outbox-");
  reportPath = await tmp.write("socket-report.json", enableJsonReport([issue("malware", "critical", "evil-pkg"), issue("envVars", "low", "env-peeker")]));
  webhookConfig = await tmp.write("webhook.json", WEBHOOK_CONFIG);
  botConfig = await tmp.write("bot.json", {
    mode: "bot",
    bot_configs: [
      { name: "sec", channels: ["security-alerts"] },
      { name: "ops", channels: ["ops"] },
    ],
  });
});

afterAll(async () => {
  await emu?.close();
  await tmp?.cleanup();
});

beforeEach(() => emu.reset());

describe("send --outbox, then retry", () => {
  it("a hook answering 500: exit 1, one line per undelivered message; retry after the fault delivers it and empties the file", async () => {
    const outbox = tmp.path("outbox-500.jsonl");
    emu.fault({ target: { hook: "ops" }, kind: "status", status: 500, count: 1000 });
    const r = await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", outbox, "--timeout", "1.5"], { env: hookEnv() });
    expect(r.code).toBe(1);
    expect(emu.messages({ hook: "security" })).toHaveLength(1);
    expect(emu.messages({ hook: "ops" })).toHaveLength(0);
    expect(r.stderr).toContain(`1 undelivered message written to ${outbox}: re-send with socket-notify retry ${outbox}`);
    const entries = await outboxLines(outbox);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ mode: "webhook", route: "ops", index: 1, count: 1 });
    expect(JSON.stringify(entries[0]!.payload)).toContain("evil-pkg");
    await noSecrets(r, outbox);

    // The fault is gone: retry with the same config delivers and empties the outbox.
    emu.reset();
    const retry = await runCli(["retry", outbox, "-c", webhookConfig], { env: hookEnv() });
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain("socket-notify retry: 1/1 delivered");
    expect(emu.messages({ hook: "ops" })).toHaveLength(1);
    expect(emu.messages({ hook: "security" })).toHaveLength(0); // not sent twice
    expect(received(emu, { hook: "ops" })).toContain("evil-pkg");
    expect(await readFile(outbox, "utf8")).toBe("");
    await noSecrets(retry, outbox);

    // Running it again is safe: nothing to send, exit 0.
    emu.reset();
    const again = await runCli(["retry", outbox, "-c", webhookConfig], { env: hookEnv() });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("0 messages to re-send");
    expect(emu.records()).toHaveLength(0);
    const json = await runCli(["retry", outbox, "-c", webhookConfig, "--json"], { env: hookEnv() });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ delivered: 0, failed: 0, orphans: 0, results: [] });
    const quiet = await runCli(["retry", outbox, "-c", webhookConfig, "-q"], { env: hookEnv() });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe("");
  });

  it("a hook that hangs with a small --request-timeout/--timeout: exit 1, kept in the outbox", async () => {
    const outbox = tmp.path("outbox-hang.jsonl");
    emu.fault({ target: { hook: "ops" }, kind: "hang", count: 1000 });
    const r = await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", outbox, "--timeout", "1.5", "--request-timeout", "0.5"], { env: hookEnv() });
    expect(r.code).toBe(1);
    expect(emu.messages({ hook: "security" })).toHaveLength(1);
    expect(lines(r.stdout).some((l) => /^ {2}✗ ops: /.test(l))).toBe(true);
    expect(await outboxLines(outbox)).toHaveLength(1);
    await noSecrets(r, outbox);

    emu.reset();
    const retry = await runCli(["retry", outbox, "-c", webhookConfig], { env: hookEnv() });
    expect(retry.code).toBe(0);
    expect(emu.messages({ hook: "ops" })).toHaveLength(1);
    expect(await readFile(outbox, "utf8")).toBe("");
  });

  it("retry still failing: exit 1, the line stays, the reason is printed", async () => {
    const outbox = tmp.path("outbox-still.jsonl");
    removeOpsHook();
    await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", outbox], { env: hookEnv() });
    const before = await readFile(outbox, "utf8");
    expect(lines(before)).toHaveLength(1);

    const retry = await runCli(["retry", outbox, "-c", webhookConfig], { env: hookEnv() });
    expect(retry.code).toBe(1);
    expect(retry.stdout).toMatch(/0\/1 delivered, 1 still failing \(kept in /);
    expect(retry.stdout).toMatch(/✗ ops → ops message 1: no_service: /);
    expect(await outboxLines(outbox)).toHaveLength(1);
    await noSecrets(retry, outbox);
  });

  it("retry --quiet still failing: one error line on stderr, exit 1", async () => {
    const outbox = tmp.path("outbox-quiet.jsonl");
    removeOpsHook();
    await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", outbox, "-q"], { env: hookEnv() });
    const retry = await runCli(["retry", outbox, "-c", webhookConfig, "-q"], { env: hookEnv() });
    expect(retry.code).toBe(1);
    expect(retry.stdout).toBe("");
    expect(lines(retry.stderr)).toEqual([expect.stringMatching(/^socket-notify: error: retry: 1 of 1 still failing \(kept in .*outbox-quiet\.jsonl\)$/)]);
    await noSecrets(retry, outbox);
  });

  it("retry with a config that no longer has the route: kept, with a warning, exit 1", async () => {
    const outbox = tmp.path("outbox-orphan.jsonl");
    removeOpsHook();
    await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", outbox], { env: hookEnv() });
    const before = await readFile(outbox, "utf8");
    emu.reset();

    const securityOnly = await tmp.write("security-only.json", { mode: "webhook", url: [{ name: "security", url: { env: "HOOK_SECURITY" } }] });
    const retry = await runCli(["retry", outbox, "-c", securityOnly], { env: hookEnv() });
    expect(retry.code).toBe(1);
    expect(retry.stderr).toMatch(/warning: .*ops → ops \(webhook\) is not a destination of the current config; kept in the outbox/);
    expect(retry.stdout).toContain("0 messages to re-send, 1 without a destination");
    expect(emu.records()).toHaveLength(0);
    expect(await readFile(outbox, "utf8")).toBe(before);
    await noSecrets(retry, outbox);
  });

  it("retry --dry-run: says what it would send, sends nothing, keeps the file", async () => {
    const outbox = tmp.path("outbox-dry.jsonl");
    removeOpsHook();
    await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", outbox], { env: hookEnv() });
    const before = await readFile(outbox, "utf8");
    emu.reset();
    const retry = await runCli(["retry", outbox, "-c", webhookConfig, "--dry-run"], { env: hookEnv() });
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain("1 message to re-send (dry run)");
    expect(emu.records()).toHaveLength(0);
    expect(await readFile(outbox, "utf8")).toBe(before);
    const json = await runCli(["retry", outbox, "-c", webhookConfig, "--dry-run", "--json"], { env: hookEnv() });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ delivered: 0, failed: 0, orphans: 0, results: [{ route: "ops", target: "ops", index: 1, status: "dry-run" }] });
    expect(emu.records()).toHaveLength(0);
  });

  it("bot mode: an outbox line for a channel that failed is re-posted to that channel", async () => {
    const outbox = tmp.path("outbox-bot.jsonl");
    emu.fault({ target: { channel: "ops" }, kind: "status", status: 503, count: 1000 });
    const r = await runCli(["send", reportPath, "-c", botConfig, "--outbox", outbox, "--timeout", "2"], { env: botEnv() });
    expect(r.code).toBe(1);
    expect(emu.messages({ channel: "security-alerts" })).toHaveLength(1);
    const entries = await outboxLines(outbox);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ mode: "bot", route: "ops" });
    await noSecrets(r, outbox);

    emu.reset();
    const retry = await runCli(["retry", outbox, "-c", botConfig], { env: botEnv() });
    expect(retry.code).toBe(0);
    expect(emu.messages({ channel: "ops" })).toHaveLength(1);
    expect(emu.messages({ channel: "security-alerts" })).toHaveLength(0);
    expect(await readFile(outbox, "utf8")).toBe("");
    await noSecrets(retry, outbox);
  });

  it("--outbox appends: two failed runs leave two lines; nothing is written when all is delivered", async () => {
    const outbox = tmp.path("outbox-append.jsonl");
    removeOpsHook();
    await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", outbox], { env: hookEnv() });
    await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", outbox], { env: hookEnv() });
    expect(await outboxLines(outbox)).toHaveLength(2);

    emu.reset();
    const clean = tmp.path("outbox-clean.jsonl");
    const ok = await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", clean], { env: hookEnv() });
    expect(ok.code).toBe(0);
    expect(ok.stderr).not.toContain("undelivered");
    await expect(readFile(clean, "utf8")).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("an --outbox or --out path that cannot be used: exit 2 before anything is sent", async () => {
    const aFile = await tmp.write("a-file.txt", "x");
    for (const args of [
      ["--outbox", tmp.path("no-such-dir", "outbox.jsonl")],
      ["--outbox", tmp.dir],
      ["--out", aFile],
    ]) {
      const r = await runCli(["send", reportPath, "-c", webhookConfig, ...args], { env: hookEnv() });
      expect(r.code).toBe(2);
      expect(lines(r.stderr)[0]).toMatch(new RegExp(`^socket-notify: error: ${args[0]} `));
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(emu.records()).toHaveLength(0);
    }
  });

  it("retry of a file that is not an outbox: exit 2 with the file named", async () => {
    const bogus = await tmp.write("not-outbox.jsonl", "hello\n");
    const r = await runCli(["retry", bogus, "-c", webhookConfig], { env: hookEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^socket-notify: error: .*not-outbox\.jsonl/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const missing = await runCli(["retry", tmp.path("nope.jsonl"), "-c", webhookConfig], { env: hookEnv() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the outbox/);
  });

  it("an outbox line edited to hold a webhook URL never prints it", async () => {
    const outbox = tmp.path("outbox-edited.jsonl");
    removeOpsHook();
    await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", outbox], { env: hookEnv() });
    const [entry] = await outboxLines(outbox);
    await writeFile(outbox, `${JSON.stringify({ ...entry, route: emu.webhookUrl("dev") })}\n`);
    const r = await runCli(["retry", outbox, "-c", webhookConfig], { env: hookEnv() });
    expect(r.code).not.toBe(0);
    expectNoSecrets({ stdout: r.stdout, stderr: r.stderr }, secrets);
  });
});
