import { inject, injectable } from "tsyringe";
import { type Clock } from "../clock.js";
import { type Logger } from "../logger.js";
import { type NotifierCapabilities } from "../contract/capabilities.js";
import { type Destination, type OutboundMessage } from "../contract/destination.js";
import { type DeliveryFailure, failureScope } from "../contract/failure.js";
import { type Notifier } from "../contract/notifier.js";
import { TOKENS } from "../contract/context.js";
import { AbortFanout } from "./abort-fanout.js";
import { requestSignal } from "./http-body.js";
import { DEFAULT_RETRY_POLICY, decideRetry, type RetryPolicy } from "./retry.js";
import { type HeldTurn, type SharedPace, sharedTurns } from "./shared-pace.js";
import { Semaphore, TokenBucket } from "./token-bucket.js";
import { trackWireTime, type WireSlot } from "./wire-time.js";

/** How a run delivers: time budget, per-request timeout, concurrency, retry policy, cancellation and progress. */
export interface DeliveryOptions {
  /** Whole-run time budget; what is not delivered by then fails with code `timeout`. Default 120 s. */
  budgetMs?: number;
  /**
   * When the budget started (the clock's time), if before `deliver`: a notifier's `prepare`
   * (auth.test, channel lookups) spends the same budget. Default: now.
   */
  budgetStartedAt?: number;
  /** Per-request timeout. Default 10 s. */
  requestTimeoutMs?: number;
  /** Requests in flight at once, across all destinations. Default 10. */
  concurrency?: number;
  retry?: RetryPolicy;
  onProgress?: (p: DeliveryProgress) => void;
  random?: () => number;
  /**
   * Cancellation (SIGINT/SIGTERM in the CLI): once aborted, nothing new is started (not-yet-sent
   * messages fail with code `cancelled`); requests in flight get `graceMs` to finish, then are
   * cut and reported as `cancelled` and possibly delivered.
   */
  signal?: AbortSignal;
  /** How long in-flight requests may finish after `signal` aborts. Default 5 s, never past the budget. */
  graceMs?: number;
  /**
   * Pacing shared with other processes (the state store on PostgreSQL): each destination key
   * sends one request at a time across all of them, spaced by the notifier's rate (shared-pace.ts).
   */
  sharedPace?: SharedPace;
}

/** A progress event (`onProgress`): counts so far and what just happened. */
export interface DeliveryProgress {
  sent: number;
  failed: number;
  total: number;
  /** Keys currently waiting on a Slack rate limit (429 Retry-After). */
  rateLimited: number;
  event?: string;
}

/** What happened to one message: delivered or failed (classified), after how many attempts. */
export interface MessageOutcome {
  message: OutboundMessage;
  ok: boolean;
  attempts: number;
  ts?: string;
  channel?: string;
  /** Sent as a reply in this thread (the ts of the destination's first message). */
  threadTs?: string;
  failure?: DeliveryFailure;
  /**
   * A request for this message was sent and never answered (a timeout, or cut by the budget or
   * a cancellation): Slack may already show it, so a later send or `retry` may duplicate it.
   */
  possibleDuplicate?: boolean;
  /**
   * Not sent separately: after `prepare`, this destination turned out to be the same place
   * (same route, same key) as `duplicateOf`, which got the message once. `ok` mirrors that send.
   */
  duplicateOf?: Destination;
}

export const DEFAULT_BUDGET_MS = 120_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_CONCURRENCY = 10;
export const DEFAULT_GRACE_MS = 5_000;

class BudgetExceeded extends Error {
  override name = "BudgetExceeded";
}

/**
 * Delivers planned messages for any notifier: one queue per destination key (a webhook, a
 * channel) in parallel under a global concurrency cap, each paced by a token bucket at the
 * notifier's declared rate; order kept within a destination (page 1 before page 2, thread
 * replies after their parent's ts); retries by the policy; a whole-run time budget.
 */
