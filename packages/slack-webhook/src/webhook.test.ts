/**
 * The webhook notifier end to end: createEngine + webhookPlugin against the Slack emulator
 * over real loopback HTTP. Assertions are on what Slack received and on the delivery report.
 */
import { readFileSync } from "node:fs";
import {
  type Clock,
  createEngine,
  type DeliveryReport,
  type EngineOptions,
  MemoryLogger,
  type NotifyOptions,
  parseScan,
  reportExitCode,
  type ScanInput,
} from "@socket-notify/core";
import { systemClock } from "@socket-notify/core/internal";
import {
  type EmulatorOptions,
  type EmulatorRecord,
  type SlackEmulator,
  startEmulator,
  type WorkspaceSpec,
} from "@socket-notify/slack-emulator";
import { afterEach, describe, expect, it } from "vitest";
import { webhookPlugin } from "./index.js";
import { expectNoSecrets, FakeClock } from "@socket-notify/core/testing";
import { scan } from "./test-support.js";

const FIXTURE = `${process.env.SOCKET_FIXTURES}/derived__enable_json_report.json`;
/** 8 alerts: 3 medium ("middle": 2 usesEval, 1 networkAccess), 5 low; 3 block, 5 warn. */
const report8 = (): ScanInput =>
  parseScan(readFileSync(FIXTURE, "utf8"), { source: "derived__enable_json_report.json" });

let emu: SlackEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function emulator(options: EmulatorOptions = {}): Promise<SlackEmulator> {
  emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false, ...options });
  return emu;
}

interface Run {
  report: DeliveryReport;
  logger: MemoryLogger;
  clock: FakeClock;
  planned: { route: string; blocks: unknown[] }[];
}

async function run(
  config: unknown,
  input: ScanInput,
  options: NotifyOptions & { env?: EngineOptions["env"]; clock?: Clock } = {},
): Promise<Run> {
  const { env = {}, clock, ...notify } = options;
  const logger = new MemoryLogger();
  // Virtual time for pacing, backoff and Retry-After; the run's budget (120 s) never auto-ends.
  const skip = new FakeClock({ autoAdvance: 60_000 });
  const engine = await createEngine({ config, plugins: [webhookPlugin], env, logger, clock: clock ?? skip });
  const planned = engine
    .plan(input, notify)
    .destinations.flatMap((d) =>
      d.messages.map((m) => ({ route: d.destination.route, blocks: m.payload.blocks as unknown[] })),
    );
  const report = await engine.notify(input, notify);
  return { report, logger, clock: skip, planned };
}

async function configError(
  config: unknown,
  env: Record<string, string> = {},
): Promise<Error & { code?: string; hint?: string }> {
  const err = await createEngine({ config, plugins: [webhookPlugin], env, logger: new MemoryLogger() }).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err, "expected a config error").toBeDefined();
  return err!;
}

/** Package labels (`npm/pkg-0007@1.0.0`, `pypi/x@1`) of the alerts shown in received messages, once per alert. */
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

const dest = (r: DeliveryReport, route: string) => {
  const d = r.destinations.find((x) => x.route === route);
  expect(d, `destination ${route}`).toBeDefined();
  return d!;
};

