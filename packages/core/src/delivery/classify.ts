import { type DeliveryFailure } from "../contract/failure.js";

/** Parse `Retry-After` (seconds, or an HTTP date) into milliseconds; Slack sends whole seconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s) && s >= 0) return Math.ceil(s * 1000);
  const d = Date.parse(value);
  return Number.isNaN(d) ? undefined : Math.max(0, d - now);
}

/**
 * Classify a failed HTTP exchange that is not Slack-specific: 429 waits Retry-After, 5xx and
 * 408 back off, other 4xx are permanent. Notifiers refine the codes Slack documents.
 */
export function classifyHttpStatus(status: number, body: string, retryAfter?: string | null): DeliveryFailure {
  const code =
    body.trim() && body.trim().length <= 64 && /^[a-z_]+$/.test(body.trim()) ? body.trim() : `http_${status}`;
  if (status === 429) {
    const ms = parseRetryAfter(retryAfter);
    return {
      code: "rate_limited",
      message: `rate limited (HTTP 429${ms !== undefined ? `, Retry-After ${Math.ceil(ms / 1000)} s` : ""})`,
      retry: "after",
      retryAfterMs: ms ?? 1000,
    };
  }
  if (status >= 500 || status === 408) {
    return {
      code,
      message: `server error (HTTP ${status}${code !== `http_${status}` ? ` ${code}` : ""})`,
      hint: "Slack (or a proxy in between) kept failing and was retried until the run gave up; check status.slack.com, keep the messages with --outbox FILE and re-send them later with socket-notify retry FILE",
      retry: "backoff",
    };
  }
  return { code, message: `refused (HTTP ${status}${code !== `http_${status}` ? ` ${code}` : ""})`, retry: "never" };
}

/**
 * Network-level failure of a fetch. Whether the request may have arrived matters for
 * duplicates: a refused or reset connection before any response is safe to retry; a timeout
 * after the body was sent may have been delivered (we still retry: a lost alert is worse
 * than a duplicate, and the report says so).
 */
export function classifyNetworkError(err: unknown, timeoutMs: number): DeliveryFailure {
  const e = err as { name?: unknown; code?: unknown; cause?: { code?: unknown; name?: unknown } };
  const name = typeof e?.name === "string" ? e.name : "";
  // Only Node's string codes: a DOMException's `code` is a number (23 for a TimeoutError).
  const code = [e?.cause?.code, e?.code].find((c): c is string => typeof c === "string") ?? "";
  if (name === "TimeoutError" || e?.cause?.name === "TimeoutError") {
    return {
      code: "timeout",
      message: `no response within ${Math.round(timeoutMs / 100) / 10} s`,
      hint: "Slack was slow or unreachable; it is retried, and the request timeout is `request_timeout` in the config",
      retry: "backoff",
      maybeDelivered: true,
    };
  }
  if (name === "ProxyError") {
    // proxy.ts: the proxy from HTTPS_PROXY/HTTP_PROXY failed; its message names it without credentials.
    const p = err as { code: string; message: string; hint: string };
    // Wrong proxy credentials fail every request alike: stop the run rather than retry each one.
    if (p.code === "proxy_auth")
      return { code: p.code, message: p.message, hint: p.hint, retry: "never", scope: "notifier" };
    return { code: p.code, message: p.message, hint: p.hint, retry: "backoff" };
  }
  if (name === "AbortError") {
    return {
      code: "aborted",
      message: "cancelled: the run's time budget ran out",
      retry: "never",
      maybeDelivered: true,
    };
  }
  const known: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ECONNRESET: "connection reset",
    ENOTFOUND: "host not found",
    EAI_AGAIN: "DNS lookup failed",
    ETIMEDOUT: "connection timed out",
    UND_ERR_SOCKET: "connection closed by the server",
    UND_ERR_CONNECT_TIMEOUT: "connect timed out",
    RESPONSE_TOO_LARGE:
      "the response body was too large (a proxy or server answering with something that is not Slack?)",
  };
  return {
    code: "network",
    message: `network error: ${known[code] ?? (code || "fetch failed")}`,
    hint: "check the network path to Slack (proxy, firewall); it is retried",
    retry: "backoff",
  };
}
