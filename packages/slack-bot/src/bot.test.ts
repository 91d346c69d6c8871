/**
 * The bot notifier end to end: createEngine + botPlugin (chat.postMessage through
 * @slack/web-api) against the Slack emulator over real loopback HTTP. Assertions are on what
 * Slack received (channel, order, threads), on the delivery report and on errors.
 */
import { readFileSync } from "node:fs";
import {
  createEngine,
  type DeliveryReport,
  isSocketNotifyError,
  MemoryLogger,
  type NotifyOptions,
  parseScan,
  reportExitCode,
  type ScanInput,
} from "@socket-notify/core";
import { expectNoSecrets, FakeClock } from "@socket-notify/core/testing";
import {
  defaultWorkspace,
  type EmulatorRecord,
  type SlackEmulator,
  startEmulator,
  type WorkspaceSpec,
} from "@socket-notify/slack-emulator";
import { webhookPlugin } from "@socket-notify/slack-webhook";
import { afterEach, describe, expect, it } from "vitest";
import { botPlugin } from "./index.js";
import { scan } from "./test-support.js";

const FIXTURE = `${process.env.SOCKET_FIXTURES}/derived__enable_json_report.json`;
/** 8 alerts: 3 medium, 5 low. */
const report8 = (): ScanInput =>
  parseScan(readFileSync(FIXTURE, "utf8"), { source: "derived__enable_json_report.json" });

const BOT = "xoxb-emulator-bot-token";
const REVOKED = "xoxb-emulator-revoked-token";
const NO_CHAT_WRITE = "xoxb-emulator-readonly-token";
const NO_GROUPS_READ = "xoxb-emulator-public-reader-token";
const ALL_TOKENS = [
  BOT,
  REVOKED,
  NO_CHAT_WRITE,
  NO_GROUPS_READ,
  "xoxb-emulator-public-token",
  "xoxp-1234-user-token-abcdef",
  "xapp-1-A123-app-token-abcdef",
];

/** The default workspace plus 440 filler channels and one channel at the end: conversations.list takes 3 pages of 200. */
function bigWorkspace(): WorkspaceSpec {
  const base = defaultWorkspace();
  const filler = Array.from({ length: 440 }, (_, i) => ({
    id: `C5${String(i).padStart(9, "0")}`,
    name: `filler-${i}`,
  }));
  return {
    ...base,
    channels: [...base.channels, ...filler, { id: "C9000000001", name: "zz-late-alerts", members: ["bot"] }],
    tokens: [
      ...(base.tokens ?? []),
      { token: NO_CHAT_WRITE, user: "bot", scopes: ["channels:read", "groups:read"] },
      { token: NO_GROUPS_READ, user: "bot", scopes: ["chat:write", "channels:read"] },
    ],
  };
}

let emu: SlackEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function emulator(): Promise<SlackEmulator> {
  emu = await startEmulator({ workspace: bigWorkspace(), rateLimit: false, workspaceRateLimit: false });
  return emu;
}

interface Run {
  report: DeliveryReport;
  logger: MemoryLogger;
  clock: FakeClock;
}

async function run(
  e: SlackEmulator,
  config: Record<string, unknown>,
  input: ScanInput,
  options: NotifyOptions & { token?: string | null; env?: Record<string, string> } = {},
): Promise<Run> {
  const { token = BOT, env = {}, ...notify } = options;
  const logger = new MemoryLogger();
  // Virtual time for pacing (1/s per channel), backoff and Retry-After; the budget never auto-ends.
  const clock = new FakeClock({ autoAdvance: 60_000 });
  const engine = await createEngine({
    config: { mode: "bot", slack_api_url: e.apiUrl, ...config },
    plugins: [botPlugin],
    env: { ...(token === null ? {} : { SOCKET_SLACK_BOT_TOKEN: token }), ...env },
    logger,
    clock,
  });
  const report = await engine.notify(input, notify);
  return { report, logger, clock };
}

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string; hint?: string }> {
  const err = await p.then(
    () => undefined,
    (x: unknown) => x as Error,
  );
  expect(err, "expected an error").toBeDefined();
  return err!;
}

