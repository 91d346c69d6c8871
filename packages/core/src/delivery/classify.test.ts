import { describe, expect, it } from "vitest";
import { type DeliveryFailure } from "../contract/failure.js";
import { classifyHttpStatus, classifyNetworkError, parseRetryAfter } from "./classify.js";
import { decideRetry, DEFAULT_RETRY_POLICY } from "./retry.js";
import { Semaphore, TokenBucket } from "./token-bucket.js";

describe("classifyHttpStatus", () => {
  it.each([
    // status, body, Retry-After → code, retry, retryAfterMs
    [429, "", "30", "rate_limited", "after", 30_000],
    [429, "rate_limited", null, "rate_limited", "after", 1_000],
    [429, "", "0.5", "rate_limited", "after", 500],
    [500, "", null, "http_500", "backoff", undefined],
    [502, "<html>Bad Gateway</html>", null, "http_502", "backoff", undefined],
    [503, "service_unavailable", null, "service_unavailable", "backoff", undefined],
    [504, "", null, "http_504", "backoff", undefined],
    [408, "", null, "http_408", "backoff", undefined],
    [400, "invalid_payload", null, "invalid_payload", "never", undefined],
    [400, "invalid_blocks", null, "invalid_blocks", "never", undefined],
    [403, "action_prohibited", null, "action_prohibited", "never", undefined],
    [404, "no_service", null, "no_service", "never", undefined],
    [404, "", null, "http_404", "never", undefined],
    [410, "channel_is_archived", null, "channel_is_archived", "never", undefined],
    [401, "A long HTML error page that is not a Slack error code at all", null, "http_401", "never", undefined],
  ] as const)("%i %j (Retry-After %j) → %s, %s", (status, body, retryAfter, code, retry, retryAfterMs) => {
    const f = classifyHttpStatus(status, body, retryAfter);
    expect(f.code).toBe(code);
    expect(f.retry).toBe(retry);
    expect(f.retryAfterMs).toBe(retryAfterMs);
    expect(f.message).toContain(`HTTP ${status}`);
    expect(f.message).not.toContain("<html>"); // a body is never echoed unless it is a Slack error code
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2024-05-01T12:00:00Z");
    expect(parseRetryAfter("12", now)).toBe(12_000);
    expect(parseRetryAfter("Wed, 01 May 2024 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 01 May 2024 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe("classifyNetworkError", () => {
  const withCause = (code: string) =>
    Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(code), { code }) });
  it.each([
    [Object.assign(new Error("t"), { name: "TimeoutError" }), "timeout", "backoff", true, /no response within 2.5 s/],
    [Object.assign(new Error("a"), { name: "AbortError" }), "aborted", "never", true, /time budget/],
    [withCause("ECONNREFUSED"), "network", "backoff", undefined, /connection refused/],
    [withCause("ECONNRESET"), "network", "backoff", undefined, /connection reset/],
    [withCause("ENOTFOUND"), "network", "backoff", undefined, /host not found/],
    [withCause("UND_ERR_SOCKET"), "network", "backoff", undefined, /closed by the server/],
    [new TypeError("fetch failed"), "network", "backoff", undefined, /network error: fetch failed/],
    ["not even an error", "network", "backoff", undefined, /network error/],
  ])("%s → %s", (err, code, retry, maybeDelivered, message) => {
    const f = classifyNetworkError(err, 2_500);
    expect(f).toMatchObject({ code, retry });
    expect(f.maybeDelivered).toBe(maybeDelivered);
    expect(f.message).toMatch(message);
  });
});

describe("decideRetry", () => {
  const p = { ...DEFAULT_RETRY_POLICY, jitter: 0 };
  const f = (retry: DeliveryFailure["retry"], extra: Partial<DeliveryFailure> = {}): DeliveryFailure => ({
    code: "x",
    message: "x",
    retry,
    ...extra,
  });
  it.each([
    ["permanent", f("never"), 1, 0, { retry: false }],
    ["scope notifier, even if marked retryable", f("backoff", { scope: "notifier" }), 1, 0, { retry: false }],
    [
      "429 waits Retry-After",
      f("after", { retryAfterMs: 30_000 }),
      1,
      0,
      { retry: true, delayMs: 30_000, rateLimited: true },
    ],
    ["429 without Retry-After waits 1 s", f("after"), 1, 0, { retry: true, delayMs: 1_000, rateLimited: true }],
    ["429 beyond maxRetryAfterMs", f("after", { retryAfterMs: 61_000 }), 1, 0, { retry: false }],
    ["429 too many times", f("after", { retryAfterMs: 1_000 }), 1, 6, { retry: false }],
    ["backoff 1st", f("backoff"), 1, 0, { retry: true, delayMs: 500, rateLimited: false }],
    ["backoff 2nd", f("backoff"), 2, 0, { retry: true, delayMs: 1_000, rateLimited: false }],
    ["backoff 3rd", f("backoff"), 3, 0, { retry: true, delayMs: 2_000, rateLimited: false }],
    ["backoff exhausted", f("backoff"), 4, 0, { retry: false }],
  ])("%s", (_label, failure, attempt, rateLimited, expected) => {
    expect(decideRetry(failure, attempt, rateLimited, p, () => 0.5)).toEqual(expected);
  });

  it("caps the backoff and spreads it by the jitter", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 20, jitter: 0.2 };
    expect(decideRetry(f("backoff"), 15, 0, policy, () => 0.5)).toEqual({
      retry: true,
      delayMs: 15_000,
      rateLimited: false,
    });
    expect(decideRetry(f("backoff"), 1, 0, policy, () => 0)).toMatchObject({ delayMs: 400 });
    expect(decideRetry(f("backoff"), 1, 0, policy, () => 1)).toMatchObject({ delayMs: 600 });
  });
});

describe("TokenBucket and Semaphore", () => {
  it("bucket: burst, then one token per 1/rate; a pause holds the key and forbids a burst after", () => {
    const b = new TokenBucket(2, 2, 0);
    expect(b.delay(0)).toBe(0);
    b.take(0);
    b.take(0);
    expect(b.delay(0)).toBe(500);
    expect(b.delay(250)).toBe(250);
    expect(b.delay(500)).toBe(0);
    b.take(500);
    b.pause(500, 10_000);
    expect(b.delay(600)).toBe(9_900);
    expect(b.delay(10_500)).toBe(0);
    b.take(10_500);
    expect(b.delay(10_500)).toBe(500); // only one token after a pause
  });

  it("semaphore: at most N holders, FIFO hand-over", async () => {
    const s = new Semaphore(1);
    const order: string[] = [];
    await s.acquire();
    const a = s.acquire().then(() => order.push("a"));
    const b = s.acquire().then(() => order.push("b"));
    expect(order).toEqual([]);
    s.release();
    await a;
    expect(order).toEqual(["a"]);
    s.release();
    await b;
    expect(order).toEqual(["a", "b"]);
  });
});