@injectable()
export class DeliveryEngine {
  constructor(
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async deliver(
    notifier: Notifier,
    caps: NotifierCapabilities,
    messages: OutboundMessage[],
    options: DeliveryOptions = {},
  ): Promise<MessageOutcome[]> {
    const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
    const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const policy = options.retry ?? DEFAULT_RETRY_POLICY;
    const random = options.random ?? Math.random;
    const semaphore = new Semaphore(Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY));
    const outcomes = new Map<OutboundMessage, MessageOutcome>();
    const progress: DeliveryProgress = { sent: 0, failed: 0, total: messages.length, rateLimited: 0 };
    const report = (event?: string) => options.onProgress?.({ ...progress, ...(event ? { event } : {}) });

    const budget = new AbortController();
    const stop = new AbortController();
    const spent = options.budgetStartedAt === undefined ? 0 : Math.max(0, this.clock.now() - options.budgetStartedAt);
    const runOut = () => budget.abort(new BudgetExceeded(`time budget of ${Math.round(budgetMs / 1000)} s ran out`));
    // Spent before delivery started (setup): nothing is sent at all.
    if (spent >= budgetMs) runOut();
    const budgetTimer = this.clock.sleep(Math.max(0, budgetMs - spent), stop.signal).then(runOut, () => undefined);
    // Cancellation: `halt` stops everything that waits (pacing, back-off, queues) at once;
    // `cut` aborts requests in flight after the grace period. The budget bounds both.
    const halt = new AbortController();
    const cut = new AbortController();
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const onBudget = () => halt.abort();
    budget.signal.addEventListener("abort", onBudget, { once: true });
    const onCancel = () => {
      halt.abort();
      graceTimer = setTimeout(() => cut.abort(), Math.max(0, options.graceMs ?? DEFAULT_GRACE_MS));
    };
    if (options.signal?.aborted) onCancel();
    else options.signal?.addEventListener("abort", onCancel, { once: true });
    // Every wait and request links to these (one listener each on the run's signals, however
    // many keys and requests: see abort-fanout.ts).
    const waits = new AbortFanout([halt.signal]);
    const requests = new AbortFanout([budget.signal, cut.signal]);
    const run: RunSignals = {
      budget: budget.signal,
      halt: halt.signal,
      cut: cut.signal,
      cancelled: () => options.signal?.aborted === true,
      sleep: async (ms) => {
        const wait = waits.link();
        try {
          await this.clock.sleep(ms, wait.signal);
        } finally {
          wait.release();
        }
      },
      request: (timeoutMs) => {
        const link = requests.link();
        const request = requestSignal(link.signal, timeoutMs);
        return {
          signal: request.signal,
          done: () => {
            request.done();
            link.release();
          },
        };
      },
    };
    let fatal: DeliveryFailure | undefined;
    // The fastest answered request of the run so far (from its headers' write to its answer),
    // across keys (one notifier, mostly one host). See TokenBucket.observe.
    const pace: Pace = { fastestMs: Infinity };
    const shared =
      options.sharedPace &&
      sharedTurns(
        options.sharedPace,
        caps.ratePerSecond,
        requestTimeoutMs,
        () => this.clock.now(),
        (m) => this.logger.warn(m),
      );

    // Group by key, keeping the planned order inside each key.
    const queues = new Map<string, OutboundMessage[]>();
    for (const m of messages) {
      const q = queues.get(m.destination.key) ?? [];
      q.push(m);
      queues.set(m.destination.key, q);
    }

    const finish = (o: MessageOutcome) => {
      outcomes.set(o.message, o);
      if (o.ok) progress.sent++;
      else progress.failed++;
      report();
    };

    const runKey = async (queue: OutboundMessage[]) => {
      const bucket = new TokenBucket(caps.ratePerSecond, Math.max(1, caps.burst), this.clock.now());
      const failedDestinations = new Map<Destination, DeliveryFailure>();
      const parents = new Map<Destination, string>();
      for (const message of queue) {
        const d = message.destination;
        const earlier = fatal ?? failedDestinations.get(d);
        if (budget.signal.aborted || run.cancelled()) {
          finish({
            message,
            ok: false,
            attempts: 0,
            failure: budget.signal.aborted ? timeoutFailure(budgetMs) : CANCELLED,
          });
          continue;
        }
        if (earlier) {
          finish({ message, ok: false, attempts: 0, failure: { ...earlier, message: `not sent: ${earlier.message}` } });
          continue;
        }
        const parent = parents.get(d);
        const outbound: OutboundMessage =
          caps.threads && parent && message.index > 1 ? { ...message, threadTs: parent } : message;
        const outcome = await this.sendWithRetry(notifier, outbound, {
          bucket,
          pace,
          semaphore,
          run,
          requestTimeoutMs,
          budgetMs,
          policy,
          random,
          progress,
          report,
          fatal: () => fatal,
          shared,
        });
        outcome.message = message;
        if (outbound.threadTs) outcome.threadTs = outbound.threadTs;
        if (outcome.ok && message.index === 1 && outcome.ts) parents.set(d, outcome.ts);
        if (!outcome.ok && outcome.failure) {
          // The failure says what else it dooms (the notifier classified it: it knows its service's codes).
          const scope = failureScope(outcome.failure, message.index);
          if (scope === "notifier") fatal ??= outcome.failure;
          // Later pages would hit the same wall; they are reported, not attempted.
          else if (scope === "destination") failedDestinations.set(d, outcome.failure);
        }
        finish(outcome);
      }
    };

    try {
      await Promise.all([...queues.values()].map((q) => runKey(q)));
    } finally {
      stop.abort();
      clearTimeout(graceTimer);
      options.signal?.removeEventListener("abort", onCancel);
      budget.signal.removeEventListener("abort", onBudget);
      waits.dispose();
      requests.dispose();
      await budgetTimer;
    }
    return messages.map((m) => outcomes.get(m)!);
  }

