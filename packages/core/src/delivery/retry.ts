import { type DeliveryFailure } from "../contract/failure.js";

/** How failed sends are retried. Data, so users and tests can read and change it. */
export interface RetryPolicy {
  /** Tries per message for transient failures (5xx, resets, timeouts), first one included. */
  maxAttempts: number;
  /** Tries per message when Slack says 429; each waits Retry-After. */
  maxRateLimitedAttempts: number;
  /** Exponential backoff: base × factor^(attempt-1), capped, with ± jitter. */
  baseDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /** 0.2 = ±20 %, so parallel senders do not retry in lock step. */
  jitter: number;
  /** A Retry-After longer than this is not waited for: the message fails with `rate_limited`. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  maxRateLimitedAttempts: 6,
  baseDelayMs: 500,
  factor: 2,
  maxDelayMs: 15_000,
  jitter: 0.2,
  maxRetryAfterMs: 60_000,
};

export type RetryDecision = { retry: false } | { retry: true; delayMs: number; rateLimited: boolean };

/**
 * The whole retry classification in one place (tested as a table):
 * - `never` (permanent: config, content, auth) → no retry;
 * - `after` (429) → wait Retry-After, up to maxRateLimitedAttempts;
 * - `backoff` (5xx, reset, refused, timeout) → exponential backoff with jitter, up to maxAttempts.
 */
export function decideRetry(
  failure: DeliveryFailure,
  attempt: number,
  rateLimitedAttempts: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  if (failure.scope === "notifier" || failure.retry === "never") return { retry: false };
  if (failure.retry === "after") {
    const wait = failure.retryAfterMs ?? 1000;
    if (rateLimitedAttempts >= policy.maxRateLimitedAttempts || wait > policy.maxRetryAfterMs) return { retry: false };
    return { retry: true, delayMs: wait, rateLimited: true };
  }
  if (attempt >= policy.maxAttempts) return { retry: false };
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** (attempt - 1));
  const jittered = raw * (1 - policy.jitter + 2 * policy.jitter * random());
  return { retry: true, delayMs: Math.round(jittered), rateLimited: false };
}
