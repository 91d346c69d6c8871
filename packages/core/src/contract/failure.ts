/**
 * How far a failure reaches, said by whoever classified it (the notifier knows its service's
 * error codes; core knows only HTTP and the network):
 * - `message`: only this message failed (its content, say); the destination's other pages are sent;
 * - `destination`: this destination cannot take messages in this run (a removed webhook, an
 *   archived channel): its later pages are reported `not sent`, other destinations go on;
 * - `notifier`: nothing this notifier sends can succeed in this run (a revoked token, wrong proxy
 *   credentials): everything not yet sent is reported `not sent`.
 */
export type FailureScope = "message" | "destination" | "notifier";

/** What went wrong, classified so the engine knows whether and when to try again, and what else it dooms. */
export interface DeliveryFailure {
  /** The service's error string or ours: `no_service`, `not_in_channel`, `http_503`, `timeout`, `network`. */
  code: string;
  message: string;
  hint?: string;
  /**
   * `never`: permanent (config or content); `after`: wait `retryAfterMs` (429);
   * `backoff`: transient (5xx, reset, refused before any response).
   */
  retry: "never" | "after" | "backoff";
  retryAfterMs?: number;
  /**
   * What else this failure dooms. Default: the destination when it is the destination's first
   * page or a transient failure that outlasted its retries (later pages would hit the same
   * wall), else the message alone. A `notifier` failure is never retried.
   */
  scope?: FailureScope;
  /** The request may have reached the service (a timeout after sending): retrying could duplicate. */
  maybeDelivered?: boolean;
}

/** The scope of `failure` for a message that was page `index` of its destination (see `DeliveryFailure.scope`). */
export function failureScope(failure: DeliveryFailure, index: number): FailureScope {
  return failure.scope ?? (index === 1 || failure.retry !== "never" ? "destination" : "message");
}
