/**
 * Pacing through the built binary with the emulator's real Slack-like rate limits (1 message/s
 * per webhook and per channel, burst 3): everything arrives, in order, and a 429 from Slack is
 * waited out and said on stderr. No timing assertions: what arrived and what was printed.
 */
import { expectNoSecrets } from "@socket-notify/core/testing";
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { emulatorSecrets, enableJsonReport, issue, lines, runCli, tempDir } from "./cli-harness.js";

let emu: SlackEmulator;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let bigReport: string;

/** Enough alerts for several pages. */
const MANY = Array.from({ length: 130 }, (_, i) =>
  issue("networkAccess", "high", `pkg-${String(i).padStart(3, "0")}`, { description: "y".repeat(200) }),
);

function packagesInOrder(payloads: Record<string, unknown>[]): string[] {
  const text = payloads.map((p) => JSON.stringify(p.blocks)).join("\n");
  return [...new Set([...text.matchAll(/npm\/(pkg-\d{3})@/g)].map((m) => m[1]!))];
}

beforeAll(async () => {
  emu = await startEmulator(); // Slack-like limits on
  tmp = await tempDir("cli-pacing-");
  bigReport = await tmp.write("big.json", enableJsonReport(MANY));
});

afterAll(async () => {
  await emu?.close();
  await tmp?.cleanup();
});

beforeEach(() => emu.reset());

describe("pacing against Slack-like rate limits", () => {
  it("two routes on the same webhook share its limit: every page arrives once, in order, exit 0", async () => {
    const cfg = await tmp.write("same-hook.json", {
      mode: "webhook",
      url: [
        { name: "a", url: { env: "HOOK" } },
        { name: "b", url: { env: "HOOK" } },
      ],
      url_configs: { a: { max_messages: 3 }, b: { max_messages: 3 } },
    });
    const r = await runCli(["send", bigReport, "-c", cfg, "--json"], { env: { HOOK: emu.webhookUrl("dev") } });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { destinations: { route: string; messages: number; delivered: number }[] };
    const total = report.destinations.reduce((n, d) => n + d.messages, 0);
    expect(total).toBeGreaterThan(3); // more than the webhook's burst: pacing was needed
    for (const d of report.destinations) expect(d.delivered).toBe(d.messages);
    const got = emu.messages({ hook: "dev" });
    expect(got).toHaveLength(total);
    // Each route's pages in page order (the "N more" summary page last).
    const texts = got.map((m) => JSON.stringify(m.payload));
    expect(texts.filter((t) => t.includes("pkg-000"))).toHaveLength(2);
    expectNoSecrets({ stdout: r.stdout, stderr: r.stderr }, emulatorSecrets(emu));
  });

  it("bot mode, many pages in one channel: all delivered in order as one thread", async () => {
    const cfg = await tmp.write("bot.json", {
      mode: "bot",
      bot_configs: [{ name: "sec", channels: ["security-alerts"], max_messages: 10 }],
    });
    const r = await runCli(["send", bigReport, "-c", cfg], {
      env: { SOCKET_SLACK_BOT_TOKEN: "xoxb-emulator-bot-token", SOCKET_SLACK_API_URL: emu.apiUrl },
    });
    expect(r.code).toBe(0);
    const msgs = emu.messages({ channel: "security-alerts" });
    expect(msgs.length).toBeGreaterThan(3);
    expect(packagesInOrder(msgs.map((m) => m.payload))).toEqual(MANY.map((a) => a.pkg_name));
    for (const m of msgs.slice(1)) expect(m.threadTs).toBe(msgs[0]!.ts);
    expect(
      lines(r.stderr)
        .filter((l) => l.startsWith("sending:"))
        .at(-1),
    ).toBe(`sending: ${msgs.length}/${msgs.length} sent`);
  });

  it("a 429 from Slack is waited out (Retry-After), said on stderr, and the message still arrives", async () => {
    emu.fault({ target: { hook: "security" }, kind: "ratelimit", retryAfter: 1, count: 1 });
    const cfg = await tmp.write("one.json", { mode: "webhook", url: { env: "HOOK" } });
    const small = await tmp.write("small.json", enableJsonReport([issue("malware", "critical", "evil-pkg")]));
    const r = await runCli(["send", small, "-c", cfg], { env: { HOOK: emu.webhookUrl("security") } });
    expect(r.code).toBe(0);
    expect(emu.records().map((x) => x.status)).toEqual([429, 200]);
    expect(emu.messages({ hook: "security" })).toHaveLength(1);
    expect(r.stderr).toMatch(/^sending: .*rate limit/m);
    expect(r.stdout).toContain("  ✓ default: 1 alert in 1 message: sent");
    expectNoSecrets({ stdout: r.stdout, stderr: r.stderr }, emulatorSecrets(emu));
  });
});
