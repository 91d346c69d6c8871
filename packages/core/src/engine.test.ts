/**
 * The engine end to end over loopback HTTP: the real webhook notifier against the Slack
 * emulator, on a fake clock (pacing happens in virtual time; real requests still run).
 */
import { defaultWorkspace, type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { webhookPlugin } from "@socket-notify/slack-webhook";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine } from "./engine.js";
import { readScanFile } from "./input/parse.js";
import { MemoryLogger } from "./logger.js";
import { type NotifierPlugin } from "./contract/plugin.js";
import { reportExitCode } from "./report.js";
import { expectNoSecrets, FakeClock } from "./testing/index.js";

const FIXTURE = `${process.env.SOCKET_FIXTURES}/derived__enable_json_report.json`;
// Built against core's dist; same contract (see config.test.ts).
const plugins = [webhookPlugin] as unknown as NotifierPlugin[];

let emu: SlackEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe("engine + webhook notifier + emulator", () => {
  it("routes the fixture to two webhooks by their filters, paced in virtual time, with no secret in the report or logs", async () => {
    emu = await startEmulator({ port: 0, rateLimit: false, workspaceRateLimit: false });
    const security = emu.webhookUrl("security");
    const ops = emu.webhookUrl("ops");
    const logger = new MemoryLogger();
    const clock = new FakeClock({ autoAdvance: 5_000 });
    const engine = await createEngine({
      config: {
        url: [
          { name: "security", url: { env: "HOOK_SECURITY" } },
          { name: "ops", url: { env: "HOOK_OPS" } },
        ],
        url_configs: { security: { levels: ["block"] }, ops: { severities: ["low"], max_messages: 1 } },
      },
      env: { HOOK_SECURITY: security, HOOK_OPS: ops },
      plugins,
      logger,
      clock,
    });
    const input = await readScanFile(FIXTURE);
    const report = await engine.notify(input);

    expect(reportExitCode(report)).toBe(0);
    expect(report.destinations.map((d) => [d.route, d.status, d.alerts, d.messages])).toEqual([
      ["security", "sent", 3, 1],
      ["ops", "sent", 5, 1],
    ]);
    const arrived = (hook: string) => emu!.messages({ hook }).map((m) => m.payload["text"] as string);
    expect(arrived("security")).toEqual([
      expect.stringMatching(
        /^Socket Security: 3 alerts in test_org\/basic-python \(test\/big-diff-pr\): 3 block, 0 warn/,
      ),
    ]);
    expect(arrived("ops")).toEqual([expect.stringMatching(/^Socket Security: 5 alerts in test_org\/basic-python/)]);
    expectNoSecrets({ report, logs: logger.lines, json: JSON.stringify(report) }, [security, ops]);
  });

  it("pages to one webhook go out in order, one per second of virtual time", async () => {
    emu = await startEmulator({ port: 0, rateLimit: false, workspaceRateLimit: false });
    const clock = new FakeClock({ now: 0, autoAdvance: 5_000 });
    const engine = await createEngine({
      config: { url: emu.webhookUrl("security"), max_messages: 3 },
      env: {},
      plugins,
      clock,
    });
    // 60 alerts do not fit one message (50 blocks): three pages.
    const base = (await readScanFile(FIXTURE)).alerts[0]!;
    const alerts = Array.from({ length: 60 }, (_, i) => ({
      ...base,
      id: `a${i}`,
      name: `pkg-${String(i).padStart(2, "0")}`,
    }));
    const report = await engine.notify({
      format: "scan-diff",
      alerts,
      context: {},
      duplicatesMerged: 0,
      unchangedIgnored: 0,
    });
    const pages = emu.messages({ hook: "security" }).map((m) => m.payload["text"] as string);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages).toHaveLength(report.destinations[0]!.messages);
    expect(pages.map((t) => /part (\d+) of/.exec(t)?.[1])).toEqual(pages.map((_, i) => String(i + 1)));
    expect(clock.completedSleeps.filter((ms) => ms === 1000)).toHaveLength(pages.length - 1);
  });

  it("a removed webhook (no_service) fails that destination with a hint, exit code 1, the secret nowhere", async () => {
    const ws = defaultWorkspace();
    const gone = {
      ...ws,
      hooks: [
        ...(ws.hooks ?? []),
        { name: "gone", id: "B0009", secret: "emulatorhooksecret0009", channel: "ops", error: "no_service" as const },
      ],
    };
    emu = await startEmulator({ port: 0, rateLimit: false, workspaceRateLimit: false, workspace: gone });
    const url = emu.webhookUrl("gone");
    const logger = new MemoryLogger();
    const engine = await createEngine({
      config: {
        url: [
          { name: "gone", url },
          { name: "ok", url: emu.webhookUrl("ops") },
        ],
      },
      env: {},
      plugins,
      logger,
      clock: new FakeClock({ autoAdvance: 5_000 }),
    });
    const report = await engine.notify(await readScanFile(FIXTURE));
    expect(reportExitCode(report)).toBe(1);
    const [bad, good] = report.destinations;
    expect(bad).toMatchObject({ route: "gone", status: "failed", error: { code: "no_service" } });
    expect(bad!.error!.hint).toBeTruthy();
    expect(good).toMatchObject({ route: "ok", status: "sent" });
    expect(emu.messages({ hook: "ops" })).toHaveLength(1);
    expectNoSecrets({ report, logs: logger.lines }, [url, "emulatorhooksecret0009"]);
  });
});

describe("plan: alerts matched anywhere", () => {
  it("counts each alert once, whichever and however many destinations it goes to", async () => {
    const input = await readScanFile(FIXTURE);
    const url = (n: string) => `https://hooks.slack.com/services/T000/B000/${n}`;
    const engine = await createEngine({
      config: {
        url: [
          { name: "medium", url: url("a") },
          { name: "medium-again", url: url("b") },
          { name: "low", url: url("c") },
        ],
        url_configs: {
          medium: { severities: ["medium"] },
          "medium-again": { severities: ["medium"] },
          low: { severities: ["low"] },
        },
      },
      env: {},
      plugins,
    });
    const plan = engine.plan(input);
    const byName = Object.fromEntries(plan.destinations.map((d) => [d.destination.route, d.matched]));
    const union = new Set([...byName.medium!, ...byName["medium-again"]!, ...byName.low!].map((a) => a.id));
    expect(byName.medium!.length).toBeGreaterThan(0);
    expect(byName.low!.length).toBeGreaterThan(0);
    expect(plan.alerts.matched).toBe(union.size);
    expect(plan.alerts.matched).toBe(byName.medium!.length + byName.low!.length);
    // Each destination's alerts keep the risk order of the plan.
    expect(byName.medium).toEqual(byName["medium-again"]);
  });
});