  private async sendWithRetry(
    notifier: Notifier,
    message: OutboundMessage,
    attemptOptions: SendAttemptOptions,
  ): Promise<MessageOutcome> {
    const { bucket, pace, semaphore, run, requestTimeoutMs, budgetMs, policy, random, progress, report, fatal } =
      attemptOptions;
    let attempt = 0;
    let rateLimited = 0;
    const budget = run.budget;
    // Cancelled or out of time while waiting (not while a request was out): not sent this attempt.
    const stopped = (attempts: number, last?: DeliveryFailure): MessageOutcome => {
      const o: MessageOutcome = {
        message,
        ok: false,
        attempts,
        failure: budget.aborted
          ? timeoutFailure(budgetMs, last)
          : {
              ...CANCELLED,
              ...(last ? { message: `${CANCELLED.message}; last error: ${last.code}: ${last.message}` } : {}),
            },
      };
      if (possibleDuplicate) o.possibleDuplicate = true;
      return o;
    };
    let possibleDuplicate = false;
    let lastFailure: DeliveryFailure | undefined;
    let takenAt = 0;
    let turn: HeldTurn | undefined;
    for (;;) {
      attempt++;
      try {
        // Pace: wait for this key's token (or the end of a Retry-After pause).
        for (let d = bucket.delay(this.clock.now()); d > 0; d = bucket.delay(this.clock.now())) {
          await run.sleep(d);
        }
        if (run.halt.aborted) throw run.halt.reason;
        takenAt = this.clock.now();
        bucket.take(takenAt);
        if (attemptOptions.shared) turn = await attemptOptions.shared.hold(message.destination.key, run.sleep);
      } catch {
        return stopped(attempt - 1, lastFailure);
      }
      await semaphore.acquire();
      // Waiting for a slot can take a while: the run may have ended meanwhile (another key hit a
      // fatal error, or the budget ran out). Check again right before sending.
      const fatalFailure = fatal();
      if (fatalFailure) {
        semaphore.release();
        if (turn) await turn.abandon();
        return {
          message,
          ok: false,
          attempts: attempt - 1,
          failure: { ...fatalFailure, message: `not sent: ${fatalFailure.message}` },
          ...(possibleDuplicate ? { possibleDuplicate } : {}),
        };
      }
      if (run.halt.aborted) {
        semaphore.release();
        if (turn) await turn.abandon();
        return stopped(attempt - 1, lastFailure);
      }
      let result;
      // A plain controller that the budget and a timer abort (http-body.ts): not AbortSignal.any()
      // or AbortSignal.timeout(), with which Node 20's fetch can go on reading an endless body or
      // never time out at all.
      const request = run.request(requestTimeoutMs);
      const started = this.clock.now();
      const calledAt = performance.now();
      const wire: WireSlot = {};
      try {
        result = await trackWireTime(wire, () =>
          notifier.send(message, { signal: request.signal, attempt, timeoutMs: requestTimeoutMs }),
        );
      } catch (e) {
        // A notifier should classify; an exception here is a bug in it. Report it, never crash the run.
        result = {
          ok: false as const,
          failure: {
            code: "notifier_error",
            message: `notifier error: ${(e as Error)?.message ?? String(e)}`,
            retry: "never" as const,
          },
        };
      } finally {
        request.done();
        semaphore.release();
      }
      // Pace by when the request arrived, not when it left (TokenBucket.observe).
      const ended = this.clock.now();
      // When it left, on the engine's clock: the headers' write time if undici told us, else the call.
      const sentAt =
        wire.sentAt === undefined ? started : Math.min(ended, started + Math.max(0, wire.sentAt - calledAt));
      // When its answer began to arrive (its response headers), before the notifier read and
      // handled it: our own processing (the Slack SDK, ten answers at once on a busy machine)
      // says nothing about when the request arrived.
      const answeredAt =
        wire.answeredAt === undefined
          ? ended
          : Math.min(ended, Math.max(sentAt, started + Math.max(0, wire.answeredAt - calledAt)));
      if (result.ok) pace.fastestMs = Math.min(pace.fastestMs, answeredAt - sentAt);
      bucket.observe(
        takenAt,
        sentAt,
        answeredAt,
        Number.isFinite(pace.fastestMs) ? pace.fastestMs : answeredAt - sentAt,
        !bucket.observed,
      );
      // (Only with a shared pace: a run without one keeps its timing to the tick.)
      if (turn)
        await turn.end({
          sentAt,
          ...(wire.answeredAt === undefined && !result.ok ? {} : { answeredAt }),
          ...(result.ok || result.failure.retry !== "after" ? {} : { pauseMs: result.failure.retryAfterMs ?? 0 }),
        });
      if (result.ok) {
        const o: MessageOutcome = { message, ok: true, attempts: attempt };
        if (result.ts) o.ts = result.ts;
        if (result.channel) o.channel = result.channel;
        if (possibleDuplicate) o.possibleDuplicate = true;
        return o;
      }
      const failure = result.failure;
      // The hook that knows a request went out: it was handed to the notifier and no answer came
      // back (a timeout, or cut by the budget or a cancellation). Slack may have it already.
      if (failure.maybeDelivered || budget.aborted || run.cut.aborted) possibleDuplicate = true;
      // This attempt was cut by the budget itself: its "error" is our abort, so report the cause
      // of the attempt before it (if any) rather than an artefact like "fetch failed".
      if (budget.aborted)
        return {
          message,
          ok: false,
          attempts: attempt,
          failure: timeoutFailure(budgetMs, lastFailure),
          possibleDuplicate,
        };
      if (run.cut.aborted)
        return {
          message,
          ok: false,
          attempts: attempt,
          failure: {
            ...CANCELLED,
            message: "cancelled while the request was in flight (no answer within the grace period): Slack may have it",
          },
          possibleDuplicate,
        };
      lastFailure = failure;
      const decision = decideRetry(failure, attempt - rateLimited, rateLimited, policy, random);
      // A retry after cancellation would start something new.
      if (!decision.retry || run.halt.aborted) {
        const o: MessageOutcome =
          run.halt.aborted && decision.retry
            ? stopped(attempt, failure)
            : { message, ok: false, attempts: attempt, failure };
        if (possibleDuplicate) o.possibleDuplicate = true;
        return o;
      }
      if (decision.rateLimited) {
        rateLimited++;
        bucket.pause(this.clock.now(), decision.delayMs);
        progress.rateLimited++;
        // The name people know (#ops, a webhook name), not the internal pacing key.
        report(`${message.destination.target}: rate limited, waiting ${Math.ceil(decision.delayMs / 1000)} s`);
        this.logger.debug(`${message.destination.target}: 429, waiting ${decision.delayMs} ms (Retry-After)`);
        try {
          for (let d = bucket.delay(this.clock.now()); d > 0; d = bucket.delay(this.clock.now())) await run.sleep(d);
        } catch {
          progress.rateLimited--;
          return stopped(attempt, failure);
        }
        progress.rateLimited--;
      } else {
        this.logger.debug(`${message.destination.target}: ${failure.code}, retry ${attempt} in ${decision.delayMs} ms`);
        try {
          await run.sleep(decision.delayMs);
        } catch {
          return stopped(attempt, failure);
        }
      }
    }
  }
}

