/**
 * Incoming webhooks: `POST /services/<team>/<hook>/<secret>` with a JSON message. Slack
 * answers 200 `ok`, or a non-200 status with the error string as a text/html body (see
 * webhook-errors.ts for the statuses). The hook is bound to one channel; `channel`,
 * `username` and icon fields in the payload cannot override it (incoming-webhooks page).
 */
import { type EmulatorContext } from "./context.js";
import { parseWebhookBody } from "./http-io.js";
import { type RecordDraft } from "./records.js";
import { type Reply, webhookReply } from "./reply.js";
import { validateMessage } from "./validate.js";
import { WEBHOOK_ERROR_STATUS } from "./webhook-errors.js";
import { type ResolvedHook } from "./workspace.js";

/** Statuses for content errors; Slack answers invalid messages with 400. */
const INVALID_STATUS = 400;

/**
 * Answers one webhook request. `hook` is undefined when the URL matched no hook; `draft`
 * already holds the hook, its channel and the parsed payload.
 */
export function handleWebhook(
  ctx: EmulatorContext,
  hook: ResolvedHook | undefined,
  body: Buffer,
  draft: RecordDraft,
): Reply {
  // A wrong team, hook ID or secret looks like a removed hook.
  if (hook === undefined) return webhookReply(draft, WEBHOOK_ERROR_STATUS.no_service, "no_service");
  if (hook.error !== undefined) return webhookReply(draft, WEBHOOK_ERROR_STATUS[hook.error], hook.error);
  const channel = ctx.directory.channelById(hook.channel);
  if (channel === undefined) return webhookReply(draft, WEBHOOK_ERROR_STATUS.channel_not_found, "channel_not_found");
  if (channel.archived) return webhookReply(draft, WEBHOOK_ERROR_STATUS.channel_is_archived, "channel_is_archived");

  const payload = parseWebhookBody(body);
  if (payload === undefined) return webhookReply(draft, INVALID_STATUS, "invalid_payload");

  const limitKeys = { bucket: `hook:${hook.name}`, workspace: true };
  const retryAfter = ctx.limiter.check(limitKeys);
  if (retryAfter > 0) {
    return webhookReply(draft, 429, "rate_limited", {
      headers: { "retry-after": String(retryAfter) },
      record: { retryAfter },
    });
  }
  const verdict = validateMessage(payload);
  if (!verdict.ok) return webhookReply(draft, INVALID_STATUS, verdict.error);

  // Webhooks do not return a ts, but the message gets one so it can be a thread parent.
  const ts = ctx.store.nextTs();
  const threadTs = typeof payload["thread_ts"] === "string" ? payload["thread_ts"] : undefined;
  ctx.store.add({
    channel: channel.id,
    ts,
    text: verdict.text,
    blocks: payload["blocks"],
    ...(threadTs === undefined ? {} : { threadTs }),
  });
  ctx.limiter.consume(limitKeys);
  return webhookReply(draft, 200, "ok", {
    record: {
      ts,
      threadTs,
      ...(verdict.truncated ? { truncated: true, payload: { ...draft.payload, text: verdict.text } } : {}),
    },
  });
}
