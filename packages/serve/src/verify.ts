/**
 * Slack's request signature (v0): HMAC-SHA256 of `v0:<timestamp>:<raw body>` under the signing
 * secret, sent as `X-Slack-Signature: v0=<hex>` with `X-Slack-Request-Timestamp`. Checked on the
 * raw bytes (a re-serialised body would not match), compared in constant time, and the timestamp
 * must be within five minutes of now in BOTH directions: Bolt's verifier only refuses old ones,
 * so a request stamped an hour ahead (captured, then replayed later) would pass it.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** Slack: "If the request timestamp is more than five minutes from local time, it could be a replay attack". */
export const MAX_SKEW_SECONDS = 300;

export type SignatureCheck =
  | { ok: true }
  | { ok: false; reason: "missing_headers" | "bad_timestamp" | "stale" | "future" | "bad_signature" };

export function sign(secret: string, timestamp: string, body: Buffer | string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:`).update(body).digest("hex")}`;
}

/**
 * Whether `body` was signed by someone holding `secret`. `nowMs` is injectable for tests.
 * Throws for an empty secret: a receiver with no secret would accept anything signed with "".
 */
export function verifySignature(
  secret: string,
  headers: { timestamp?: string | undefined; signature?: string | undefined },
  body: Buffer,
  nowMs: number = Date.now(),
): SignatureCheck {
  if (secret.length === 0) throw new TypeError("the signing secret is empty");
  const { timestamp, signature } = headers;
  if (timestamp === undefined || signature === undefined) return { ok: false, reason: "missing_headers" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "bad_timestamp" };
  const skew = Math.floor(nowMs / 1000) - Number(timestamp);
  if (skew > MAX_SKEW_SECONDS) return { ok: false, reason: "stale" };
  if (skew < -MAX_SKEW_SECONDS) return { ok: false, reason: "future" };
  const expected = Buffer.from(sign(secret, timestamp, body), "utf8");
  const given = Buffer.from(signature, "utf8");
  // timingSafeEqual needs equal lengths; the length of a v0 signature is public anyway.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "bad_signature" };
  return { ok: true };
}
