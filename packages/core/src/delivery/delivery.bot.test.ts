/**
 * The delivery engine end to end in bot mode: createEngine + the real bot notifier
 * (chat.postMessage) against the Slack emulator over loopback, on a fake clock. Assertions are
 * on what arrived in which channel and on the delivery report.
 */
import { botPlugin } from "@socket-notify/slack-bot";
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine, type NotifyOptions } from "../engine.js";
import { parseScan } from "../input/parse.js";
import { MemoryLogger } from "../logger.js";
import { type NotifierPlugin } from "../contract/plugin.js";
import { reportExitCode } from "../report.js";
import { expectNoSecrets, FakeClock } from "../testing/index.js";
import { outboxEntries } from "./outbox.js";

const TOKEN = "xoxb-emulator-bot-token";
// Built against core's dist; same contract (see config.test.ts).
const plugins = [botPlugin] as unknown as NotifierPlugin[];

/** A Socket CLI `--enable-json` report with `count` distinct alerts (critical, high, medium, low in turn). */
function scan(count: number) {
  const severities = ["critical", "high", "middle", "low"];
  const alerts = Array.from({ length: count }, (_, i) => ({
    pkg_type: "npm",
    pkg_name: `pkg-${i}`,
    pkg_version: "1.0.0",
    key: `alert-${i}`,
    type: "cve",
    severity: severities[i % 4],
    title: `Alert ${i}`,
    description: `Description of alert ${i}`,
    introduced_by: [["direct", "package.json"]],
    purl: `pkg-${i}@1.0.0`,
    url: `https://socket.dev/npm/package/pkg-${i}`,
    error: true,
    warn: false,
    monitor: false,
    ignore: false,
  }));
  const text = JSON.stringify({
    scan_failed: true,
    full_scan_id: "s1",
    repo: "acme/web",
    branch: "main",
    new_alerts: alerts,
  });
  return parseScan(text, { source: `synthetic-${count}.json` });
}

let emu: SlackEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function run(
  config: Record<string, unknown>,
  alerts: number,
  options: NotifyOptions = {},
  setup?: (e: SlackEmulator) => void,
) {
  emu = await startEmulator({ port: 0, rateLimit: false, workspaceRateLimit: false });
  setup?.(emu);
  const logger = new MemoryLogger();
  const engine = await createEngine({
    config: { mode: "bot", slack_api_url: emu.apiUrl, ...config },
    plugins,
    env: { SOCKET_SLACK_BOT_TOKEN: TOKEN },
    logger,
    clock: new FakeClock({ autoAdvance: 60_000 }),
  });
  const result = await engine.run(scan(alerts), options);
  return { ...result, engine, logger, emu };
}

describe("delivery in bot mode, end to end", () => {
  it("the report gives each thread reply's thread_ts: the ts of the destination's first message", async () => {
    const { report, emu } = await run(
      { bot_configs: [{ name: "sec", channels: ["security-alerts"] }], max_messages: 10 },
      120,
    );
    const got = emu.messages({ channel: "C0000000002" });
    expect(got.length).toBeGreaterThanOrEqual(3);
    const results = report.destinations[0]!.message_results;
    expect(results).toHaveLength(got.length);
    // What the report says matches what Slack shows: page 1 in the channel, the rest in its thread.
    expect(results.map((r) => [r.ts, r.thread_ts])).toEqual(got.map((m) => [m.ts, m.threadTs]));
    expect(results[0]!.thread_ts).toBeUndefined();
    for (const r of results.slice(1)) expect(r.thread_ts).toBe(results[0]!.ts);
  });

  it("one channel given by name and by ID in one bot_configs entry gets each message once; the second is reported as a duplicate, not a failure", async () => {
    const { report, emu, logger } = await run(
      {
        bot_configs: [
          { name: "ops", channels: ["ops", "C0000000003"] },
          // Another route to the same channel has its own filter: its message is its own.
          { name: "critical", channels: ["ops"], severities: ["critical"] },
        ],
        max_messages: 10,
      },
      60,
    );
    const ops = report.destinations.find((d) => d.route === "ops" && d.target === "#ops")!;
    const byId = report.destinations.find((d) => d.route === "ops" && d.target === "C0000000003")!;
    const critical = report.destinations.find((d) => d.route === "critical")!;
    expect(ops).toMatchObject({ status: "sent", alerts: 60, delivered: ops.messages });
    expect(ops.messages).toBeGreaterThan(1);
    expect(byId).toMatchObject({
      status: "skipped",
      alerts: 60,
      delivered: 0,
      error: { code: "duplicate_destination", message: "same channel as #ops in ops: sent once, reported there" },
    });
    expect(
      byId.message_results.every(
        (r) => r.status === "skipped" && r.error?.code === "duplicate_destination" && r.ts === undefined,
      ),
    ).toBe(true);
    expect(critical).toMatchObject({ status: "sent", alerts: 15, messages: 1 });
    // Slack got the ops route's pages once, plus the critical route's message.
    const got = emu.messages({ channel: "C0000000003" });
    expect(got).toHaveLength(ops.messages + 1);
    expect(got.filter((m) => m.threadTs === undefined)).toHaveLength(2);
    expect(reportExitCode(report)).toBe(0);
    expectNoSecrets({ report, logs: logger.lines }, [TOKEN]);
  });

  it("when the shared channel fails, the failure is reported once and the outbox holds each message once", async () => {
    const r = await run(
      { bot_configs: [{ name: "ops", channels: ["ops", "C0000000003"] }], max_messages: 10 },
      60,
      {},
      (e) =>
        e.fault({
          target: { method: "chat.postMessage" },
          kind: "status",
          status: 200,
          error: "is_archived",
          count: Infinity,
        }),
    );
    const [ops, byId] = r.report.destinations;
    expect(ops).toMatchObject({ target: "#ops", status: "failed", error: { code: "is_archived" } });
    expect(byId).toMatchObject({ target: "C0000000003", status: "skipped", error: { code: "duplicate_destination" } });
    expect(reportExitCode(r.report)).toBe(1);
    // One chat.postMessage attempt: later pages of a dead channel are not attempted, the duplicate never.
    expect(r.emu.records().filter((x) => x.method === "chat.postMessage")).toHaveLength(1);
    const outbox = outboxEntries(r.report.mode, r.outcomes, (t) => r.engine.host.scrub(t));
    expect(outbox.map((x) => [x.target, x.index])).toEqual(ops!.message_results.map((m) => ["#ops", m.index]));
  });
});
