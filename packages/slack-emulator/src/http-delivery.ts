/**
 * HTTP delivery to the app's request URL, signed as Slack signs: `X-Slack-Request-Timestamp`
 * and `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<ts>:<raw body>">`. Interactions are
 * form-encoded with one `payload` field, slash commands are their form fields, events are JSON.
 * The app must answer 2xx within the deadline (3 s); events are retried with
 * `X-Slack-Retry-Num` / `X-Slack-Retry-Reason` unless the answer says `X-Slack-No-Retry: 1`.
 * Tamper knobs send what an attacker would (bad signature, stale or future timestamp, a
 * replayed request, an oversized body) so a receiver's verification can be tested.
 */
import { createHmac } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

export type DeliveryKind = "event" | "interactive" | "command" | "url_verification";
export type Tamper = "signature" | "stale_timestamp" | "future_timestamp" | "oversized";
export const TAMPERS: readonly Tamper[] = ["signature", "stale_timestamp", "future_timestamp", "oversized"];

/** A stale or future timestamp is this far from now: beyond Slack's 5-minute window. */
export const TAMPER_SKEW_S = 10 * 60;
/** An oversized body is padded past this (far beyond any request Slack sends). */
export const OVERSIZED_BYTES = 2 * 1024 * 1024;
/** At most this much of an answer body is kept. */
const MAX_RESPONSE_CHARS = 64 * 1024;

export interface HttpDeliveryRecord {
  /** 1, 2, 3… in the order sent. */
  seq: number;
  at: string;
  kind: DeliveryKind;
  url: string;
  content_type: string;
  timestamp: string;
  /** `v0=…` as sent (a test value: the emulator's own signing secret). */
  signature: string;
  body_bytes: number;
  retry_num?: number;
  retry_reason?: string;
  tamper?: Tamper;
  /** A byte-for-byte resend of request `replay_of`. */
  replay_of?: number;
  /** The answer's HTTP status; undefined when none came. */
  status?: number;
  /** `http_timeout` (no answer within the deadline) or `connection_failed`. */
  error?: "http_timeout" | "connection_failed";
  ms: number;
  /** The answer body (JSON parsed when it is JSON). */
  response?: unknown;
}

export interface HttpDelivery {
  delivered: boolean;
  /** 2xx within the deadline. */
  acked: boolean;
  ack_ms?: number;
  status?: number;
  response?: unknown;
  error?: string;
  seq?: number;
}

