/**
 * `POST /_emulator/response/<id>`: an interaction's or slash command's response_url. JSON body
 * as Slack takes it: `replace_original` edits the message clicked on, `delete_original` deletes
 * it, otherwise a new message is posted, `response_type: "in_channel"` for everyone or (the
 * default) ephemeral for the user who acted. Valid for 30 minutes and 5 uses. Recorded as
 * `kind: "response"`: it is the app talking to Slack.
 */
import { type EmulatorContext } from "./context.js";
import { parseWebhookBody } from "./http-io.js";
import { type RecordDraft } from "./records.js";
import { apiReply, type Reply } from "./reply.js";
import { validateMessage } from "./validate.js";

function booleanField(value: unknown): boolean {
  return value === true || value === "true";
}

export function handleResponseUrl(ctx: EmulatorContext, id: string, body: Buffer): Reply {
  const payload = parseWebhookBody(body);
  const draft: RecordDraft = { kind: "response", status: 0, ok: false, payload: payload ?? {} };
  const target = ctx.app.useResponseUrl(id);
  if (typeof target === "string") return apiReply(draft, { ok: false, error: target }, { status: 404 });
  const channel = ctx.directory.channelById(target.channel);
  const where: Partial<RecordDraft> = {
    channel: target.channel,
    ...(channel === undefined ? {} : { channelName: channel.name }),
  };
  if (payload === undefined)
    return apiReply(draft, { ok: false, error: "invalid_payload" }, { status: 400, record: where });
  const original = target.messageTs === undefined ? undefined : ctx.store.get(target.channel, target.messageTs);

  if (booleanField(payload["delete_original"])) {
    if (original === undefined || target.messageTs === undefined)
      return apiReply(draft, { ok: false, error: "message_not_found" }, { status: 404, record: where });
    ctx.store.remove(target.channel, target.messageTs);
    return apiReply(draft, { ok: true }, { record: { ...where, action: "delete_original", ts: target.messageTs } });
  }
  const verdict = validateMessage(payload);
  if (!verdict.ok) {
    return apiReply(
      draft,
      { ok: false, error: verdict.error, ...(verdict.errors.length > 0 ? { errors: verdict.errors } : {}) },
      { status: 400, record: where },
    );
  }
  if (booleanField(payload["replace_original"]) && original !== undefined) {
    original.text = verdict.text;
    original.blocks = payload["blocks"];
    return apiReply(draft, { ok: true }, { record: { ...where, action: "replace_original", ts: original.ts } });
  }
  const ts = ctx.store.nextTs();
  const threadTs = typeof payload["thread_ts"] === "string" ? payload["thread_ts"] : undefined;
  if (payload["response_type"] === "in_channel") {
    const userId = ctx.directory.workspace.tokens.find((t) => t.token === ctx.directory.workspace.app.botToken)?.userId;
    ctx.store.add({
      channel: target.channel,
      ts,
      text: verdict.text,
      blocks: payload["blocks"],
      ...(userId === undefined ? {} : { userId }),
      ...(threadTs === undefined ? {} : { threadTs }),
    });
    return apiReply(
      draft,
      { ok: true },
      { record: { ...where, action: "post", ts, ...(threadTs === undefined ? {} : { threadTs }) } },
    );
  }
  return apiReply(
    draft,
    { ok: true },
    { record: { ...where, action: "post", ts, ephemeral: true, user: target.userId } },
  );
}
