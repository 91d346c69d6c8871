import { type Destination, type OutboundMessage } from "./destination.js";
import { type DeliveryFailure } from "./failure.js";

/** What `Notifier.send` gets besides the message. */
export interface SendContext {
  /** Aborts at the per-request timeout or when the run's time budget ends. */
  signal: AbortSignal;
  /** 1 for the first try. */
  attempt: number;
  /** The per-request timeout behind `signal`, for messages. */
  timeoutMs: number;
}

/** What one send came to: accepted (with the service's ids, if any) or a classified failure. */
export type SendResult = { ok: true; ts?: string; channel?: string } | { ok: false; failure: DeliveryFailure };

/** Delivers one message to one destination; pacing, retries and budgets are core's. */
export interface Notifier {
  /**
   * Once per run, before the run is planned (skipped in dry run): check credentials, resolve
   * channel names. May return destinations with new keys or addresses (same order); the plan
   * is made for those. Throw a `UserError` for a problem that makes every send pointless
   * (exit 2); any other error (no answer, a network failure) fails every message like a
   * delivery failure (exit 1, outbox). `signal` fires when the run's time budget ends; each
   * request should also end after `ctx.timeoutMs` (the run's per-request timeout).
   */
  prepare?(destinations: Destination[], signal: AbortSignal, ctx?: { timeoutMs: number }): Promise<Destination[]>;
  /** Send one message. Classify every failure (never throw): its `retry` and `scope` steer the engine. */
  send(message: OutboundMessage, ctx: SendContext): Promise<SendResult>;
}
