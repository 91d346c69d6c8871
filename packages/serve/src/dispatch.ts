/**
 * What both transports share: each delivery is handled once (a second delivery of the same
 * envelope, event or click is acked and dropped), the ack goes out within Slack's 3 s whatever
 * the handler does (a slow answer to a slash command is sent to its response_url instead), the
 * work after the ack is tracked so a shutdown can wait for it, and nothing is taken once draining.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type ServeLogger } from "./log.js";

export type InboundKind = "interactive" | "slash_commands" | "events_api";

export interface Inbound {
  readonly kind: InboundKind;
  readonly transport: "socket" | "http";
  readonly payload: Record<string, unknown>;
  /** Identifies the delivered thing: a redelivery (or a retry, or another transport) has the same key. */
  readonly key: string;
  /** Socket Mode's envelope id, for logs. */
  readonly envelopeId?: string;
}

export interface Reply {
  /** The ack's payload (Socket Mode) or the HTTP response body: a slash command's answer, for example. */
  readonly ack?: Record<string, unknown>;
  /** Work done after the ack (store writes, chat.update); a failure is logged, never thrown at Slack. */
  readonly after?: () => Promise<void>;
}

export interface InboundHandler {
  handle(inbound: Inbound): Promise<Reply> | Reply;
}

/** Bounded memory of keys seen, each forgotten after `ttlMs`. */
export class SeenSet {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly ttlMs: number,
    private readonly max = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True the first time `key` is offered (within the ttl), false after. */
  claim(key: string): boolean {
    const t = this.now();
    for (const [k, at] of this.seen) {
      // Insertion order is age order: stop at the first one still fresh.
      if (t - at < this.ttlMs && this.seen.size < this.max) break;
      this.seen.delete(k);
    }
    if (this.seen.has(key)) return false;
    this.seen.set(key, t);
    return true;
  }
}

/** The identity of a delivery, the same across redeliveries, retries and replicas. */
export function deliveryKey(kind: InboundKind, payload: Record<string, unknown>, fallback: string): string {
  if (kind === "events_api" && typeof payload["event_id"] === "string") return `event:${payload["event_id"]}`;
  // Slack issues one trigger_id per user action: the same click delivered twice carries the same one.
  if (typeof payload["trigger_id"] === "string") return `${kind}:${payload["trigger_id"]}`;
  return `${kind}:${fallback}`;
}

export interface DispatcherOptions {
  /** How long the handler may take to produce the ack's payload; Slack's deadline is 3 s. @default 2000 */
  ackBudgetMs?: number;
  /** How long a delivery key is remembered. @default 1 hour (Slack retries events for up to 5 minutes) */
  dedupTtlMs?: number;
  /** For late slash-command answers to response_url. */
  fetch?: typeof fetch;
}

export class Dispatcher {
  private readonly seen: SeenSet;
  private readonly inflight = new Set<Promise<void>>();
  private accepting = true;
  private readonly ackBudgetMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(
    private readonly handler: InboundHandler,
    private readonly logger: ServeLogger,
    options: DispatcherOptions = {},
  ) {
    this.seen = new SeenSet(options.dedupTtlMs ?? 3_600_000);
    this.ackBudgetMs = options.ackBudgetMs ?? 2000;
    this.fetchFn = options.fetch ?? fetch;
  }

  get draining(): boolean {
    return !this.accepting;
  }

  /** Stops taking new deliveries; `receive` then refuses (the transport answers so Slack redelivers). */
  stopAccepting(): void {
    this.accepting = false;
  }

  /** Resolves once every started handler and its after-ack work has finished. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /**
   * Handles one delivery; resolves with the ack payload (undefined: an empty ack) within the
   * ack budget. `"draining"` when no longer accepting: the transport must not ack.
   */
  async receive(inbound: Inbound): Promise<Record<string, unknown> | undefined | "draining"> {
    if (!this.accepting) return "draining";
    const started = Date.now();
    const fields = { kind: inbound.kind, transport: inbound.transport, envelope_id: inbound.envelopeId };
    if (!this.seen.claim(inbound.key)) {
      this.logger.log("info", "duplicate_dropped", { ...fields, key: inbound.key });
      return undefined;
    }
    let settle!: (r: Reply | undefined) => void;
    const replied = new Promise<Reply | undefined>((r) => (settle = r));
    const job = (async () => {
      let reply: Reply | undefined;
      try {
        reply = await this.handler.handle(inbound);
      } catch (e) {
        this.logger.log("error", "handler_failed", { ...fields, error: errorText(e) });
      }
      settle(reply);
      return reply;
    })();
    const budget = new AbortController();
    const first = await Promise.race([
      replied.then((r) => ({ r })),
      sleep(this.ackBudgetMs, "late" as const, { signal: budget.signal }).catch(() => "late" as const),
    ]);
    budget.abort();
    const late = first === "late";
    const track = (async () => {
      const reply = await job;
      if (late && reply?.ack !== undefined) await this.answerLate(inbound, reply.ack);
      if (reply?.after !== undefined) {
        try {
          await reply.after();
        } catch (e) {
          this.logger.log("error", "work_failed", { ...fields, error: errorText(e) });
        }
      }
      this.logger.log("info", "handled", { ...fields, ms: Date.now() - started, late: late || undefined });
    })();
    this.inflight.add(track);
    void track.finally(() => this.inflight.delete(track));
    return late ? undefined : (first as { r: Reply | undefined }).r?.ack;
  }

  /** An answer that missed the ack goes to the response_url, as Slack allows for 30 minutes. */
  private async answerLate(inbound: Inbound, body: Record<string, unknown>): Promise<void> {
    const url = inbound.payload["response_url"];
    if (typeof url !== "string" || !/^https?:\/\//.test(url)) {
      this.logger.log("warn", "late_answer_lost", { kind: inbound.kind, reason: "no response_url" });
      return;
    }
    try {
      const res = await this.fetchFn(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      if (!res.ok) this.logger.log("warn", "late_answer_refused", { kind: inbound.kind, status: res.status });
    } catch (e) {
      this.logger.log("warn", "late_answer_failed", { kind: inbound.kind, error: errorText(e) });
    }
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
