import { type Destination, described, type NotifyConfig, type PluginHost, type Secret } from "@socket-notify/core";
import {
  FilterSchema,
  isShowableKey,
  jsonPath,
  redactWebhookUrl,
  type SecretRef,
  SecretRefSchema,
  suggest,
} from "@socket-notify/core/internal";
import * as z from "zod/mini";

const nonEmpty = () => z.string().check(z.minLength(1));
const urlValue = z.union([nonEmpty(), SecretRefSchema]);

/** The Socket CLI's webhook keys, unchanged (reference §1.3), plus `{"env": "VAR"}` references. */
export const webhookOptionsSchema = z.object({
  url: z.optional(
    described(
      z.union(
        [urlValue, z.array(z.union([urlValue, z.strictObject({ url: urlValue, name: z.optional(nonEmpty()) })]))],
        {
          // zod's default ("Invalid input") does not say what is allowed; never echo the value: it is a secret.
          error:
            'expected a webhook URL, a list of URLs, or a list of {"url": …, "name": …} objects (a single object must be in a list)',
        },
      ),
      'Incoming webhook URL(s): a string, a list of strings (named webhook_0, webhook_1, …) or a list of {url, name}. Each may be {"env": "VAR"}.',
    ),
  ),
  url_configs: z.optional(
    described(
      z.record(z.string(), FilterSchema),
      "Filters per webhook name. A webhook without an entry gets every alert.",
    ),
  ),
});

/** Slack's incoming-webhook hosts (slack-platform.md §5; GovSlack uses slack-gov.com). */
export const WEBHOOK_HOSTS = ["hooks.slack.com", "hooks.slack-gov.com"];

export interface WebhookAddress {
  url: Secret;
}

function isRef(v: unknown): v is SecretRef {
  return typeof v === "object" && v !== null && "env" in v;
}

/** Normalise `url` (three shapes) and `url_configs` into named destinations. */
export function webhookDestinations(
  config: NotifyConfig,
  host: PluginHost,
): { destinations: Destination[]; warnings: string[] } {
  const raw = config.url as z.output<typeof webhookOptionsSchema>["url"];
  const urlConfigs = (config.url_configs ?? {}) as Record<string, z.output<typeof FilterSchema>>;
  if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) {
    throw host.configError(
      "url",
      "webhook mode needs at least one incoming webhook URL",
      'add "url": "https://hooks.slack.com/services/…" (or {"env": "SLACK_WEBHOOK_URL"})',
    );
  }
  const entries: { name: string; value: string | SecretRef; path: string }[] = [];
  if (typeof raw === "string" || isRef(raw)) entries.push({ name: "default", value: raw, path: "url" });
  else
    raw.forEach((item, i) => {
      if (typeof item === "string" || isRef(item))
        entries.push({ name: `webhook_${i}`, value: item, path: `url[${i}]` });
      else entries.push({ name: item.name ?? `webhook_${i}`, value: item.url, path: `url[${i}]` });
    });

  const names = new Set<string>();
  for (const e of entries) {
    if (names.has(e.name))
      throw host.configError(e.path, `two webhooks are named "${e.name}"`, "give each webhook its own name");
    names.add(e.name);
  }
  for (const key of Object.keys(urlConfigs)) {
    if (!names.has(key)) {
      const guess = suggest(key, names);
      // A key that is not a plain name (a URL pasted as the key, say) is not quoted: it may be a secret.
      const shown = isShowableKey(key);
      throw host.configError(
        jsonPath(["url_configs", key]),
        `${shown ? `no webhook is named "${key}"` : "a key that is not a plain name (not shown) names no webhook"}${guess && shown ? ` (did you mean "${guess}"?)` : ""}; webhooks: ${[...names].filter(isShowableKey).join(", ")}`,
        "url_configs keys are webhook names: `default` for a single url string, webhook_0, webhook_1, … for a list, or the `name` you gave",
      );
    }
  }

  // Same URL under two names shares one rate limit (Slack limits per webhook): the queue key is
  // the first name given to that URL, so the key never carries the URL itself.
  const firstNameOfUrl = new Map<string, string>();
  const destinations = entries.map((e): Destination => {
    const secret = host.secret(e.value, { path: e.path, redact: redactWebhookUrl });
    const keyName = firstNameOfUrl.get(secret.reveal()) ?? e.name;
    firstNameOfUrl.set(secret.reveal(), keyName);
    if (!secret.missing)
      host.checkUrl(secret.reveal(), {
        path: e.path,
        hosts: WEBHOOK_HOSTS,
        pathPrefix: "/services/",
        what: `webhook "${e.name}" URL`,
      });
    const address: WebhookAddress = { url: secret };
    return {
      route: e.name,
      target: e.name,
      key: `webhook:${keyName}`,
      // A webhook with no url_configs entry gets every alert (the Socket CLI disabled it: B1).
      // Own keys only: a webhook named "constructor" must not find Object's.
      filter: Object.hasOwn(urlConfigs, e.name) ? urlConfigs[e.name]! : {},
      address,
      configPath: Object.hasOwn(urlConfigs, e.name) ? `url_configs.${e.name}` : e.path,
    };
  });
  return { destinations, warnings: [] };
}
