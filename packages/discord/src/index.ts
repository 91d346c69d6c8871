/**
 * @socket-notify/discord: a socket-notify notifier for Discord webhooks, written as a plugin
 * on core's public contract (see the README's plugin guide, which is built around it).
 */
export { classifyDiscordResponse, DiscordNotifier } from "./DiscordNotifier.js";
export { bodyFromBlocks, mrkdwnToDiscord } from "./from-blocks.js";
export { DISCORD_FORMAT, describeDiscordBody, discordLayout, discordMessage } from "./layout.js";
export { codeBlockDiscord, escapeDiscord, inlineDiscord, linkDiscord } from "./markdown.js";
export {
  DISCORD_HOSTS,
  type DiscordAddress,
  discordDestinations,
  discordOptionsSchema,
  type DiscordWebhookEntry,
  MODE,
  redactDiscordUrl,
} from "./options.js";
export { discordPlugin, discordPlugin as default } from "./plugin.js";
export { storedDiscordBody } from "./stored.js";
export { type RenderedDiscordSummary, renderDiscordReachability } from "./reachability.js";
export {
  DISCORD_LIMITS,
  type DiscordEmbed,
  type DiscordPage,
  type DiscordWebhookBody,
  discordPage,
  fitsInFull,
  measureAlert,
  type RenderedDiscordMessage,
  renderDiscordPage,
  SUMMARY_RESERVE_CHARS,
} from "./render.js";
