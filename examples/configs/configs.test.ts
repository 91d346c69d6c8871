/** The sample configs, used as a user would (--config FILE), delivering to the emulator or a sink. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEngine, readScanFile, reportExitCode } from "@socket-notify/core";
import { discordPlugin } from "@socket-notify/discord";
import { botPlugin } from "@socket-notify/slack-bot";
import { webhookPlugin } from "@socket-notify/slack-webhook";
import { startDiscordFake } from "@socket-notify/slack-emulator";
import { expectNoSecrets, type HttpSink, type SlackEmulator, startEmulator, startSink } from "@socket-notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const plugins = [webhookPlugin, botPlugin, discordPlugin];
const scanFile = join(here, "..", "embedding", "sample-scan.json");

let emulator: SlackEmulator;
let sink: HttpSink;
beforeAll(async () => {
  emulator = await startEmulator({ rateLimit: false });
  sink = await startSink();
});
afterAll(async () => {
  await emulator?.close();
  await sink?.close();
});

async function send(file: string, env: Record<string, string>, allowCodeConfig = false) {
  // These files are in this repository's checkout: one that loads a plugin needs allowCodeConfig.
  const engine = await createEngine({ configPath: join(here, file), plugins, env, allowCodeConfig });
  const report = await engine.notify(await readScanFile(scanFile));
  expect(reportExitCode(report)).toBe(0);
  expectNoSecrets([report], Object.values(env));
  return report;
}

const alertsIn = (payload: unknown) =>
  ["event-strem", "lodash", "requests-toolbelt"].filter((n) => JSON.stringify(payload).includes(n));

describe("sample configs", () => {
  it("webhook: one incoming webhook gets every alert", async () => {
    emulator.reset();
    await send("webhook.socketnotifyrc.json", { SLACK_WEBHOOK_URL: emulator.webhookUrl("security") });
    const [m] = emulator.messages({ hook: "security" });
    expect(alertsIn(m!.payload)).toEqual(["event-strem", "lodash", "requests-toolbelt"]);
  });

  it("bot: each route posts its alerts to its channels", async () => {
    emulator.reset();
    await send("bot.socketnotifyrc.json", {
      SOCKET_SLACK_BOT_TOKEN: "xoxb-emulator-bot-token",
      SOCKET_SLACK_API_URL: emulator.apiUrl,
    });
    expect(alertsIn(emulator.messages({ channel: "security-alerts" })[0]!.payload)).toEqual(["event-strem", "lodash"]);
    expect(alertsIn(emulator.messages({ channel: "ops" })[0]!.payload)).toEqual(["event-strem"]);
  });

  it("routes: several webhooks, each with its own filters", async () => {
    emulator.reset();
    const report = await send("routes.socketnotifyrc.json", {
      SLACK_WEBHOOK_SECURITY: emulator.webhookUrl("security"),
      SLACK_WEBHOOK_SUPPLY_CHAIN: emulator.webhookUrl("ops"),
      SLACK_WEBHOOK_WIDGETS: emulator.webhookUrl("dev"),
    });
    expect(report.destinations.map((d) => [d.target, d.alerts])).toEqual([
      ["security", 2],
      ["supply-chain", 1],
      ["widgets-team", 2],
    ]);
    expect(alertsIn(emulator.messages({ hook: "security" })[0]!.payload)).toEqual(["event-strem", "lodash"]);
    expect(alertsIn(emulator.messages({ hook: "ops" })[0]!.payload)).toEqual(["event-strem"]);
    expect(alertsIn(emulator.messages({ hook: "dev" })[0]!.payload)).toEqual(["event-strem", "lodash"]);
  });

  it("plugin: the json-webhook example, named by path, posts JSON to its endpoints", async () => {
    sink.reset();
    const siem = sink.newUrl();
    const tickets = sink.newUrl();
    await send(
      "plugin.socketnotifyrc.json",
      {
        SIEM_WEBHOOK_URL: siem.url,
        TICKETS_WEBHOOK_URL: tickets.url,
        SIEM_AUTHORIZATION: "Bearer sample-token-123",
      },
      true,
    );
    const to = (secret: string) => sink.requests.filter((r) => r.path.endsWith(secret));
    expect(alertsIn(to(siem.secret)[0]!.json)).toEqual(["event-strem", "lodash", "requests-toolbelt"]);
    expect(to(siem.secret)[0]!.headers.authorization).toBe("Bearer sample-token-123");
    expect(alertsIn(to(tickets.secret)[0]!.json)).toEqual(["event-strem"]);
  });

  it("discord: two Discord webhooks, one for high and critical alerts, one for everything", async () => {
    const discord = await startDiscordFake();
    try {
      await send("discord.socketnotifyrc.json", {
        DISCORD_WEBHOOK_SECURITY: discord.webhookUrl("security"),
        DISCORD_WEBHOOK_ALL: discord.webhookUrl("all"),
      });
      expect(alertsIn(discord.messagesOf("security")[0]!.body)).toEqual(["event-strem", "lodash"]);
      const [all] = discord.messagesOf("all");
      expect(alertsIn(all!.body)).toEqual(["event-strem", "lodash", "requests-toolbelt"]);
      expect(all!.body.username).toBe("Socket Security");
    } finally {
      await discord.close();
    }
  });
});
