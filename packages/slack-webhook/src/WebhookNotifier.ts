import {
  type DeliveryFailure,
  type Notifier,
  readBoundedBody,
  type OutboundMessage,
  type PluginHost,
  type SendContext,
  type SendResult,
  TOKENS,
} from "@socket-notify/core";
import { inject, injectable } from "tsyringe";
import { type WebhookAddress } from "./options.js";

const MAX_BODY_BYTES = 64 * 1024;

const BUG_HINT =
  "Slack rejected the message content: this is a bug in socket-notify, please report it with the payload from `send --dry-run --out DIR`";

/** Slack's documented incoming-webhook errors (slack-platform.md §5) and what the user should do. */
const KNOWN: Record<string, { hint: string; message: string }> = {
  invalid_payload: { message: "Slack could not read the payload", hint: BUG_HINT },
  invalid_blocks: { message: "Slack rejected the blocks", hint: BUG_HINT },
  no_text: { message: "Slack says the message has no text", hint: BUG_HINT },
  too_many_attachments: { message: "too many attachments", hint: BUG_HINT },
  action_prohibited: {
    message: "posting is prohibited for this webhook",
    hint: "a workspace admin restricted it; ask them, or create a new webhook",
  },
  invalid_token: {
    message: "the webhook's token is invalid",
    hint: "the webhook was revoked (leaked URLs are revoked by Slack): create a new one",
  },
  channel_not_found: {
    message: "the webhook's channel no longer exists",
    hint: "the webhook was removed: create a new one for an existing channel",
  },
  no_service: {
    message: "the webhook no longer exists",
    hint: "the webhook was removed: create a new one (or re-enable it if it was only disabled)",
  },
  no_active_hooks: {
    message: "the webhook is disabled",
    hint: "re-enable incoming webhooks for the app, or create a new one",
  },
  no_service_id: {
    message: "the webhook URL is incomplete",
    hint: "copy the full URL from the app's Incoming Webhooks page",
  },
  no_team: { message: "the webhook's workspace was not found", hint: "create a new webhook" },
  team_disabled: { message: "the workspace is disabled", hint: "create a webhook in an active workspace" },
  channel_is_archived: {
    message: "the webhook's channel is archived",
    hint: "unarchive the channel, or create a webhook for another channel",
  },
  posting_to_general_channel_denied: {
    message: "only admins may post to #general",
    hint: "point the webhook at another channel",
  },
  user_not_found: { message: "the webhook's user was not found", hint: "create a new webhook" },
};

/**
 * Slack's answers that mean the webhook itself cannot take messages in this run (removed,
 * disabled, revoked, its channel gone or archived): its later pages are not attempted.
 */
const WEBHOOK_UNUSABLE = new Set([
  "no_service",
  "channel_not_found",
  "channel_is_archived",
  "action_prohibited",
  "invalid_token",
  "no_active_hooks",
  "team_disabled",
]);

/**
 * Sends one message to one incoming webhook with Node's fetch. It only renders the request
 * and classifies the response; pacing, retries and budgets are core's delivery engine.
 */
@injectable()
export class WebhookNotifier implements Notifier {
  /** The host is all it needs: `fetch` (with the run's proxy) and the failure classification. */
  constructor(@inject(TOKENS.Host) private readonly host: PluginHost) {}

  async send(message: OutboundMessage, ctx: SendContext): Promise<SendResult> {
    const { url } = message.destination.address as WebhookAddress;
    const body = { ...message.payload, ...(message.threadTs ? { thread_ts: message.threadTs } : {}) };
    let res: Response;
    try {
      res = await this.host.fetch(url.reveal(), {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify(body),
        signal: ctx.signal,
        // A redirect would send the payload somewhere we did not choose.
        redirect: "error",
      });
    } catch (e) {
      const timeout = (ctx.signal.reason as Error | undefined)?.name === "TimeoutError";
      return { ok: false, failure: this.host.classifyNetworkError(timeout ? ctx.signal.reason : e, ctx.timeoutMs) };
    }
    let text = "";
    try {
      // Bounded: a server (or proxy) answering with an endless body costs 64 KiB and at most
      // the request timeout, not the process's memory. Slack's answers are a few bytes.
      const { bytes } = await readBoundedBody(res, ctx.signal, MAX_BODY_BYTES);
      text = new TextDecoder().decode(bytes).trim();
    } catch {
      /* body lost after the status (cut at the timeout, connection dropped): the status decides */
    }
    if (res.ok) return { ok: true };
    return { ok: false, failure: classifyWebhookResponse(res.status, text, res.headers.get("retry-after"), this.host) };
  }
}

export function classifyWebhookResponse(
  status: number,
  body: string,
  retryAfter: string | null,
  host: Pick<PluginHost, "classifyHttpStatus">,
): DeliveryFailure {
  const base = host.classifyHttpStatus(status, body, retryAfter);
  const known = KNOWN[body];
  if (status === 429 || status >= 500) return base;
  if (known)
    return {
      ...base,
      code: body,
      message: `${known.message} (HTTP ${status} ${body})`,
      hint: known.hint,
      retry: "never",
      scope: WEBHOOK_UNUSABLE.has(body) ? "destination" : "message",
    };
  return { ...base, hint: "Slack refused the request; check the webhook in the app's settings" };
}