const calls = (e: SlackEmulator, method: string) => e.records().filter((r) => r.method === method);
const posts = (e: SlackEmulator) => calls(e, "chat.postMessage");
const dest = (r: DeliveryReport, target: string) => {
  const d = r.destinations.find((x) => x.target === target);
  expect(d, `destination ${target}`).toBeDefined();
  return d!;
};
function packagesIn(records: EmulatorRecord[]): string[] {
  const out: string[] = [];
  for (const r of records) {
    for (const b of (r.payload["blocks"] ?? []) as { type: string; text?: { text: string } }[]) {
      const text = b.type === "section" ? (b.text?.text ?? "") : "";
      const m = /\|((?:npm|pypi)\/[^>]+)>/.exec(text);
      // One package entry lists each of its alerts beneath it: one label per alert line.
      if (m) for (let k = (text.match(/^(?:🔴|🟠|🟡|⚪) \*/gmu) ?? []).length; k > 0; k--) out.push(m[1]!);
    }
  }
  return out;
}

describe("the bot token", () => {
  it("missing: sending stops with an error naming SOCKET_SLACK_BOT_TOKEN before any request; a dry run still plans", async () => {
    const e = await emulator();
    const config = {
      mode: "bot",
      slack_api_url: e.apiUrl,
      bot_configs: [{ name: "sec", channels: ["security-alerts"] }],
    };
    const engine = await createEngine({ config, plugins: [botPlugin], env: {}, logger: new MemoryLogger() });
    const dry = await engine.notify(report8(), { dryRun: true });
    expect(dry.destinations[0]).toMatchObject({ target: "#security-alerts", status: "dry-run", alerts: 8 });
    expect(dry.warnings.join("\n")).toMatch(/SOCKET_SLACK_BOT_TOKEN is not set/);

    const err = await rejection(engine.notify(report8()));
    expect(isSocketNotifyError(err)).toBe(true);
    expect(err.message).toMatch(/SOCKET_SLACK_BOT_TOKEN is not set/);
    expect(err.hint).toMatch(/Bot User OAuth Token \(xoxb-/);
    expect(e.records()).toHaveLength(0);
  });

  const wrongKinds: [string, RegExp][] = [
    ["xoxp-1234-user-token-abcdef", /a user token \(xoxp-\)/],
    ["xapp-1-A123-app-token-abcdef", /an app-level token \(xapp-\)/],
    ["not-a-slack-token-at-all", /not a Slack bot token/],
  ];
  for (const [token, kind] of wrongKinds) {
    it(`${token.slice(0, 5)}…: refused at config time, naming what it is and pointing to the Bot User OAuth Token`, async () => {
      const e = await emulator();
      const err = await rejection(
        createEngine({
          config: { mode: "bot", slack_api_url: e.apiUrl, bot_configs: [{ channels: ["ops"] }] },
          plugins: [botPlugin],
          env: { SOCKET_SLACK_BOT_TOKEN: token },
          logger: new MemoryLogger(),
        }),
      );
      expect(isSocketNotifyError(err)).toBe(true);
      expect((err as { code?: string }).code).toBe("config_invalid");
      expect(err.message).toMatch(kind);
      expect(err.message).toMatch(/SOCKET_SLACK_BOT_TOKEN/);
      expect(err.message).toMatch(/Bot User OAuth Token \(xoxb-\)/);
      expectNoSecrets({ error: err }, [token]);
      expect(e.records()).toHaveLength(0);
    });
  }

  it('bot_token as {"env": "VAR"} is read from that variable', async () => {
    const e = await emulator();
    const { report } = await run(
      e,
      { bot_token: { env: "MY_BOT_TOKEN" }, bot_configs: [{ channels: ["ops"] }] },
      report8(),
      { token: null, env: { MY_BOT_TOKEN: BOT } },
    );
    expect(report.destinations[0]).toMatchObject({ status: "sent" });
    expect(posts(e)).toHaveLength(1);
  });

  it("one auth.test per run, before anything is posted, whatever the number of channels and messages", async () => {
    const e = await emulator();
    await run(
      e,
      {
        bot_configs: [{ channels: ["security-alerts", "ops", "general"] }, { channels: ["private-sec"] }],
        max_messages: 3,
      },
      scan(200),
    );
    expect(calls(e, "auth.test")).toHaveLength(1);
    expect(e.records()[0]!.method).toBe("auth.test");
    expect(posts(e).length).toBeGreaterThan(4);
  });

  for (const [what, token, code] of [
    ["revoked", REVOKED, "token_revoked"],
    ["unknown", "xoxb-emulator-unknown-token", "invalid_auth"],
  ] as const) {
    it(`a ${what} token stops the run at auth.test with a clear message (${code}); nothing is posted`, async () => {
      const e = await emulator();
      const err = await rejection(
        run(e, { bot_configs: [{ channels: ["ops", "security-alerts"] }] }, report8(), { token }),
      );
      expect(isSocketNotifyError(err)).toBe(true);
      expect(err.message).toMatch(
        new RegExp(`SOCKET_SLACK_BOT_TOKEN: Slack says ${code}: the bot token does not work`),
      );
      expect(err.hint).toMatch(/Bot User OAuth Token \(xoxb-\)/);
      expect(e.records().map((r) => r.method)).toEqual(["auth.test"]);
      expectNoSecrets({ error: err }, [token]);
    });
  }

  it("a token revoked during the run stops every destination (fatal): later pages are not attempted, with the dead-token hint", async () => {
    const e = await emulator();
    e.fault({ target: { method: "chat.postMessage" }, kind: "status", error: "token_revoked", count: Infinity });
    const { report } = await run(
      e,
      { bot_configs: [{ channels: ["security-alerts"] }, { channels: ["ops"] }], max_messages: 3 },
      scan(200),
    );
    expect(report.destinations.map((d) => d.status)).toEqual(["failed", "failed"]);
    for (const d of report.destinations) {
      expect(d.messages).toBe(3);
      expect(d.error).toMatchObject({ code: "token_revoked" });
      expect(d.error!.hint).toMatch(/the token is dead/);
    }
    // At most the one post already under way per channel; no retries, no later pages.
    expect(posts(e).length).toBeLessThanOrEqual(2);
    expect(report.destinations.flatMap((d) => d.message_results).filter((m) => m.attempts === 0)).toHaveLength(
      6 - posts(e).length,
    );
    expect(reportExitCode(report)).toBe(1);
  });
});

describe("channels: names resolved to IDs with one paginated conversations.list", () => {
  it("names with and without #, any case, and IDs: each lands in its channel; the list is walked once, page by page", async () => {
    const e = await emulator();
    const { report } = await run(
      e,
      { bot_configs: [{ name: "sec", channels: ["security-alerts", "#OPS", "C0000000001", "Zz-Late-Alerts"] }] },
      report8(),
    );
    expect(reportExitCode(report)).toBe(0);
    expect(report.destinations.map((d) => [d.target, d.status])).toEqual([
      ["#security-alerts", "sent"],
      ["#ops", "sent"],
      ["C0000000001", "sent"],
      ["#zz-late-alerts", "sent"],
    ]);
    // 448 channels, 200 per page: zz-late-alerts is on page 3, so the walk takes 3 calls, each with the previous cursor.
    const lists = calls(e, "conversations.list");
    expect(lists).toHaveLength(3);
    expect(lists[0]!.payload["cursor"]).toBeUndefined();
    expect(lists[1]!.payload["cursor"]).toEqual(expect.any(String));
    expect(lists[2]!.payload["cursor"]).toEqual(expect.any(String));
    // Posts go to the resolved IDs.
    expect(
      posts(e)
        .map((r) => r.payload["channel"])
        .sort(),
    ).toEqual(["C0000000001", "C0000000002", "C0000000003", "C9000000001"]);
    for (const id of ["C0000000001", "C0000000002", "C0000000003", "C9000000001"])
      expect(e.messages({ channel: id })).toHaveLength(1);
    expect(report.destinations.map((d) => d.message_results[0]!.channel).sort()).toEqual([
      "C0000000001",
      "C0000000002",
      "C0000000003",
      "C9000000001",
    ]);
  });

  it("a name in capitals that looks like an ID (GENERAL) is still a name", async () => {
    const e = await emulator();
    const { report } = await run(e, { bot_configs: [{ channels: ["GENERAL"] }] }, report8());
    expect(report.destinations[0]).toMatchObject({ target: "#general", status: "sent" });
    expect(posts(e)[0]!.payload["channel"]).toBe("C0000000001");
  });

  it("the walk stops as soon as every name is known", async () => {
    const e = await emulator();
    await run(e, { bot_configs: [{ channels: ["general", "ops"] }] }, report8());
    expect(calls(e, "conversations.list")).toHaveLength(1);
  });

  it("IDs only: no conversations.list at all", async () => {
    const e = await emulator();
    const { report } = await run(e, { bot_configs: [{ channels: ["C0000000002", "G0000000006"] }] }, report8());
    expect(report.destinations.map((d) => d.status)).toEqual(["sent", "sent"]);
    expect(calls(e, "conversations.list")).toHaveLength(0);
    expect(e.messages({ channel: "G0000000006" })).toHaveLength(1);
  });

  it("a name that does not resolve is tried as given, then reported channel_not_found with a hint; the others are sent", async () => {
    const e = await emulator();
    const { report } = await run(e, { bot_configs: [{ channels: ["no-such-channel", "ops"] }] }, report8());
    const bad = dest(report, "#no-such-channel");
    expect(bad).toMatchObject({ status: "failed", error: { code: "channel_not_found" } });
    expect(bad.error!.hint).toMatch(/check the channel name or ID/);
    expect(posts(e).find((r) => r.payload["channel"] === "no-such-channel")).toBeDefined();
    expect(dest(report, "#ops").status).toBe("sent");
    expect(reportExitCode(report)).toBe(1);
  });

  it("without groups:read, public names are still resolved (public_channel listing); private ones by ID", async () => {
    const e = await emulator();
    const { report, logger } = await run(e, { bot_configs: [{ channels: ["ops", "C0000000002"] }] }, report8(), {
      token: NO_GROUPS_READ,
    });
    expect(report.destinations.map((d) => d.status)).toEqual(["sent", "sent"]);
    const lists = calls(e, "conversations.list");
    expect(lists.map((r) => r.error ?? "ok")).toEqual(["missing_scope", "ok"]);
    expect(lists[1]!.payload["types"]).toBe("public_channel");
    expect(posts(e).map((r) => r.payload["channel"])).toContain("C0000000003");
    expect(logger.lines.some((l) => l.level === "warn")).toBe(false);
  });

  it("a channel listed twice in one entry gets one message; the same channel in two entries gets each entry's message", async () => {
    const e = await emulator();
    const { report } = await run(
      e,
      {
        bot_configs: [
          { name: "everything", channels: ["ops", "#ops", "OPS"] },
          { name: "medium-only", channels: ["ops"], severities: ["middle"] },
        ],
      },
      report8(),
    );
    expect(report.destinations.map((d) => [d.route, d.target, d.alerts])).toEqual([
      ["everything", "#ops", 8],
      ["medium-only", "#ops", 3],
    ]);
    const got = e.messages({ channel: "ops" });
    expect(got).toHaveLength(2);
    expect(got.map((r) => packagesIn([r]).length).sort()).toEqual([3, 8]);
  });
});

describe("threads, pages and the delivery report", () => {
  it("300 alerts (a Socket CLI bot config, unchanged): pages within 50 blocks, continuation pages in the first message's thread; channel and ts reported", async () => {
    const e = await emulator();
    const config = {
      bot_configs: [
        { name: "security", channels: ["security-alerts", "#ops", "C0000000001"] },
        { name: "critical", channels: ["private-sec"], severities: ["critical"] },
      ],
      max_messages: 20,
    };
    const { report } = await run(e, config, scan(300));
    expect(reportExitCode(report)).toBe(0);
    for (const [target, id, alerts] of [
      ["#security-alerts", "C0000000002", 300],
      ["#ops", "C0000000003", 300],
      ["C0000000001", "C0000000001", 300],
      ["#private-sec", "G0000000006", 75],
    ] as const) {
      const d = dest(report, target);
      expect(d).toMatchObject({ status: "sent", alerts, omitted: 0 });
      expect(d.messages).toBeGreaterThan(1);
      const got = e.messages({ channel: id });
      expect(got).toHaveLength(d.messages);
      // Every alert once, within Slack's limits.
      expect(new Set(packagesIn(got)).size).toBe(alerts);
      expect(packagesIn(got)).toHaveLength(alerts);
      for (const r of got) expect((r.payload["blocks"] as unknown[]).length).toBeLessThanOrEqual(50);
      // Page 1 in the channel, the rest in its thread, in order.
      const [first, ...rest] = got;
      expect(first!.threadTs).toBeUndefined();
      for (const r of rest) expect(r.threadTs).toBe(first!.ts);
      const headers = got.map((r) => (r.payload["blocks"] as { text: { text: string } }[])[0]!.text.text);
      headers.forEach((h, i) => expect(h).toContain(`part ${i + 1} of ${got.length}`));
      // The report gives channel and ts of each message, as Slack returned them.
      expect(d.message_results.map((m) => [m.channel, m.ts])).toEqual(got.map((r) => [id, r.ts]));
    }
  });
});

describe("Slack's errors become results with actionable hints", () => {
  it("not_in_channel fails alone with the invite hint (exit 1); the other channels are sent", async () => {
    const e = await emulator();
    const { report } = await run(
      e,
      { bot_configs: [{ channels: ["dev", "security-alerts"] }, { channels: ["ops"] }] },
      report8(),
    );
    const dev = dest(report, "#dev");
    expect(dev).toMatchObject({ status: "failed", error: { code: "not_in_channel" } });
    expect(dev.error!.hint).toBe(
      "invite the app: /invite @bot in #dev, or grant the chat:write.public scope (public channels)",
    );
    expect(dest(report, "#security-alerts").status).toBe("sent");
    expect(dest(report, "#ops").status).toBe("sent");
    expect(reportExitCode(report)).toBe(1);
  });

  it("an archived channel: is_archived with a hint; a private channel the bot is not in: channel_not_found", async () => {
    const e = await emulator();
    const { report } = await run(e, { bot_configs: [{ channels: ["old-alerts", "G0000000007"] }] }, report8());
    expect(dest(report, "#old-alerts")).toMatchObject({ status: "failed", error: { code: "is_archived" } });
    expect(dest(report, "#old-alerts").error!.hint).toMatch(/unarchive #old-alerts/);
    expect(dest(report, "G0000000007")).toMatchObject({ status: "failed", error: { code: "channel_not_found" } });
    expect(dest(report, "G0000000007").error!.hint).toMatch(/invited/);
  });

  it("missing_scope names the scope to add", async () => {
    const e = await emulator();
    const { report } = await run(e, { bot_configs: [{ channels: ["ops"] }] }, report8(), { token: NO_CHAT_WRITE });
    const d = report.destinations[0]!;
    expect(d).toMatchObject({ status: "failed", error: { code: "missing_scope" } });
    expect(d.error!.message).toMatch(/needs chat:write/);
    expect(d.error!.hint).toMatch(/add the chat:write scope/);
  });

  it("invalid_blocks is reported as a bug in socket-notify, not retried", async () => {
    const e = await emulator();
    e.fault({ target: { method: "chat.postMessage" }, kind: "status", error: "invalid_blocks", count: 1 });
    const { report } = await run(e, { bot_configs: [{ channels: ["ops"] }] }, report8());
    expect(report.destinations[0]).toMatchObject({ status: "failed", error: { code: "invalid_blocks" } });
    expect(report.destinations[0]!.error!.hint).toMatch(/this is a bug in socket-notify/);
    expect(posts(e)).toHaveLength(1);
  });

  it("ratelimited (HTTP 429): waits Retry-After, retries, delivers", async () => {
    const e = await emulator();
    e.fault({ target: { method: "chat.postMessage", channel: "ops" }, kind: "ratelimit", retryAfter: 7, count: 2 });
    const { report, clock } = await run(e, { bot_configs: [{ channels: ["ops"] }] }, report8());
    expect(report.destinations[0]!.message_results[0]).toMatchObject({ status: "sent", attempts: 3 });
    expect(posts(e).map((r) => r.status)).toEqual([429, 429, 200]);
    expect(clock.sleeps.filter((s) => s.ms === 7000)).toHaveLength(2);
  });

  it("HTTP 5xx, platform internal_error and a reset are retried with backoff and delivered", async () => {
    const e = await emulator();
    e.fault({ target: { method: "chat.postMessage" }, kind: "status", status: 503, count: 1 });
    e.fault({ target: { method: "chat.postMessage" }, kind: "status", error: "internal_error", count: 1 });
    e.fault({ target: { method: "chat.postMessage" }, kind: "reset", count: 1 });
    const { report } = await run(e, { bot_configs: [{ channels: ["ops"] }] }, report8());
    expect(report.destinations[0]!.message_results[0]).toMatchObject({ status: "sent", attempts: 4 });
    expect(posts(e).map((r) => [r.status, r.error ?? ""])).toEqual([
      [503, "service_unavailable"],
      [200, "internal_error"],
      [0, ""],
      [200, ""],
    ]);
    expect(e.messages({ channel: "ops" })).toHaveLength(1);
  });

  it("a hang hits the request timeout and is retried; the report flags a possible duplicate", async () => {
    const e = await emulator();
    e.fault({ target: { method: "chat.postMessage" }, kind: "hang", count: 1 });
    // 1 s, not less: the retry after the hang must itself answer in time on a loaded CI machine.
    const { report } = await run(e, { bot_configs: [{ channels: ["ops"] }], request_timeout: 1 }, report8());
    expect(report.destinations[0]!.message_results[0]).toMatchObject({
      status: "sent",
      attempts: 2,
      possible_duplicate: true,
    });
  });

  it("a per-request timeout above the config's (--request-timeout) is the one the SDK waits for", async () => {
    const e = await emulator();
    // Slack answers after 600 ms: too slow for the config's 0.2 s, in time for the run's 5 s.
    e.fault({ target: { method: "chat.postMessage" }, kind: "latency", ms: 600 });
    const { report } = await run(e, { bot_configs: [{ channels: ["ops"] }], request_timeout: 0.2 }, report8(), {
      requestTimeoutMs: 5000,
    });
    expect(report.destinations[0]!.message_results[0]).toMatchObject({ status: "sent", attempts: 1 });
    expect(report.destinations[0]!.message_results[0]!.possible_duplicate).toBeFalsy();
    expect(e.messages({ channel: "ops" })).toHaveLength(1);
  });

  it("a channel that always hangs fails with `timeout`; the other channel is unaffected", async () => {
    const e = await emulator();
    e.fault({ target: { method: "chat.postMessage", channel: "ops" }, kind: "hang", count: Infinity });
    const { report } = await run(
      e,
      { bot_configs: [{ channels: ["ops", "general"] }], request_timeout: 0.1 },
      report8(),
    );
    expect(dest(report, "#ops")).toMatchObject({ status: "failed", error: { code: "timeout" } });
    expect(dest(report, "#general").status).toBe("sent");
  });
});

describe("delivery across channels", () => {
  it("is concurrent: a slow channel does not hold back the others", async () => {
    const e = await emulator();
    // The first post to #ops takes 400 ms; #general's 3 pages go out meanwhile.
    e.fault({ target: { method: "chat.postMessage", channel: "ops" }, kind: "latency", ms: 400, count: 1 });
    await run(e, { bot_configs: [{ channels: ["ops", "general"] }], max_messages: 3 }, scan(200));
    const order = posts(e).map((r) => r.channelName);
    expect(order.filter((c) => c === "general")).toHaveLength(3);
    expect(order.indexOf("ops")).toBeGreaterThan(order.lastIndexOf("general"));
  });

  it("is paced per channel at Slack's 1 message per second (virtual time)", async () => {
    const e = await emulator();
    const { clock } = await run(e, { bot_configs: [{ channels: ["ops"] }], max_messages: 4 }, scan(300));
    expect(posts(e)).toHaveLength(4);
    // Three waits for the channel's token between four posts, about a second each.
    const pacing = clock.sleeps.filter((s) => s.ms > 0 && s.ms <= 1000);
    expect(pacing.length).toBeGreaterThanOrEqual(3);
    expect(clock.elapsed).toBeGreaterThanOrEqual(2900);
  });
});

describe("bot and webhook modes do not interfere", () => {
  it("one config with both url and bot_configs: `mode` picks exactly one notifier", async () => {
    const e = await emulator();
    const both = { url: e.webhookUrl("security"), bot_configs: [{ channels: ["ops"] }], slack_api_url: e.apiUrl };
    const env = { SOCKET_SLACK_BOT_TOKEN: BOT };
    const plugins = [webhookPlugin, botPlugin];

    const bot = await (
      await createEngine({
        config: { ...both, mode: "bot" },
        plugins,
        env,
        clock: new FakeClock({ autoAdvance: 60_000 }),
      })
    ).notify(report8());
    expect(bot.mode).toBe("bot");
    expect(e.records().filter((r) => r.kind === "webhook")).toHaveLength(0);
    expect(e.messages({ channel: "ops" })).toHaveLength(1);

    e.reset();
    const hook = await (
      await createEngine({ config: both, plugins, env, clock: new FakeClock({ autoAdvance: 60_000 }) })
    ).notify(report8());
    expect(hook.mode).toBe("webhook");
    expect(e.records().filter((r) => r.kind === "api")).toHaveLength(0);
    expect(e.messages({ hook: "security" })).toHaveLength(1);
  });
});

describe("no token in any output", () => {
  it("reports, log lines (debug and SDK lines included), errors and plans show no token", async () => {
    const e = await emulator();
    e.fault({ target: { method: "chat.postMessage", channel: "ops" }, kind: "ratelimit", retryAfter: 1, count: 1 });
    e.fault({ target: { method: "chat.postMessage", channel: "general" }, kind: "hang", count: 1 });
    e.fault({
      target: { method: "chat.postMessage", channel: "security-alerts" },
      kind: "status",
      status: 500,
      count: 1,
    });
    const config = {
      bot_configs: [{ channels: ["ops", "general", "security-alerts", "dev", "no-such-channel", "old-alerts"] }],
      request_timeout: 0.2,
    };
    const { report, logger } = await run(e, config, report8());
    expect(reportExitCode(report)).toBe(1);
    expect(logger.lines.length).toBeGreaterThan(0);
    expectNoSecrets(
      { report, reportJson: JSON.stringify(report, null, 2), log: logger.lines, records: e.records() },
      ALL_TOKENS,
    );

    const errors: unknown[] = [];
    for (const token of [REVOKED, "xoxp-1234-user-token-abcdef", "xapp-1-A123-app-token-abcdef"]) {
      errors.push(await rejection(run(e, config, report8(), { token })));
    }
    const engine = await createEngine({
      config: { mode: "bot", slack_api_url: e.apiUrl, ...config },
      plugins: [botPlugin],
      env: { SOCKET_SLACK_BOT_TOKEN: BOT },
    });
    expectNoSecrets(
      { errors, plan: engine.plan(report8()), dryRun: await engine.notify(report8(), { dryRun: true }) },
      ALL_TOKENS,
    );
  });
});
