import { type NotifierPlugin, SLACK_LIMITS } from "@socket-notify/core";
import { discordDestinations, discordOptionsSchema, MODE } from "./options.js";

/**
 * `mode: "discord"`: Discord webhooks. Core pages the alerts; these capabilities keep a page
 * small enough for one Discord message (at most 9 packages, so with the "N more" embed never
 * more than 10 embeds; text well under the 6,000 characters), and the renderer fits what it
 * gets into Discord's limits exactly.
 */
export const discordPlugin: NotifierPlugin = {
  mode: MODE,
  description: "Discord webhooks (discord_webhooks)",
  optionsSchema: discordOptionsSchema,
  capabilities: {
    ...SLACK_LIMITS,
    // Core's pages hold one block per package entry after header, context and divider, plus the
    // type-key line and the summary: 14 - 3 - 2 = 9 packages a page (Discord's 10 embeds).
    maxBlocks: 14,
    maxMessageChars: 5400,
    maxSectionChars: 1024,
    // Discord webhooks: 5 requests per 2 s per webhook (X-RateLimit-Limit: 5,
    // X-RateLimit-Reset-After: 2) and about 30 messages a minute per channel; a 429 says how long to wait.
    ratePerSecond: 0.5,
    burst: 5,
    threads: false,
    update: false,
  },
  destinations: discordDestinations,
  async createNotifier(_config, host) {
    const { DiscordNotifier } = await import("./DiscordNotifier.js");
    return new DiscordNotifier(host);
  },
};

export default discordPlugin;
