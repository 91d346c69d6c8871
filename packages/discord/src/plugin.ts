import { type NotifierPlugin } from "@socket-notify/core";
import { discordLayout } from "./layout.js";
import { discordDestinations, discordOptionsSchema, MODE } from "./options.js";

/**
 * `mode: "discord"`: Discord webhooks. Core pages the alerts with Discord's own measure
 * (`discordLayout`: what one Discord message shows in full), and the renderer fits each page
 * into Discord's limits exactly.
 */
export const discordPlugin: NotifierPlugin = {
  mode: MODE,
  description: "Discord webhooks (discord_webhooks)",
  optionsSchema: discordOptionsSchema,
  capabilities: {
    // Discord webhooks: 5 requests per 2 s per webhook (X-RateLimit-Limit: 5,
    // X-RateLimit-Reset-After: 2) and about 30 messages a minute per channel; a 429 says how long to wait.
    ratePerSecond: 0.5,
    burst: 5,
    threads: false,
    update: false,
  },
  layout: discordLayout,
  destinations: discordDestinations,
  async createNotifier(_config, host) {
    const { DiscordNotifier } = await import("./DiscordNotifier.js");
    return new DiscordNotifier(host);
  },
};

export default discordPlugin;
