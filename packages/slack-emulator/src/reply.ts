/**
 * What a handler decided to send, plus the record describing it. Handlers build Replies;
 * only the server writes to sockets, so handlers stay plain functions that are easy to test.
 */
import { type RecordDraft } from "./records.js";

export interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly record: RecordDraft;
}

export const JSON_TYPE = "application/json; charset=utf-8";
/** Slack answers webhooks with text/html bodies such as `ok` or `invalid_payload`. */
export const WEBHOOK_TYPE = "text/html";

export interface ReplyOptions {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Record fields to set on top of the draft (ts, channel, …). */
  readonly record?: Partial<RecordDraft>;
}

/** A Web API answer: HTTP 200 with `{ok, …}` unless told otherwise. */
export function apiReply(draft: RecordDraft, body: Record<string, unknown>, options: ReplyOptions = {}): Reply {
  const status = options.status ?? 200;
  const error = typeof body["error"] === "string" ? body["error"] : undefined;
  return {
    status,
    contentType: JSON_TYPE,
    body: JSON.stringify(body),
    headers: options.headers ?? {},
    record: { ...draft, ...options.record, status, ok: status === 200 && body["ok"] === true, error },
  };
}

/** A webhook answer: `ok` with 200, otherwise the error string as the body. */
export function webhookReply(draft: RecordDraft, status: number, text: string, options: ReplyOptions = {}): Reply {
  const ok = status === 200;
  return {
    status,
    contentType: WEBHOOK_TYPE,
    body: text,
    headers: options.headers ?? {},
    record: { ...draft, ...options.record, status, ok, error: ok ? undefined : text },
  };
}
