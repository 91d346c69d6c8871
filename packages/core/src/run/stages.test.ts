/**
 * The three stages of a run as plain functions: a plan is pure and its message keys are stable;
 * `select` (the seam between plan and deliver) decides what is sent; the report says the rest
 * was skipped. Real webhook notifier, Slack emulator on loopback.
 */
import { startEmulator } from "@socket-notify/slack-emulator";
import { webhookPlugin } from "@socket-notify/slack-webhook";
import { describe, expect, it } from "vitest";
import { createEngine } from "../engine.js";
import { readScanFile } from "../input/parse.js";
import { type NotifierPlugin } from "../contract/plugin.js";
import { FakeClock } from "../testing/index.js";
import { messageKey, plannedMessages, planRun, scanSubject } from "./plan.js";

const FIXTURE = `${process.env.SOCKET_FIXTURES}/derived__enable_json_report.json`;
const plugins = [webhookPlugin] as unknown as NotifierPlugin[];

describe("run stages", () => {
  it("plan is pure: the same input gives the same pages and keys; keys name destination, subject and page, never the URL", async () => {
    const hook = "https://hooks.slack.com/services/T000/B000/secretsecretsecret";
    const engine = await createEngine({
      config: { url: [{ name: "security", url: hook }], max_messages: 3 },
      env: {},
      plugins,
    });
    const scan = await readScanFile(FIXTURE);
    const context = { repo: "acme/app", pr: "42" };
    const a = engine.plan(scan, { context });
    const b = planRun({
      scan,
      config: engine.config,
      mode: engine.mode,
      source: engine.source,
      destinations: engine.destinations,
      capabilities: engine.capabilities,
      configWarnings: engine.configWarnings,
      options: { context },
    });
    expect(plannedMessages(b).map((m) => m.key)).toEqual(plannedMessages(a).map((m) => m.key));
    expect(plannedMessages(b).map((m) => m.payload)).toEqual(plannedMessages(a).map((m) => m.payload));
    expect(a.subject).toBe("acme/app#42");
    expect(scanSubject({ repo: "acme/app", branch: "main" })).toBe("acme/app@main");
    const [first] = plannedMessages(a);
    expect(first!.key).toBe(messageKey(first!.destination, "acme/app#42", "alerts", 1));
    expect(first!.key).toContain("security");
    expect(first!.key).toContain("acme%2Fapp#42");
    for (const m of plannedMessages(a)) expect(m.key).not.toContain("secret");
    expect(new Set(plannedMessages(a).map((m) => m.key)).size).toBe(plannedMessages(a).length);
  });

  it("select, between plan and deliver, decides what is sent; what it leaves out is reported skipped", async () => {
    const emu = await startEmulator({ port: 0, rateLimit: false, workspaceRateLimit: false });
    try {
      const engine = await createEngine({
        config: {
          url: [
            { name: "a", url: emu.webhookUrl("security") },
            { name: "b", url: emu.webhookUrl("ops") },
          ],
        },
        env: {},
        plugins,
        clock: new FakeClock({ autoAdvance: 5_000 }),
      });
      const seen: string[][] = [];
      const { report, outcomes } = await engine.run(await readScanFile(FIXTURE), {
        select: (plan) => {
          seen.push(plannedMessages(plan).map((m) => m.key));
          return plannedMessages(plan).filter((m) => m.destination.route === "b");
        },
      });
      expect(seen).toHaveLength(1);
      expect(seen[0]!.length).toBe(2);
      expect(outcomes.map((o) => o.message.destination.route)).toEqual(["b"]);
      expect(report.destinations.map((d) => [d.route, d.status, d.delivered])).toEqual([
        ["a", "skipped", 0],
        ["b", "sent", 1],
      ]);
      expect(emu.messages({ hook: "security" })).toHaveLength(0);
      expect(emu.messages({ hook: "ops" })).toHaveLength(1);
    } finally {
      await emu.close();
    }
  });
});
