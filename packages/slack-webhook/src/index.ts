export { WEBHOOK_HOSTS, type WebhookAddress, webhookDestinations, webhookOptionsSchema } from "./options.js";
export { webhookPlugin, webhookPlugin as default } from "./plugin.js";
export { classifyWebhookResponse, WebhookNotifier } from "./WebhookNotifier.js";
