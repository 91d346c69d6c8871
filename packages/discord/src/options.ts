import {
  type Destination,
  described,
  type NotifyConfig,
  type PluginHost,
  type Secret,
  secretValue,
} from "@socket-notify/core";
import { destinationListSchema, isLoopbackHost } from "@socket-notify/core/render";
import * as z from "zod/mini";

export const MODE = "discord";

const webhooks = destinationListSchema(
  {
    name: described(
      z.string().check(z.minLength(1), z.maxLength(80)),
      "Name of the webhook, shown in reports and used as its pacing key (never the URL).",
    ),
    url: described(
      secretValue,
      'The webhook URL from Discord (Server Settings → Integrations → Webhooks → Copy Webhook URL): https://discord.com/api/webhooks/<id>/<token>, or {"env": "VAR"}. It is a secret: anyone with it can post.',
    ),
    username: z.optional(
      described(
        z.string().check(
          z.minLength(1),
          z.maxLength(80),
          // Discord refuses a webhook username containing these (Execute Webhook: 400 at send time).
          z.refine((v) => !/clyde|discord/i.test(v), {
            error: 'Discord refuses a webhook username containing "discord" or "clyde" | hint: pick another name',
          }),
        ),
        'Name the messages are posted under (Discord\'s `username`; not containing "discord" or "clyde"); default: the webhook\'s own name.',
      ),
    ),
  },
  "discord mode: the Discord webhooks that receive alerts, each with a name, a URL and the usual filters.",
  // `mention` and `mention_min_severity` take Slack's mention syntax; Discord messages from us
  // ping no one (allowed_mentions is empty), so those keys are left out and are an error here.
  { without: ["mention", "mention_min_severity"] },
);

/** The config keys discord mode adds. */
export const discordOptionsSchema = z.object({ discord_webhooks: webhooks });

export type DiscordWebhookEntry = NonNullable<z.output<typeof webhooks>>[number];

/** Discord's webhook hosts (the app's stable, PTB and Canary builds hand out these). */
export const DISCORD_HOSTS = ["discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"];
const WEBHOOK_PATH = /^\/api(?:\/v\d+)?\/webhooks\/\d{5,25}\/[A-Za-z0-9_-]{20,}\/?$/;

export interface DiscordAddress {
  url: Secret;
  username?: string;
}

/** `discord.com/api/webhooks/1234…/****`: the id's start is shown, the token never. */
export function redactDiscordUrl(raw: string): string {
  try {
    const u = new URL(raw);
    const m = /\/webhooks\/(\d{1,4})\d*\//.exec(u.pathname);
    return `${u.host}/api/webhooks/${m ? `${m[1]}…` : "…"}/****`;
  } catch {
    return "****";
  }
}

/** One destination per `discord_webhooks` entry. Pure: reads the config, checks URLs, no network. */
export function discordDestinations(config: NotifyConfig, host: PluginHost): Destination[] {
  const entries = host.namedEntries(config.discord_webhooks as DiscordWebhookEntry[] | undefined, {
    key: "discord_webhooks",
    mode: MODE,
    one: "webhook",
    many: "webhooks",
    needs: "webhook",
    example: '[{"name": "security", "url": {"env": "DISCORD_WEBHOOK_URL"}}]',
  });
  // The same URL under two names shares Discord's rate limit (it is per webhook): one pacing key.
  const keyOfUrl = new Map<string, string>();
  return entries.map(({ entry, path, filter }): Destination => {
    const url = host.secret(entry.url, { path: `${path}.url`, redact: redactDiscordUrl });
    // An unset {"env": …} in a dry run or validate is a warning, not a bad URL.
    if (!url.missing) checkDiscordUrl(url.reveal(), `${path}.url`, entry.name, host);
    const key = keyOfUrl.get(url.reveal()) ?? `${MODE}:${entry.name}`;
    if (!url.missing) keyOfUrl.set(url.reveal(), key);
    const address: DiscordAddress = { url, ...(entry.username ? { username: entry.username } : {}) };
    return {
      route: entry.name,
      target: entry.name,
      key,
      filter,
      address,
      configPath: path,
    };
  });
}

function checkDiscordUrl(raw: string, path: string, name: string, host: PluginHost): void {
  const what = `${MODE} webhook "${name}" URL`;
  const u = host.checkUrl(raw, { path, what });
  // Loopback (the emulator's Discord fake, tests) may use any path shape it serves.
  if (isLoopbackHost(u.hostname)) return;
  if (!DISCORD_HOSTS.includes(u.hostname.toLowerCase()))
    throw host.configError(
      path,
      `${what}: host ${u.hostname} is not ${DISCORD_HOSTS.join(", ")}`,
      "use the URL Discord gave you: https://discord.com/api/webhooks/<id>/<token>",
    );
  if (!WEBHOOK_PATH.test(u.pathname))
    throw host.configError(
      path,
      `${what}: the path is not /api/webhooks/<id>/<token>`,
      "copy the whole URL from Server Settings → Integrations → Webhooks → Copy Webhook URL",
    );
  if (u.search)
    throw host.configError(
      path,
      `${what}: has a query (?…)`,
      "give the URL without ?wait= or ?thread_id=: socket-notify adds what it needs",
    );
}