describe("Socket CLI webhook configs (reference §1.3), unchanged", () => {
  it("url as a string, no url_configs: the webhook `default` gets every alert (the Socket CLI sent nothing: B1)", async () => {
    const e = await emulator();
    const { report } = await run({ url: e.webhookUrl("security") }, report8());
    expect(reportExitCode(report)).toBe(0);
    expect(report.destinations).toMatchObject([
      { route: "default", target: "default", alerts: 8, status: "sent", delivered: 1 },
    ]);
    const got = e.messages();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ hook: "security", channelName: "security-alerts" });
    expect(packagesIn(got)).toHaveLength(8);
  });

  it("url as a string with url_configs.default filters: severities `middle` matches Socket's medium alerts", async () => {
    const e = await emulator();
    const { report } = await run(
      { url: e.webhookUrl("security"), url_configs: { default: { severities: ["middle"] } } },
      report8(),
    );
    expect(dest(report, "default")).toMatchObject({ alerts: 3, excluded: 5, status: "sent" });
    const texts = e
      .messages()
      .flatMap((r) =>
        (r.payload["blocks"] as { type: string; text?: { text: string } }[]).filter((b) => b.type === "section"),
      );
    expect(packagesIn(e.messages())).toHaveLength(3);
    expect(texts.filter((b) => /Low ·/.test(b.text!.text))).toHaveLength(0);
  });

  it("url as a list of strings: webhook_0, webhook_1 each with their own url_configs; one without an entry gets everything", async () => {
    const e = await emulator();
    const { report } = await run(
      {
        url: [e.webhookUrl("security"), e.webhookUrl("ops"), e.webhookUrl("dev")],
        url_configs: { webhook_0: { alert_types: ["usesEval"] }, webhook_1: { severities: ["low"] } },
      },
      report8(),
    );
    expect(reportExitCode(report)).toBe(0);
    expect(report.destinations.map((d) => [d.route, d.alerts, d.status])).toEqual([
      ["webhook_0", 2, "sent"],
      ["webhook_1", 5, "sent"],
      ["webhook_2", 8, "sent"],
    ]);
    expect(packagesIn(e.messages({ hook: "security" }))).toHaveLength(2);
    expect(packagesIn(e.messages({ hook: "ops" }))).toHaveLength(5);
    expect(packagesIn(e.messages({ hook: "dev" }))).toHaveLength(8);
  });

  it("url as a list of {url, name}: url_configs keyed by name; an unnamed item is webhook_<i>", async () => {
    const e = await emulator();
    const { report } = await run(
      {
        url: [{ url: e.webhookUrl("security"), name: "security" }, { url: e.webhookUrl("ops") }],
        url_configs: {
          security: { alert_types: ["usesEval", "filesystemAccess"] },
          webhook_1: { severities: ["middle"] },
        },
      },
      report8(),
    );
    expect(report.destinations.map((d) => [d.route, d.target, d.alerts])).toEqual([
      ["security", "security", 3],
      ["webhook_1", "webhook_1", 3],
    ]);
    expect(e.messages({ hook: "security" })).toHaveLength(1);
    expect(e.messages({ hook: "ops" })).toHaveLength(1);
  });

  it("url_configs with repos: a webhook for another repository is skipped, not failed", async () => {
    const e = await emulator();
    const { report } = await run(
      {
        url: [
          { url: e.webhookUrl("security"), name: "mine" },
          { url: e.webhookUrl("ops"), name: "theirs" },
        ],
        url_configs: { mine: { repos: ["basic-python"] }, theirs: { repos: ["acme/other"] } },
      },
      report8(),
    );
    expect(dest(report, "mine").status).toBe("sent");
    expect(dest(report, "theirs")).toMatchObject({ status: "skipped", alerts: 0, excluded: 8 });
    expect(e.messages({ hook: "ops" })).toHaveLength(0);
    expect(reportExitCode(report)).toBe(0);
  });

  it('a URL given as {"env": "VAR"} is read from the environment; an unset variable is a config error naming it', async () => {
    const e = await emulator();
    const { report } = await run({ url: [{ url: { env: "SEC_HOOK" }, name: "security" }] }, report8(), {
      env: { SEC_HOOK: e.webhookUrl("security") },
    });
    expect(dest(report, "security").status).toBe("sent");
    expect(e.messages({ hook: "security" })).toHaveLength(1);

    const err = await configError({ url: { env: "MISSING_HOOK" } });
    expect(err.message).toContain("MISSING_HOOK");
  });

  it("a url_configs key that names no webhook is a config error that lists the names and suggests one", async () => {
    const e = await emulator();
    const err = await configError({
      url: [{ url: e.webhookUrl("security"), name: "security" }],
      url_configs: { securty: {} },
    });
    expect(err.message).toMatch(/no webhook is named "securty" \(did you mean "security"\?\)/);
    expect(err.hint).toMatch(/webhook names/);
  });

  it("two webhooks with the same name, a missing url and a single {url, name} object are config errors", async () => {
    const e = await emulator();
    const hook = e.webhookUrl("security");
    expect(
      (
        await configError({
          url: [
            { url: hook, name: "a" },
            { url: e.webhookUrl("ops"), name: "a" },
          ],
        })
      ).message,
    ).toMatch(/two webhooks are named "a"/);
    expect((await configError({ url_configs: {} })).message).toMatch(/needs at least one incoming webhook URL/);
    // The Socket CLI rejects this shape too ("Invalid URL config type"); the error must not echo the URL.
    const single = await configError({ url: { url: hook, name: "security" } });
    expect(single.message).toMatch(
      /url: expected a webhook URL, a list of URLs, or a list of \{"url": …, "name": …\} objects/,
    );
    expectNoSecrets({ error: single }, [hook]);
  });
});

