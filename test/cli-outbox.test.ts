/**
 * Issue 7 end to end: `send --outbox FILE` keeps what could not be delivered (one JSON line per
 * message, no secret), `socket-notify retry FILE` re-sends it once the fault is gone and
 * empties the file; messages whose route the config no longer has are kept, with a warning.
 */
import { spawn } from "node:child_process";
import { appendFile, readdir, readFile, writeFile } from "node:fs/promises";
import { expectNoSecrets } from "@socket-notify/core/testing";
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  BIN,
  emulatorBotEnv,
  emulatorHookEnv,
  emulatorSecrets,
  enableJsonReport,
  issue,
  lines,
  received,
  REPO,
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
  ],
};

const hookEnv = (): Record<string, string> => emulatorHookEnv(emu, ["security", "ops"]);

const botEnv = (): Record<string, string> => emulatorBotEnv(emu);

async function noSecrets(r: RunResult, ...files: string[]): Promise<void> {
  const contents = await Promise.all(files.map((f) => readFile(f, "utf8")));
  expectNoSecrets(
    { stdout: r.stdout, stderr: r.stderr, ...Object.fromEntries(files.map((f, i) => [f, contents[i]])) },
    secrets,
  );
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
  reportPath = await tmp.write(
    "socket-report.json",
    enableJsonReport([issue("malware", "critical", "evil-pkg"), issue("envVars", "low", "env-peeker")]),
  );
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
    const r = await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", outbox, "--timeout", "1.5"], {
      env: hookEnv(),
    });
    expect(r.code).toBe(1);
    expect(emu.messages({ hook: "security" })).toHaveLength(1);
    expect(emu.messages({ hook: "ops" })).toHaveLength(0);
    expect(r.stderr).toContain(
      `1 undelivered message written to ${outbox}: re-send with socket-notify retry ${outbox}`,
    );
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
    expect(JSON.parse(json.stdout)).toEqual({
      delivered: 0,
      failed: 0,
      orphans: 0,
      possible_duplicates: 0,
      untrusted: 0,
      results: [],
    });
    const quiet = await runCli(["retry", outbox, "-c", webhookConfig, "-q"], { env: hookEnv() });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe("");
  });

  it("a hook that hangs with a small --request-timeout/--timeout: exit 1, kept in the outbox", async () => {
    const outbox = tmp.path("outbox-hang.jsonl");
    emu.fault({ target: { hook: "ops" }, kind: "hang", count: 1000 });
    const r = await runCli(
      ["send", reportPath, "-c", webhookConfig, "--outbox", outbox, "--timeout", "1.5", "--request-timeout", "0.5"],
      { env: hookEnv() },
    );
    expect(r.code).toBe(1);
    expect(emu.messages({ hook: "security" })).toHaveLength(1);
    expect(lines(r.stdout).some((l) => /^ {2}✗ ops: /.test(l))).toBe(true);
    // Its requests were sent and never answered: Slack may have it. Flagged in outbox, summary and report.
    const entries = await outboxLines(outbox);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.possible_duplicate).toBe(true);
    expect(r.stdout).toContain(
      "note: 1 undelivered message may already be in Slack (a request was sent and not answered): re-sending may show it twice",
    );
    expect(r.stderr).toContain("1 undelivered message written to");
    expect(r.stderr).toContain("(1 may already be in Slack: a request was sent and not answered)");
    await noSecrets(r, outbox);
    const json = await runCli(
      ["send", reportPath, "-c", webhookConfig, "--json", "--timeout", "1.5", "--request-timeout", "0.5"],
      { env: hookEnv() },
    );
    const report = JSON.parse(json.stdout) as {
      destinations: { route: string; message_results: { possible_duplicate?: boolean; status: string }[] }[];
    };
    expect(report.destinations.find((d) => d.route === "ops")!.message_results[0]).toMatchObject({
      status: "failed",
      possible_duplicate: true,
    });
    expect(
      report.destinations.find((d) => d.route === "security")!.message_results[0]!.possible_duplicate,
    ).toBeUndefined();

    emu.reset();
    const retry = await runCli(["retry", outbox, "-c", webhookConfig], { env: hookEnv() });
    expect(retry.stderr).toContain(
      "note: 1 of 1 message may already be in Slack (a request was sent and not answered): re-sending may show it twice",
    );
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
    expect(lines(retry.stderr)).toEqual([
      expect.stringMatching(/^socket-notify: error: retry: 1 of 1 still failing \(kept in .*outbox-quiet\.jsonl\)$/),
    ]);
    await noSecrets(retry, outbox);
  });

  it("retry with a config that no longer has the route: kept, with a warning, exit 1", async () => {
    const outbox = tmp.path("outbox-orphan.jsonl");
    removeOpsHook();
    await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", outbox], { env: hookEnv() });
    const before = await readFile(outbox, "utf8");
    emu.reset();

    const securityOnly = await tmp.write("security-only.json", {
      mode: "webhook",
      url: [{ name: "security", url: { env: "HOOK_SECURITY" } }],
    });
    const retry = await runCli(["retry", outbox, "-c", securityOnly], { env: hookEnv() });
    expect(retry.code).toBe(1);
    expect(retry.stderr).toMatch(
      /warning: .*ops → ops \(webhook\) is not a destination of the current config; kept in the outbox/,
    );
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
    expect(JSON.parse(json.stdout)).toEqual({
      delivered: 0,
      failed: 0,
      orphans: 0,
      possible_duplicates: 0,
      untrusted: 0,
      results: [{ route: "ops", target: "ops", index: 1, status: "dry-run" }],
    });
    expect(emu.records()).toHaveLength(0);
  });

  it("bot mode: an outbox line for a channel that failed is re-posted to that channel", async () => {
    const outbox = tmp.path("outbox-bot.jsonl");
    emu.fault({ target: { channel: "ops" }, kind: "status", status: 503, count: 1000 });
    const r = await runCli(["send", reportPath, "-c", botConfig, "--outbox", outbox, "--timeout", "2"], {
      env: botEnv(),
    });
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

describe("retry and concurrent runs (issue 22)", () => {
  it("a send appending while retry is delivering: retry's rewrite keeps the appended line (two real processes)", async () => {
    const outbox = tmp.path("outbox-concurrent.jsonl");
    // Six routes on the "security" hook: one paced queue, so the retry below takes several seconds.
    const many = await tmp.write("many.json", {
      mode: "webhook",
      url: [
        ...Array.from({ length: 6 }, (_, i) => ({ name: `s${i}`, url: { env: "HOOK_SECURITY" } })),
        { name: "ops", url: { env: "HOOK_OPS" } },
      ],
    });
    emu.fault({ target: { hook: "security" }, kind: "status", status: 404, error: "no_service", count: 1000 });
    removeOpsHook();
    await runCli(["send", reportPath, "-c", many, "--outbox", outbox], { env: hookEnv() });
    expect(await outboxLines(outbox)).toHaveLength(7);
    // Keep only the six security lines for the retry; ops keeps failing.
    await writeFile(
      outbox,
      lines(await readFile(outbox, "utf8"))
        .filter((l) => !l.includes('"route":"ops"'))
        .map((l) => `${l}\n`)
        .join(""),
    );

    emu.reset();
    emu.fault({ target: { hook: "security" }, kind: "latency", ms: 700 });
    removeOpsHook();
    const child = spawn(process.execPath, [BIN, "retry", outbox, "-c", many], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? "", ...hookEnv() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let retryDone = false;
    const retryExit = new Promise<number | null>((done) =>
      child.on("close", (code) => ((retryDone = true), done(code))),
    );
    child.stdout.resume();
    child.stderr.resume();
    // Once the retry is under way, another run appends a line for "ops" (it fails there).
    await expect
      .poll(() => emu.messages({ hook: "security" }).length, { timeout: 20_000, interval: 20 })
      .toBeGreaterThanOrEqual(1);
    const securityOnly = await tmp.write("ops-only.json", {
      mode: "webhook",
      url: [{ name: "ops", url: { env: "HOOK_OPS" } }],
    });
    const appender = await runCli(["send", reportPath, "-c", securityOnly, "--outbox", outbox], { env: hookEnv() });
    expect(appender.code).toBe(1);
    expect(retryDone).toBe(false); // the append really happened while retry was delivering
    expect(await retryExit).toBe(0);
    expect(emu.messages({ hook: "security" })).toHaveLength(6);
    const left = await outboxLines(outbox);
    expect(left.map((e) => e.route)).toEqual(["ops"]);
    // No lock or temp file left behind.
    expect((await readdir(tmp.dir)).filter((n) => /outbox-concurrent\.jsonl\./.test(n))).toEqual([]);
  });

  it("two retries of one outbox at once: the second refuses, so nothing is sent twice", async () => {
    const outbox = tmp.path("outbox-two-retries.jsonl");
    removeOpsHook();
    await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", outbox], { env: hookEnv() });
    emu.reset();
    emu.fault({ target: { hook: "ops" }, kind: "latency", ms: 3000 });
    const first = runCli(["retry", outbox, "-c", webhookConfig], { env: hookEnv() });
    await expect
      .poll(async () => (await readdir(tmp.dir)).includes("outbox-two-retries.jsonl.retry.lock"), {
        timeout: 20_000,
        interval: 20,
      })
      .toBe(true);
    const second = await runCli(["retry", outbox, "-c", webhookConfig], { env: hookEnv() });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/another socket-notify retry of this outbox is running \(pid \d+\)/);
    expect((await first).code).toBe(0);
    expect(emu.messages({ hook: "ops" })).toHaveLength(1);
  });

  it("a line cut by a crash: the next send starts a fresh line, retry warns and drops the cut one", async () => {
    const outbox = tmp.path("outbox-cut.jsonl");
    removeOpsHook();
    await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", outbox], { env: hookEnv() });
    const whole = lines(await readFile(outbox, "utf8"))[0]!;
    await appendFile(outbox, whole.slice(0, 40)); // no newline: a write cut short
    await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", outbox], { env: hookEnv() });
    const text = await readFile(outbox, "utf8");
    expect(text.split("\n")).toHaveLength(4); // whole, cut, whole, ""
    emu.reset();
    const retry = await runCli(["retry", outbox, "-c", webhookConfig], { env: hookEnv() });
    expect(retry.code).toBe(0);
    expect(retry.stderr).toContain("1 incomplete line (a run crashed while writing it): no message in it; removed");
    expect(emu.messages({ hook: "ops" })).toHaveLength(2);
    expect(await readFile(outbox, "utf8")).toBe("");
  });
});

describe("retry never posts what socket-notify would not have produced (issue 22)", () => {
  const evilLink = "<https://evil.example/login|https://socket.dev/npm/package/evil-pkg>";

  it("its own entries are signed and re-sent exactly as built (links kept)", async () => {
    const outbox = tmp.path("outbox-signed.jsonl");
    removeOpsHook();
    await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", outbox], { env: hookEnv() });
    const [entry] = await outboxLines(outbox);
    expect(entry!.sig).toMatch(/^[0-9a-f]{64}$/);
    emu.reset();
    const r = await runCli(["retry", outbox, "-c", webhookConfig], { env: hookEnv() });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain("warning");
    const [got] = emu.messages({ hook: "ops" });
    expect(got!.payload).toEqual(entry!.payload);
    expect(JSON.stringify(got!.payload)).toContain("<https://socket.dev/npm/package/evil-pkg");
  });

  it("an edited or foreign entry: warned about, sent with links as text, no mentions, no extra fields", async () => {
    const outbox = tmp.path("outbox-tampered.jsonl");
    removeOpsHook();
    await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", outbox], { env: hookEnv() });
    const [entry] = await outboxLines(outbox);
    const payload = entry!.payload as {
      text: string;
      blocks: { type: string; text?: { type: string; text: string } }[];
    };
    const tampered = {
      ...entry,
      payload: {
        ...payload,
        text: `<!channel> ${payload.text}`,
        username: "Slackbot",
        icon_url: "https://evil.example/icon.png",
        channel: "#general",
        blocks: [
          {
            type: "section",
            text: { type: "mrkdwn", text: `<!here> <@U0001> <!subteam^S1> review ${evilLink} \u202eexe.txt` },
          },
          ...payload.blocks,
        ],
      },
    };
    const { sig: _sig, ...unsigned } = tampered as typeof tampered & { sig?: unknown };
    await writeFile(outbox, `${JSON.stringify(tampered)}\n${JSON.stringify(unsigned)}\n`);
    emu.reset();
    const r = await runCli(["retry", outbox, "-c", webhookConfig, "--json"], { env: hookEnv() });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: ");
    expect(r.stderr).toContain("2 of 2 messages not signed by socket-notify with this config's secrets");
    expect(JSON.parse(r.stdout)).toMatchObject({ delivered: 2, untrusted: 2 });
    const got = emu.messages({ hook: "ops" });
    expect(got).toHaveLength(2);
    for (const m of got) {
      const text = JSON.stringify(m.payload);
      expect(Object.keys(m.payload).sort()).toEqual(["blocks", "text", "unfurl_links", "unfurl_media"]);
      for (const live of ["<!channel>", "<!here>", "<@U0001>", "<!subteam^S1>", "<https://", "\\u202e"])
        expect(text).not.toContain(live);
      expect(text).toContain("&lt;!channel&gt;");
      // The disguised link is shown for what it is: its label, then the real address, as text.
      expect(text).toContain("https://socket.dev/npm/package/evil-pkg (https://evil.example/login)");
    }
  });

  it("a destination's trusted mention survives a signed retry, not an edited one", async () => {
    const outbox = tmp.path("outbox-mention.jsonl");
    const withMention = await tmp.write("mention.json", {
      ...WEBHOOK_CONFIG,
      url_configs: { ops: { mention: ["!here"] } },
    });
    removeOpsHook();
    await runCli(["send", reportPath, "-c", withMention, "--outbox", outbox], { env: hookEnv() });
    const [entry] = await outboxLines(outbox);
    expect(JSON.stringify(entry!.payload)).toContain("<!here>");
    emu.reset();
    await runCli(["retry", outbox, "-c", withMention], { env: hookEnv() });
    expect(received(emu, { hook: "ops" })).toContain("<!here>");

    await writeFile(outbox, `${JSON.stringify({ ...entry, index: 1, count: 1, alerts: 99 })}\n`);
    emu.reset();
    const r = await runCli(["retry", outbox, "-c", withMention], { env: hookEnv() });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("not signed by socket-notify");
    expect(received(emu, { hook: "ops" })).not.toContain("<!here>");
  });

  it("a block socket-notify never sends (a button, an image): exit 2 naming the line and path, nothing sent", async () => {
    const outbox = tmp.path("outbox-block.jsonl");
    removeOpsHook();
    await runCli(["send", reportPath, "-c", webhookConfig, "--outbox", outbox], { env: hookEnv() });
    const [entry] = await outboxLines(outbox);
    const payload = entry!.payload as { blocks: unknown[] };
    await writeFile(
      outbox,
      `${JSON.stringify({ ...entry, payload: { ...payload, blocks: [...payload.blocks, { type: "actions", elements: [{ type: "button", url: "https://evil.example" }] }] } })}\n`,
    );
    emu.reset();
    const r = await runCli(["retry", outbox, "-c", webhookConfig], { env: hookEnv() });
    expect(r.code).toBe(2);
    expect(lines(r.stderr)[0]).toMatch(
      /^socket-notify: error: .*outbox-block\.jsonl: line 1: payload\.blocks\[\d+\]\.type: "actions" is not a block socket-notify sends/,
    );
    expect(emu.records()).toHaveLength(0);
  });
});
