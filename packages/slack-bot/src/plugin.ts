import { type NotifierPlugin, SLACK_LIMITS } from "@socket-notify/core";
import { blockKitLayout } from "@socket-notify/core/internal";
import { botDestinations, botOptionsSchema } from "./options.js";

/** `mode: "bot"`: chat.postMessage with a bot token, configured like the Socket CLI's bot mode. */
export const botPlugin: NotifierPlugin = {
  mode: "bot",
  description: "Slack bot token + chat.postMessage (bot_configs)",
  optionsSchema: botOptionsSchema,
  capabilities: {
    ...SLACK_LIMITS,
    // chat.postMessage: about 1 message per second per channel (slack-platform.md §3).
    ratePerSecond: 1,
    burst: 1,
    threads: true,
    update: true,
  },
  // Core cuts and renders its pages as Block Kit with the BlockBuilder, within these limits.
  layout: blockKitLayout,
  destinations: botDestinations,
  async createNotifier(_config, _host, container) {
    // Loaded only when bot mode sends: @slack/web-api costs ~60 ms of startup (toolchain.md §8).
    const { BotNotifier } = await import("./BotNotifier.js");
    return container.resolve(BotNotifier);
  },
};

export default botPlugin;
