import { type Destination, described, type NotifyConfig, type PluginHost, type Secret } from "@socket-notify/core";
import { destinationListSchema, isLoopbackHost, SecretRefSchema, type SecretRef } from "@socket-notify/core/internal";
import * as z from "zod/mini";
import { interactiveSchema, triageBlock } from "./triage.js";

export const TOKEN_ENV = "SOCKET_SLACK_BOT_TOKEN";
export const API_URL_ENV = "SOCKET_SLACK_API_URL";
export const DEFAULT_API_URL = "https://slack.com/api/";
/** slack.com, slack-gov.com and their subdomains (Enterprise Grid workspaces). */
const SLACK_API_HOST = /(^|\.)slack(-gov)?\.com$/i;

const nonEmpty = () => z.string().check(z.minLength(1));

/** The Socket CLI's bot keys (reference §1.4) plus the API base URL and a token reference. */
export const botOptionsSchema = z.object({
  bot_configs: destinationListSchema(
    {
      name: z.optional(described(nonEmpty(), "Route name, shown in reports.")),
      channels: described(
        z.array(nonEmpty()).check(z.minLength(1)),
        "Channel names (with or without #) or IDs (C…, G…).",
      ),
    },
    "Bot mode routes: each posts to its channels the alerts its filters let through.",
  ),
  bot_token: z.optional(
    described(
      z.union([nonEmpty(), SecretRefSchema]),
      `Bot token; default: the ${TOKEN_ENV} environment variable. Prefer {"env": "VAR"}.`,
    ),
  ),
  interactive: z.optional(interactiveSchema),
  slack_api_url: z.optional(
    described(
      nonEmpty(),
      `Web API base URL (default ${DEFAULT_API_URL}; also env ${API_URL_ENV}). For GovSlack, Enterprise proxies, the emulator.`,
    ),
  ),
});

export interface BotAddress {
  /** Channel ID, or a name (without #) until `prepare` resolves it. */
  channel: string;
  /** As the user wrote it, for messages. */
  given: string;
}

export interface BotSettings {
  token: Secret | undefined;
  apiUrl: string;
}

/**
 * Slack channel IDs: C (public), G (private/legacy), D (DM), upper case with digits. The digit
 * keeps a name written in capitals ("GENERAL", "#DEVOPS-ALERTS") a name.
 */
export const CHANNEL_ID = /^[CGD](?=[A-Z0-9]*\d)[A-Z0-9]{6,}$/;

const TOKEN_KINDS: Record<string, string> = {
  "xoxp-": "a user token (xoxp-)",
  "xapp-": "an app-level token (xapp-)",
  "xoxa-": "a workspace app token (xoxa-)",
  "xoxe-": "a refresh/config token (xoxe-)",
  "xoxc-": "a browser session token (xoxc-)",
  "xoxs-": "a session token (xoxs-)",
};

/** The bot token and API URL, checked. A missing token is only an error when something is sent. */
export function botSettings(config: NotifyConfig, host: PluginHost): BotSettings {
  const ref = config.bot_token as string | SecretRef | undefined;
  const path = ref === undefined ? TOKEN_ENV : "bot_token";
  const rawValue = ref ?? host.env[TOKEN_ENV];
  let token: Secret | undefined;
  if (rawValue !== undefined && rawValue !== "") {
    token = host.secret(typeof rawValue === "string" ? rawValue.trim() : rawValue, {
      path,
      redact: (t) => `${t.slice(0, 5)}****`,
    });
    const t = token.reveal();
    if (!token.missing && !t.startsWith("xoxb-")) {
      const kind = Object.entries(TOKEN_KINDS).find(([p]) => t.startsWith(p))?.[1] ?? "not a Slack bot token";
      throw host.configError(
        path,
        `the bot token is ${kind}; bot mode needs the Bot User OAuth Token (xoxb-)`,
        "copy the Bot User OAuth Token from your app's OAuth & Permissions page",
      );
    }
  }
  const fromConfig = config.slack_api_url as string | undefined;
  const apiRaw = fromConfig ?? host.env[API_URL_ENV] ?? DEFAULT_API_URL;
  // The token goes wherever this URL points. A config file can come from the checkout, which a
  // pull request controls (and code it runs earlier in the job can listen on loopback), so from
  // such a config only Slack's own hosts are accepted; loopback (the emulator) only from a
  // trusted config, anything else (a proxy) only from the CI environment. The host is checked
  // in its canonical form (checkUrl: `2130706433`, `0x7f.1`, `LOCALHOST.` are loopback).
  const u = host.checkUrl(apiRaw, {
    path: fromConfig ? "slack_api_url" : API_URL_ENV,
    what: "Slack API URL",
    loopback: !fromConfig || host.configTrusted,
    loopbackHint: `the bot token would be sent there, and a file in the checkout is under a pull request's control: set ${API_URL_ENV} in the job's environment, or give the config in SOCKET_SLACK_CONFIG_JSON or with --config from outside the checkout`,
  });
  if (fromConfig && !isLoopbackHost(u.hostname) && !SLACK_API_HOST.test(u.hostname)) {
    throw host.configError(
      "slack_api_url",
      `Slack API URL host ${u.hostname} is not slack.com or slack-gov.com`,
      `for a proxy or another endpoint, set ${API_URL_ENV} in the job's environment instead: a pull request cannot change that, but it can edit a config file`,
    );
  }
  const apiUrl = u.href.endsWith("/") ? u.href : `${u.href}/`;
  return { token, apiUrl };
}

type BotConfig = NonNullable<z.output<typeof botOptionsSchema>["bot_configs"]>[number];

export function botDestinations(
  config: NotifyConfig,
  host: PluginHost,
): { destinations: Destination[]; warnings: string[] } {
  const settings = botSettings(config, host);
  const warnings: string[] = [];
  if (!settings.token) warnings.push(`${TOKEN_ENV} is not set: bot mode cannot send (dry run works)`);
  const entries = host.namedEntries(config.bot_configs as BotConfig[] | undefined, {
    key: "bot_configs",
    mode: "bot",
    one: "entry",
    many: "bot_configs",
    needs: "entry in bot_configs",
    example: '[{"name": "security", "channels": ["security-alerts"]}]',
    defaultName: (i, count) => (count === 1 ? "unnamed" : `bot_config_${i}`),
  });
  const destinations: Destination[] = [];
  entries.forEach(({ entry, name, filter }, i) => {
    const seen = new Set<string>();
    entry.channels.forEach((given, j) => {
      const trimmed = given.trim();
      const isId = CHANNEL_ID.test(trimmed); // "#C0123…" never is: the # says name
      const channel = isId ? trimmed : trimmed.replace(/^#/, "").toLowerCase();
      if (!channel)
        throw host.configError(`bot_configs[${i}].channels[${j}]`, "empty channel name", "give a channel name or ID");
      if (seen.has(channel)) return; // listed twice in one entry: one message
      seen.add(channel);
      const address: BotAddress = { channel, given: trimmed };
      destinations.push({
        route: name,
        target: isId ? channel : `#${channel}`,
        key: `channel:${channel}`,
        filter,
        address,
        configPath: `bot_configs[${i}]`,
        ...(config.interactive ? { actions: triageBlock } : {}),
      });
    });
  });
  return { destinations, warnings };
}
