import { type NotifierPlugin } from "@socket-notify/core";
import { discordPlugin } from "@socket-notify/discord";
import { botPlugin } from "@socket-notify/slack-bot";
import { webhookPlugin } from "@socket-notify/slack-webhook";

/** The notifiers the CLI offers without any `plugins` entry. */
export const BUILTIN_PLUGINS: NotifierPlugin[] = [webhookPlugin, botPlugin, discordPlugin];
