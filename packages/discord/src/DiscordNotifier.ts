import {
  type DeliveryFailure,
  type Notifier,
  type OutboundMessage,
  type PluginHost,
  readBoundedBody,
  type SendContext,
  type SendResult,
} from "@socket-notify/core";
import { SEVERITIES, type SeverityCounts } from "@socket-notify/core/render";
import { bodyFromBlocks } from "./from-blocks.js";
import { DISCORD_FORMAT } from "./layout.js";
import { type DiscordAddress } from "./options.js";
import { storedDiscordBody } from "./stored.js";
import { renderDiscordReachability } from "./reachability.js";
import { type DiscordWebhookBody, discordPage, renderDiscordPage } from "./render.js";

const MAX_BODY_BYTES = 64 * 1024;

const BUG_HINT =
  "Discord rejected the message content: this is a bug in socket-notify, please report it with the payload from `send --dry-run --out DIR`";

/** Discord's JSON error codes for webhooks (API reference: JSON error codes) and what to do. */
const KNOWN: Record<number, { code: string; message: string; hint: string; scope: "message" | "destination" }> = {
  10015: {
    code: "unknown_webhook",
    message: "the webhook no longer exists",
    hint: "it was deleted in Discord: create a new one (Server Settings → Integrations → Webhooks) and update the secret",
    scope: "destination",
  },
  50027: {
    code: "invalid_webhook_token",
    message: "the webhook's token is invalid",
    hint: "copy the webhook URL again: its token part is wrong or was regenerated",
    scope: "destination",
  },
  50001: {
    code: "missing_access",
    message: "the webhook cannot reach its channel",
    hint: "check the webhook's channel still exists and the webhook may post there",
    scope: "destination",
  },
  50013: {
    code: "missing_permissions",
    message: "the webhook lacks permission to post",
    hint: "check the channel's permissions for the webhook",
    scope: "destination",
  },
  50035: {
    code: "invalid_form_body",
    message: "Discord refused the message (Invalid Form Body)",
    hint: BUG_HINT,
    scope: "message",
  },
  50006: { code: "empty_message", message: "Discord says the message is empty", hint: BUG_HINT, scope: "message" },
  40005: {
    code: "request_too_large",
    message: "the request is too large for Discord",
    hint: BUG_HINT,
    scope: "message",
  },
};

/**
 * Sends one page to one Discord webhook. It renders the page (render.ts) and classifies the
 * answer, reporting Discord's `retry_after`; pacing, retries and pagination are core's.
 */
export class DiscordNotifier implements Notifier {
  /** The host is all it needs: `fetch` (with the run's proxy), `scrub` and the failure classification. */
  constructor(private readonly host: PluginHost) {}

  async send(message: OutboundMessage, ctx: SendContext): Promise<SendResult> {
    const { url, username } = message.destination.address as DiscordAddress;
    // What the layout rendered when core planned (`native`: what --dry-run showed), or the body
    // a signed outbox entry kept, checked again (stored.ts); a page made elsewhere from core's
    // plan is rendered here; a message with only a Block Kit record (an outbox entry written
    // before native bodies, or an unsigned one) is converted from its blocks.
    let body: DiscordWebhookBody;
    if (message.native?.format === DISCORD_FORMAT) {
      const stored = storedDiscordBody(message.native.body, username);
      if ("error" in stored)
        return {
          ok: false,
          failure: {
            code: "invalid_stored_body",
            message: `the Discord message is not one socket-notify writes (${this.host.scrub(stored.error)})`,
            hint: "from an outbox, it was changed after socket-notify wrote it: send the report again instead of retrying this entry; otherwise this is a bug in socket-notify, please report it",
            retry: "never",
            scope: "message",
          },
        };
      body = stored.body;
    } else
      body = message.page
        ? renderDiscordPage(discordPage(message.page, username)).body
        : message.reachability
          ? renderDiscordReachability(message.reachability, username).body
          : bodyFromBlocks(message.payload, username);
    const target = url.reveal();
    let res: Response;
    try {
      // wait=true: Discord answers only once the message is stored, and says so (200 + the message).
      res = await this.host.fetch(`${target}${target.includes("?") ? "&" : "?"}wait=true`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": `socket-notify/${this.host.version} (discord)`,
        },
        body: JSON.stringify(body),
        signal: ctx.signal,
        // A redirect would send the alerts somewhere the config did not name.
        redirect: "error",
      });
    } catch (e) {
      const timeout = (ctx.signal.reason as Error | undefined)?.name === "TimeoutError";
      const failure = this.host.classifyNetworkError(timeout ? ctx.signal.reason : e, ctx.timeoutMs);
      if (failure.hint) failure.hint = failure.hint.replace(/Slack/g, "Discord");
      return { ok: false, failure };
    }
    let text = "";
    try {
      const { bytes } = await readBoundedBody(res, ctx.signal, MAX_BODY_BYTES);
      text = new TextDecoder().decode(bytes).trim();
    } catch {
      /* body lost after the status: the status decides */
    }
    if (res.ok) return { ok: true };
    return { ok: false, failure: classifyDiscordResponse(res.status, text, res.headers, this.host) };
  }
}