interface SentRequest {
  readonly url: string;
  readonly kind: DeliveryKind;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface HttpDeliveryOptions {
  readonly timeoutMs: number;
  readonly eventRetryDelaysMs: readonly number[];
}

/** Slack's signature: `v0=` + hex HMAC-SHA256(secret, `v0:<timestamp>:<body>`). */
export function slackSignature(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

function parseAnswer(text: string): unknown {
  const cut = text.length > MAX_RESPONSE_CHARS ? text.slice(0, MAX_RESPONSE_CHARS) : text;
  try {
    return JSON.parse(cut);
  } catch {
    return cut;
  }
}

export class HttpDeliverer {
  private log: HttpDeliveryRecord[] = [];
  private sent: SentRequest[] = [];
  private seq = 0;
  private generation = new AbortController();

  constructor(
    private readonly signingSecret: string,
    private readonly options: HttpDeliveryOptions,
  ) {}

  /** The body and content type Slack sends for each kind. */
  static encode(kind: DeliveryKind, payload: Record<string, unknown>): { body: string; contentType: string } {
    if (kind === "interactive") {
      return {
        body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
        contentType: "application/x-www-form-urlencoded",
      };
    }
    if (kind === "command") {
      const form = Object.entries(payload).map(([k, v]): [string, string] => [k, String(v)]);
      return { body: new URLSearchParams(form).toString(), contentType: "application/x-www-form-urlencoded" };
    }
    return { body: JSON.stringify(payload), contentType: "application/json" };
  }

  /**
   * POSTs a payload to `url` and waits for the answer or the deadline. Events not answered 2xx
   * are retried in the background (`X-Slack-Retry-Num` 1, 2, 3); the answer is the first attempt's.
   */
  async deliver(
    url: string,
    kind: DeliveryKind,
    payload: Record<string, unknown>,
    tamper?: Tamper,
  ): Promise<HttpDelivery> {
    let { body, contentType } = HttpDeliverer.encode(kind, payload);
    if (tamper === "oversized") {
      // Still valid and correctly signed: only the size gives it away.
      const pad = "x".repeat(OVERSIZED_BYTES);
      body =
        kind === "event" || kind === "url_verification"
          ? JSON.stringify({ ...payload, padding: pad })
          : `${body}&padding=${pad}`;
    }
    const first = await this.attempt(url, kind, body, contentType, tamper, undefined);
    if (kind === "event" && !first.acked && first.noRetry !== true)
      void this.retry(url, body, contentType, first.reason, this.generation.signal);
    const { noRetry: _n, reason: _r, ...answer } = first;
    return answer;
  }

  private async retry(
    url: string,
    body: string,
    contentType: string,
    reason: string,
    signal: AbortSignal,
  ): Promise<void> {
    for (const [i, delay] of this.options.eventRetryDelaysMs.entries()) {
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        return;
      }
      const result = await this.attempt(url, "event", body, contentType, undefined, { num: i + 1, reason });
      if (result.acked || result.noRetry === true) return;
      reason = result.reason;
    }
  }

  private async attempt(
    url: string,
    kind: DeliveryKind,
    body: string,
    contentType: string,
    tamper: Tamper | undefined,
    retry: { num: number; reason: string } | undefined,
  ): Promise<HttpDelivery & { noRetry?: boolean; reason: string }> {
    const now = Math.floor(Date.now() / 1000);
    const ts = String(
      tamper === "stale_timestamp" ? now - TAMPER_SKEW_S : tamper === "future_timestamp" ? now + TAMPER_SKEW_S : now,
    );
    let signature = slackSignature(this.signingSecret, ts, body);
    if (tamper === "signature") signature = slackSignature(`${this.signingSecret}-wrong`, ts, body);
    const headers: Record<string, string> = {
      "content-type": contentType,
      "x-slack-request-timestamp": ts,
      "x-slack-signature": signature,
      "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
      ...(retry === undefined ? {} : { "x-slack-retry-num": String(retry.num), "x-slack-retry-reason": retry.reason }),
    };
    return this.send(
      { url, kind, headers, body },
      {
        ...(tamper === undefined ? {} : { tamper }),
        ...(retry === undefined ? {} : { retry_num: retry.num, retry_reason: retry.reason }),
      },
    );
  }

  private async send(
    request: SentRequest,
    extra: Partial<HttpDeliveryRecord>,
  ): Promise<HttpDelivery & { noRetry?: boolean; reason: string }> {
    const seq = ++this.seq;
    this.sent.push(request);
    const record: HttpDeliveryRecord = {
      seq,
      at: new Date().toISOString(),
      kind: request.kind,
      url: request.url,
      content_type: request.headers["content-type"] ?? "",
      timestamp: request.headers["x-slack-request-timestamp"] ?? "",
      signature: request.headers["x-slack-signature"] ?? "",
      body_bytes: Buffer.byteLength(request.body),
      ...extra,
      ms: 0,
    };
    this.log.push(record);
    const started = performance.now();
    const deadline = AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.generation.signal]);
    try {
      const res = await fetch(request.url, {
        method: "POST",
        headers: request.headers,
        body: request.body,
        signal: deadline,
        redirect: "manual",
      });
      const text = await res.text();
      record.ms = Math.round(performance.now() - started);
      record.status = res.status;
      if (text.length > 0) record.response = parseAnswer(text);
      const acked = res.status >= 200 && res.status < 300;
      return {
        delivered: true,
        acked,
        ack_ms: record.ms,
        status: res.status,
        ...(record.response === undefined ? {} : { response: record.response }),
        seq,
        noRetry: res.headers.get("x-slack-no-retry") === "1",
        reason: res.status >= 300 && res.status < 400 ? "too_many_redirects" : "http_error",
      };
    } catch (error) {
      record.ms = Math.round(performance.now() - started);
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      record.error = timedOut ? "http_timeout" : "connection_failed";
      return { delivered: timedOut, acked: false, error: record.error, seq, reason: record.error };
    }
  }

  /** Sends request `seq` (default: the last one) again byte for byte: same timestamp, same signature. */
  async replay(seq?: number): Promise<HttpDelivery | undefined> {
    const index = (seq ?? this.seq) - 1;
    const request = this.sent[index];
    if (request === undefined) return undefined;
    const { noRetry: _n, reason: _r, ...answer } = await this.send(request, { replay_of: index + 1 });
    return answer;
  }

  records(): HttpDeliveryRecord[] {
    return structuredClone(this.log);
  }

  reset(): void {
    this.generation.abort();
    this.generation = new AbortController();
    this.log = [];
    this.sent = [];
    this.seq = 0;
  }
}