describe("URL checks at config time, naming the webhook", () => {
  const secret = "xQ9secretPART0000000000";
  const cases: [string, string, RegExp][] = [
    [
      "plain http to Slack",
      `http://hooks.slack.com/services/T0001/B0001/${secret}`,
      /webhook "security" URL must use https/,
    ],
    [
      "another host",
      `https://hooks.example.com/services/T0001/B0001/${secret}`,
      /webhook "security" URL host hooks\.example\.com is not hooks\.slack\.com or hooks\.slack-gov\.com/,
    ],
    [
      "a path outside /services/",
      `https://hooks.slack.com/workflows/T0001/A0001/${secret}`,
      /webhook "security" URL path must start with \/services\//,
    ],
    ["not a URL", `hooks.slack.com/services/T0001/B0001/${secret}`, /webhook "security" URL is not a valid URL/],
    ["plain http to a non-loopback address", `http://10.0.0.5/services/T0001/B0001/${secret}`, /must use https/],
  ];
  for (const [what, url, message] of cases) {
    it(`refuses ${what}, without printing the URL`, async () => {
      const err = await configError({ url: [{ url, name: "security" }] });
      expect(err.message).toMatch(message);
      expect(err.message).toContain("url[0]");
      expectNoSecrets({ error: err }, [url, secret]);
    });
  }

  it("accepts hooks.slack.com and hooks.slack-gov.com over https, and http only on loopback", async () => {
    const urls = [
      `https://hooks.slack.com/services/T0001/B0001/${secret}`,
      `https://hooks.slack-gov.com/services/T0001/B0001/${secret}`,
      `http://127.0.0.1:9/services/T0001/B0001/${secret}`,
      `http://localhost:9/services/T0001/B0001/${secret}`,
      `http://[::1]:9/services/T0001/B0001/${secret}`,
    ];
    const engine = await createEngine({
      config: { url: urls },
      plugins: [webhookPlugin],
      env: {},
      logger: new MemoryLogger(),
    });
    const report = await engine.notify(report8(), { dryRun: true });
    expect(report.destinations.map((d) => d.status)).toEqual(["dry-run", "dry-run", "dry-run", "dry-run", "dry-run"]);
    expectNoSecrets({ report, plan: engine.plan(report8()), destinations: engine.destinations }, [secret]);
  });
});

describe("Slack's webhook errors become results with a fix hint", () => {
  const bug = /this is a bug in socket-notify/;
  const cases: [status: number, error: string, hint: RegExp][] = [
    [400, "invalid_payload", bug],
    [400, "invalid_blocks", bug],
    [400, "no_text", bug],
    [403, "action_prohibited", /admin/],
    [404, "channel_not_found", /the webhook was removed: create a new one/],
    [404, "no_service", /the webhook was removed: create a new one/],
    [410, "channel_is_archived", /unarchive the channel/],
  ];
  for (const [status, error, hint] of cases) {
    it(`${status} ${error}: failed, not retried, hint, exit code 1`, async () => {
      const e = await emulator();
      e.fault({ target: { hook: "security" }, kind: "status", status, error, count: 1 });
      const { report } = await run({ url: [{ url: e.webhookUrl("security"), name: "security" }] }, report8());
      const d = dest(report, "security");
      expect(d.status).toBe("failed");
      expect(d.error).toMatchObject({ code: error });
      expect(d.error!.message).toContain(`HTTP ${status} ${error}`);
      expect(d.error!.hint).toMatch(hint);
      expect(d.message_results[0]).toMatchObject({ status: "failed", attempts: 1 });
      expect(e.records()).toHaveLength(1);
      expect(reportExitCode(report)).toBe(1);
    });
  }

  it("a removed webhook (the emulator no longer knows its secret) fails with no_service", async () => {
    const e = await emulator();
    const removed = e.webhookUrl("security").replace(/[^/]+$/, "removedhooksecret9999");
    const { report } = await run({ url: removed }, report8());
    expect(report.destinations[0]).toMatchObject({ status: "failed", error: { code: "no_service" } });
    expect(report.destinations[0]!.error!.hint).toMatch(/the webhook was removed: create a new one/);
  });

  it("an archived channel (hook configured so in the workspace) fails with 410 channel_is_archived", async () => {
    const ws: WorkspaceSpec = {
      channels: [{ id: "C0000000008", name: "old-alerts", archived: true }],
      hooks: [{ name: "old", id: "B0009", secret: "emulatorhooksecret0009", channel: "old-alerts" }],
    };
    const e = await emulator({ workspace: ws });
    const { report } = await run({ url: e.webhookUrl("old") }, report8());
    expect(report.destinations[0]).toMatchObject({ status: "failed", error: { code: "channel_is_archived" } });
  });
});

