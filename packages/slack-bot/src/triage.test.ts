/**
 * Bot mode with `interactive`: every alert gets its own row of triage buttons (Acknowledge,
 * Snooze menu, Mute menu with a confirm dialog for malware/typosquats, Open in Socket), the
 * emulator accepts the message as valid Block Kit, and the row carries the alert it is about.
 * Without `interactive` nothing changes. A malformed `interactive` is a config error with a path.
 */
import { readFileSync } from "node:fs";
import { createEngine, MemoryLogger, parseScan } from "@socket-notify/core";
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterEach, describe, expect, it } from "vitest";
import { botPlugin, targetOfBlock, triageFingerprint } from "./index.js";

const FIXTURE = `${process.env.SOCKET_FIXTURES}/derived__enable_json_report.json`;
const report = () => parseScan(readFileSync(FIXTURE, "utf8"), { source: "derived__enable_json_report.json" });
const INTERACTIVE = { team_id: "T0001", app_id: "A0000000001", allow: ["U1000000001", "S0000000001"] };

let emu: SlackEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function send(extra: Record<string, unknown>) {
  emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
  const engine = await createEngine({
    config: { mode: "bot", slack_api_url: emu.apiUrl, bot_configs: [{ channels: ["security-alerts"] }], ...extra },
    plugins: [botPlugin],
    env: { SOCKET_SLACK_BOT_TOKEN: "xoxb-emulator-bot-token" },
    logger: new MemoryLogger(),
  });
  const r = await engine.notify(report(), { context: { repo: "acme/web" } });
  const posts = emu.messages({ channel: "security-alerts" });
  return { r, blocks: posts.flatMap((m) => m.payload["blocks"] as Record<string, unknown>[]) };
}

describe("bot mode: interactive triage buttons", () => {
  it("each alert gets a row of socket_notify.* actions that names its alert; Slack (the emulator) accepts them", async () => {
    const { r, blocks } = await send({ interactive: INTERACTIVE });
    expect(r.destinations[0]).toMatchObject({ status: "sent", alerts: 8 });
    const rows = blocks.filter((b) => b["type"] === "actions");
    expect(rows).toHaveLength(8);
    const ids = (rows[0]!["elements"] as { action_id: string }[]).map((e) => e.action_id);
    expect(ids.slice(0, 3)).toEqual(["socket_notify.ack", "socket_notify.snooze", "socket_notify.mute"]);
    const targets = rows.map((b) => targetOfBlock(b));
    expect(targets.every((t) => t !== undefined && t.repo === "acme/web")).toBe(true);
    expect(new Set(targets.map((t) => t!.fingerprint)).size).toBe(8);
    const alerts = report().alerts;
    expect(new Set(alerts.map((a) => triageFingerprint(a)))).toEqual(new Set(targets.map((t) => t!.fingerprint)));
    // block_ids are unique in a message (Slack requires it).
    expect(new Set(rows.map((b) => b["block_id"])).size).toBe(8);
  });

  it("without interactive: no buttons", async () => {
    const { blocks } = await send({});
    expect(blocks.filter((b) => b["type"] === "actions")).toEqual([]);
  });

  it("an allow entry that is not an ID is a config error naming the path", async () => {
    await expect(
      createEngine({
        config: {
          mode: "bot",
          bot_configs: [{ channels: ["x"] }],
          interactive: { ...INTERACTIVE, allow: ["@alice"] },
        },
        plugins: [botPlugin],
        env: {},
        logger: new MemoryLogger(),
      }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/interactive\.allow.*not a Slack user or user-group ID/s),
    });
  });
});