interface DiscordError {
  code?: unknown;
  message?: unknown;
  retry_after?: unknown;
  global?: unknown;
  errors?: unknown;
}

/**
 * A failed Execute Webhook answer → what core should do. 429: wait the longest of the body's
 * `retry_after` (seconds, float), `Retry-After` and `X-RateLimit-Reset-After`; 5xx: back off;
 * Discord's JSON error codes: permanent, with a hint.
 */
export function classifyDiscordResponse(
  status: number,
  body: string,
  headers: Pick<Headers, "get">,
  host: Pick<PluginHost, "classifyHttpStatus" | "scrub">,
): DeliveryFailure {
  let json: DiscordError | undefined;
  try {
    const v = JSON.parse(body) as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) json = v as DiscordError;
  } catch {
    /* not JSON (a proxy's page): the status decides */
  }
  if (status === 429) {
    const waits = [
      typeof json?.retry_after === "number" ? json.retry_after : Number.NaN,
      Number(headers.get("retry-after") ?? Number.NaN),
      Number(headers.get("x-ratelimit-reset-after") ?? Number.NaN),
    ].filter((s) => Number.isFinite(s) && s >= 0 && s < 3600);
    const ms = waits.length ? Math.ceil(Math.max(...waits) * 1000) : 1000;
    const global = json?.global === true || headers.get("x-ratelimit-global") === "true";
    return {
      code: "rate_limited",
      message: `rate limited by Discord (HTTP 429${global ? ", global limit" : ""}, retry after ${Math.round(ms / 100) / 10} s)`,
      retry: "after",
      retryAfterMs: ms,
    };
  }
  const base = host.classifyHttpStatus(status, body, null);
  if (status >= 500 || status === 408)
    return {
      ...base,
      hint: "Discord (or a proxy in between) kept failing and was retried until the run gave up; check discordstatus.com, keep the messages with --outbox FILE and re-send them later with socket-notify retry FILE",
    };
  const said = host.scrub((typeof json?.message === "string" ? json.message : body).replace(/\s+/g, " ").slice(0, 160));
  const known = typeof json?.code === "number" ? KNOWN[json.code] : undefined;
  if (known) {
    const detail = json?.code === 50035 ? firstFormError(json.errors) : undefined;
    return {
      code: known.code,
      message: `${known.message} (HTTP ${status}${detail ? `: ${host.scrub(detail)}` : ""})`,
      hint: known.hint,
      retry: "never",
      // A gone webhook or a bad token dooms the destination's other pages; bad content only this one.
      scope: known.scope,
    };
  }
  return {
    ...base,
    message: `${base.message}${said && said !== base.code ? `: ${said}` : ""}`,
    hint:
      status === 401 || status === 403
        ? "Discord refused the webhook: check its URL (copy it again from the channel's Integrations settings)"
        : status === 404
          ? "no webhook at this URL: it was deleted, or the URL is incomplete"
          : "Discord refused the request: check the webhook URL",
    retry: "never",
  };
}

/** `embeds.0.fields.6.value: Must be 1024 or fewer in length.` from Discord's nested error tree. */
function firstFormError(tree: unknown, path: string[] = []): string | undefined {
  if (!tree || typeof tree !== "object" || path.length > 8) return undefined;
  const t = tree as Record<string, unknown>;
  const errs = t._errors;
  if (Array.isArray(errs) && errs.length) {
    const m = (errs[0] as { message?: unknown }).message;
    return `${path.join(".") || "body"}: ${typeof m === "string" ? m.slice(0, 120) : "invalid"}`;
  }
  for (const [k, v] of Object.entries(t)) {
    const found = firstFormError(v, [...path, k.slice(0, 40)]);
    if (found) return found;
  }
  return undefined;
}
