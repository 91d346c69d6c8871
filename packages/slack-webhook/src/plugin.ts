import { type NotifierPlugin, SLACK_LIMITS } from "@socket-notify/core";
import { blockKitLayout } from "@socket-notify/core/internal";
import { webhookDestinations, webhookOptionsSchema } from "./options.js";

/** `mode: "webhook"` (the default): Slack incoming webhooks, configured like the Socket CLI. */
export const webhookPlugin: NotifierPlugin = {
  mode: "webhook",
  description: "Slack incoming webhooks (url, url_configs)",
  optionsSchema: webhookOptionsSchema,
  capabilities: {
    ...SLACK_LIMITS,
    // Incoming webhooks: 1 message per second, short bursts allowed (slack-platform.md §5).
    ratePerSecond: 1,
    burst: 1,
    // Webhooks return no ts, so continuation pages cannot be threaded.
    threads: false,
    update: false,
  },
  // Core cuts and renders its pages as Block Kit with the BlockBuilder, within these limits.
  layout: blockKitLayout,
  destinations: webhookDestinations,
  async createNotifier(_config, _host, container) {
    const { WebhookNotifier } = await import("./WebhookNotifier.js");
    return container.resolve(WebhookNotifier);
  },
};

export default webhookPlugin;
