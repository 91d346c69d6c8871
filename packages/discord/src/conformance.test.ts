import { runConformance } from "@socket-notify/testing";
import { type DiscordWebhookBody, discordPlugin } from "./index.js";

// The kit's loopback sink stands in for Discord here (scripted 500s, 429s, hangs); the
// Discord fake's checks of the limits are in discord.test.ts.
runConformance({
  plugin: discordPlugin,
  configFor: (url) => ({ discord_webhooks: [{ name: "alerts", url }] }),
  readRequest: (request) => {
    const body = request.json as DiscordWebhookBody | undefined;
    if (!body?.embeds) return undefined;
    return { alerts: body.embeds.reduce((n, e) => n + (e.fields?.length ?? 0), 0) };
  },
});