describe("retries: 429 waits Retry-After, 5xx / resets / timeouts back off", () => {
  const one = (e: SlackEmulator) => ({ url: [{ url: e.webhookUrl("security"), name: "security" }] });

  it("429 with Retry-After: waits that long, retries, delivers", async () => {
    const e = await emulator();
    e.fault({ target: { hook: "security" }, kind: "ratelimit", retryAfter: 3, count: 2 });
    const { report, clock } = await run(one(e), report8());
    expect(dest(report, "security")).toMatchObject({ status: "sent", delivered: 1 });
    expect(report.destinations[0]!.message_results[0]!.attempts).toBe(3);
    expect(e.records().map((r) => r.status)).toEqual([429, 429, 200]);
    expect(clock.sleeps.filter((z) => z.ms === 3000)).toHaveLength(2);
    expect(e.messages()).toHaveLength(1);
  });

  it("5xx twice, then delivered; a reset connection is retried too", async () => {
    const e = await emulator();
    e.fault({ target: { hook: "security" }, kind: "status", status: 503, count: 1 });
    e.fault({ target: { hook: "security" }, kind: "reset", count: 1 });
    e.fault({ target: { hook: "security" }, kind: "status", status: 500, count: 1 });
    const { report } = await run(one(e), report8());
    expect(report.destinations[0]).toMatchObject({ status: "sent" });
    expect(report.destinations[0]!.message_results[0]!.attempts).toBe(4);
    expect(e.records().map((r) => r.status)).toEqual([503, 0, 500, 200]);
    expect(e.messages()).toHaveLength(1);
  });

  it("5xx that never stops: fails after the retry policy's attempts with a server error", async () => {
    const e = await emulator();
    e.fault({ target: { hook: "security" }, kind: "status", status: 500, count: Infinity });
    const { report } = await run(one(e), report8());
    expect(report.destinations[0]).toMatchObject({ status: "failed", error: { code: "internal_error" } });
    expect(report.destinations[0]!.error!.message).toMatch(/server error \(HTTP 500/);
    expect(e.records()).toHaveLength(4);
    expect(reportExitCode(report)).toBe(1);
  });

  it("a hang hits the request timeout, is retried and delivered, and the report flags a possible duplicate", async () => {
    const e = await emulator();
    e.fault({ target: { hook: "security" }, kind: "hang", count: 1 });
    // 1 s, not less: the retry after the hang must itself answer in time on a loaded CI machine.
    const { report } = await run({ ...one(e), request_timeout: 1 }, report8());
    expect(report.destinations[0]!.message_results[0]).toMatchObject({
      status: "sent",
      attempts: 2,
      possible_duplicate: true,
    });
    expect(e.messages()).toHaveLength(1);
  });

  it("a webhook that always hangs fails with `timeout` after the retries", async () => {
    const e = await emulator();
    e.fault({ target: { hook: "security" }, kind: "hang", count: Infinity });
    const { report } = await run({ ...one(e), request_timeout: 0.1 }, report8());
    expect(report.destinations[0]).toMatchObject({ status: "failed", error: { code: "timeout" } });
    expect(report.destinations[0]!.error!.message).toMatch(/no response within 0\.1 s/);
    expect(report.destinations[0]!.message_results[0]!.attempts).toBe(4);
    expect(reportExitCode(report)).toBe(1);
  });

  it("the run's time budget (`timeout`) ends a hanging delivery: CI never hangs", async () => {
    const e = await emulator();
    e.fault({ target: { hook: "security" }, kind: "hang", count: Infinity });
    // Real clock: the budget (0.5 s) must fire long before the request timeout (30 s).
    const { report } = await run({ ...one(e), timeout: 0.5, request_timeout: 30 }, report8(), { clock: systemClock });
    expect(report.destinations[0]).toMatchObject({ status: "failed", error: { code: "timeout" } });
    expect(report.destinations[0]!.error!.message).toMatch(/time budget/);
    expect(report.destinations[0]!.error!.hint).toMatch(/--timeout|outbox/);
  });
});

describe("one failing webhook never stops the others", () => {
  it("three webhooks with several pages each: the removed one fails alone, the others get every page in order", async () => {
    const e = await emulator();
    const removed = e.webhookUrl("ops").replace(/[^/]+$/, "removedhooksecret9999");
    const config = {
      url: [
        { url: e.webhookUrl("security"), name: "security" },
        { url: removed, name: "ops" },
        { url: e.webhookUrl("dev"), name: "dev" },
      ],
      max_messages: 10,
    };
    const input = scan(150);
    const { report, planned } = await run(config, input);
    expect(reportExitCode(report)).toBe(1);
    const ops = dest(report, "ops");
    expect(ops.status).toBe("failed");
    expect(ops.delivered).toBe(0);
    expect(ops.error).toMatchObject({ code: "no_service" });
    expect(ops.error!.hint).toMatch(/the webhook was removed: create a new one/);
    // Later pages of the removed webhook are reported, not attempted.
    expect(e.records().filter((r) => r.kind === "webhook" && r.hook === undefined)).toHaveLength(1);
    expect(ops.message_results.every((m) => m.status === "failed")).toBe(true);
    for (const [route, hook] of [
      ["security", "security"],
      ["dev", "dev"],
    ] as const) {
      const d = dest(report, route);
      expect(d.messages).toBeGreaterThan(1);
      expect(d).toMatchObject({ status: "sent", delivered: d.messages });
      expect(e.messages({ hook }).map((r) => r.payload["blocks"])).toEqual(
        planned.filter((p) => p.route === route).map((p) => p.blocks),
      );
    }
  });
});

describe("volume: messages stay within Slack's limits and arrive in order", () => {
  const check = (records: EmulatorRecord[]) => {
    for (const r of records) {
      const blocks = r.payload["blocks"] as { type: string }[];
      expect(blocks.length).toBeLessThanOrEqual(50);
      expect(String(r.payload["text"]).length).toBeLessThanOrEqual(3000);
    }
  };

  it("25 alerts (more than the Socket CLI's 24-alert ceiling, B11) arrive whole, in order", async () => {
    const e = await emulator();
    const { report, planned } = await run({ url: e.webhookUrl("security") }, scan(25));
    expect(reportExitCode(report)).toBe(0);
    const got = e.messages({ hook: "security" });
    expect(e.records().every((r) => r.ok)).toBe(true);
    check(got);
    expect(got.map((r) => r.payload["blocks"])).toEqual(planned.map((p) => p.blocks));
    expect(new Set(packagesIn(got)).size).toBe(25);
    expect(report.destinations[0]).toMatchObject({ alerts: 25, omitted: 0, status: "sent", delivered: got.length });
  });

  it("500 alerts with max_messages 100: every alert arrives once, pages numbered in order", async () => {
    const e = await emulator();
    const { report, planned } = await run({ url: e.webhookUrl("security"), max_messages: 100 }, scan(500));
    expect(reportExitCode(report)).toBe(0);
    const got = e.messages({ hook: "security" });
    check(got);
    expect(got.length).toBe(planned.length);
    expect(got.map((r) => r.payload["blocks"])).toEqual(planned.map((p) => p.blocks));
    const pkgs = packagesIn(got);
    expect(pkgs).toHaveLength(500);
    expect(new Set(pkgs).size).toBe(500);
    const headers = got.map((r) => (r.payload["blocks"] as { text: { text: string } }[])[0]!.text.text);
    headers.forEach((h, i) => expect(h).toContain(`part ${i + 1} of ${got.length}`));
  });

  it("500 alerts with the default max_messages: 5 messages, the last counts what did not fit", async () => {
    const e = await emulator();
    const { report } = await run({ url: e.webhookUrl("security") }, scan(500));
    const got = e.messages({ hook: "security" });
    expect(got).toHaveLength(5);
    check(got);
    const d = report.destinations[0]!;
    expect(d.omitted).toBe(500 - packagesIn(got).length);
    expect(d.omitted).toBeGreaterThan(0);
    expect(JSON.stringify(got[4]!.payload["blocks"])).toContain(`${d.omitted} more alerts not shown`);
  });

  it("a 60-alert report with a Socket CLI config: every routed alert reaches its webhook", async () => {
    const e = await emulator();
    const config = {
      url: [
        { url: e.webhookUrl("security"), name: "security" },
        { url: e.webhookUrl("ops"), name: "ops" },
      ],
      url_configs: { security: { severities: ["critical", "high"] }, ops: {} },
    };
    const { report } = await run(config, scan(60));
    expect(reportExitCode(report)).toBe(0);
    expect(new Set(packagesIn(e.messages({ hook: "security" }))).size).toBe(30);
    expect(new Set(packagesIn(e.messages({ hook: "ops" }))).size).toBe(60);
    expect(report.destinations.map((d) => [d.route, d.alerts, d.omitted])).toEqual([
      ["security", 30, 0],
      ["ops", 60, 0],
    ]);
  });

  it("paced at Slack's 1 message per second per webhook: the emulator's real rate limit never answers 429", async () => {
    // Real clock and the emulator's default limiter (1/s, burst 3): 4 messages at once would get
    // a 429 for the 4th. The one test here that takes seconds (about 3).
    const e = await emulator({ rateLimit: { perSecond: 1, burst: 3 } });
    const { report } = await run({ url: e.webhookUrl("security"), max_messages: 4 }, scan(200), { clock: systemClock });
    expect(report.destinations[0]).toMatchObject({ messages: 4, delivered: 4, status: "sent" });
    expect(e.records().map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });
});

describe("no webhook URL in any output", () => {
  it("reports, log lines (debug included) and errors of a run with failures show no URL or hook secret", async () => {
    const e = await emulator();
    const good = e.webhookUrl("security");
    const slow = e.webhookUrl("ops");
    const removed = e.webhookUrl("dev").replace(/[^/]+$/, "removedhooksecret9999");
    e.fault({ target: { hook: "security" }, kind: "ratelimit", retryAfter: 1, count: 1 });
    e.fault({ target: { hook: "security" }, kind: "status", status: 400, error: "invalid_blocks", count: 1 });
    e.fault({ target: { hook: "ops" }, kind: "hang", count: 1 });
    e.fault({ target: { hook: "ops" }, kind: "reset", count: 1 });
    const secrets = [good, slow, removed, "emulatorhooksecret0001", "emulatorhooksecret0002", "removedhooksecret9999"];
    const config = {
      url: [
        { url: good, name: "security" },
        { url: { env: "OPS_HOOK" }, name: "ops" },
        { url: removed, name: "dev" },
      ],
      request_timeout: 0.2,
    };
    const env = { OPS_HOOK: slow };
    const { report, logger } = await run(config, report8(), { env });
    expect(report.destinations.map((d) => d.status)).toEqual(["failed", "sent", "failed"]);
    expect(logger.lines.length).toBeGreaterThan(0);
    expectNoSecrets({ report, reportJson: JSON.stringify(report, null, 2), log: logger.lines }, secrets);

    const engine = await createEngine({ config, plugins: [webhookPlugin], env, logger: new MemoryLogger() });
    expectNoSecrets(
      {
        plan: engine.plan(report8()),
        destinations: engine.destinations,
        dryRun: await engine.notify(report8(), { dryRun: true }),
      },
      secrets,
    );
    for (const d of engine.destinations)
      expect(String((d.address as { url: unknown }).url)).toMatch(/^127\.0\.0\.1:\d+\/services\/T…\/B…\/\*\*\*\*$/);
  });
});