interface Pace {
  fastestMs: number;
}

/** What `sendWithRetry` shares with the rest of the run: its key's pacing, the run's limits and signals. */
interface SendAttemptOptions {
  /** The destination key's token bucket (pacing, Retry-After pauses). */
  bucket: TokenBucket;
  /** The fastest answered request of the run so far. */
  pace: Pace;
  /** The run-wide cap on requests in flight. */
  semaphore: Semaphore;
  run: RunSignals;
  requestTimeoutMs: number;
  budgetMs: number;
  policy: RetryPolicy;
  random: () => number;
  progress: DeliveryProgress;
  report: (event?: string) => void;
  /** The failure that ended the notifier for this run, if one did (then nothing more is sent). */
  fatal: () => DeliveryFailure | undefined;
  /** Pacing shared with other processes, when given. */
  shared: ReturnType<typeof sharedTurns> | undefined;
}

interface RunSignals {
  /** The whole-run time budget ran out. */
  budget: AbortSignal;
  /** Start nothing new: the budget ran out or the run was cancelled. */
  halt: AbortSignal;
  /** Cancelled and the grace period is over: cut requests in flight. */
  cut: AbortSignal;
  cancelled: () => boolean;
  /** Wait `ms`; rejects when `halt` fires. */
  sleep: (ms: number) => Promise<void>;
  /** A request's signal: fires at `timeoutMs`, or when the budget or `cut` does; `done()` after it. */
  request: (timeoutMs: number) => { signal: AbortSignal; done: () => void };
}

const CANCELLED: DeliveryFailure = {
  code: "cancelled",
  message: "not sent: the run was cancelled",
  hint: "keep undelivered messages with --outbox FILE and re-send them with socket-notify retry FILE",
  retry: "never",
};

/** `last`: the failure that was being retried when time ran out, so its cause is not lost. */
export function timeoutFailure(budgetMs: number, last?: DeliveryFailure): DeliveryFailure {
  return {
    code: "timeout",
    message: `not delivered within the run's time budget (${Math.round(budgetMs / 1000)} s)${last ? `; last error: ${last.code}: ${last.message}` : ""}`,
    hint: "raise --timeout (or `timeout` in the config), or use --outbox FILE and `socket-notify retry FILE` later",
    retry: "never",
    scope: "destination",
  };
}
