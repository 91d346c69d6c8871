/**
 * Stage 2 of a run: deliver. The notifier is prepared first (`prepareNotifier`: token check,
 * channel names resolved to IDs) so that the plan is made for the destinations as they really
 * are; `deliverMessages` then sends what the plan (or an outbox) holds, paced, retried and
 * bounded by the run's budget (`DeliveryEngine`), and answers one outcome per message.
 */
import { type Clock } from "../clock.js";
import {
  DEFAULT_BUDGET_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DeliveryEngine,
  type DeliveryOptions,
  type MessageOutcome,
  timeoutFailure,
} from "../delivery/DeliveryEngine.js";
import { isSocketNotifyError } from "../errors.js";
import { type PluginHost } from "../contract/context.js";
import { type Logger } from "../logger.js";
import { type NotifierCapabilities } from "../contract/capabilities.js";
import { type Destination, type OutboundMessage } from "../contract/destination.js";
import { type DeliveryFailure } from "../contract/failure.js";
import { type Notifier } from "../contract/notifier.js";

/** A notifier ready to send, and the destinations as its `prepare` left them. */
export interface PreparedNotifier {
  readonly notifier: Notifier;
  /**
   * The config's destinations after preparation (a bot's channel names resolved to IDs, with
   * new keys), in config order. Plan with these, so messages need no mapping afterwards.
   */
  readonly destinations: Destination[];
  /** Setup failed (no answer, a network error): every message of the run fails with this. */
  readonly setupFailure?: DeliveryFailure;
  /** When the run's budget started (the clock's time): setup spent part of it. */
  readonly budgetStartedAt: number;
  /** Call once the run's deliveries are done (the notifier holds nothing to free today; a future one may). */
  close(): void;
}

class SetupBudgetExceeded extends Error {
  override name = "BudgetExceeded";
}

/**
 * Runs `notifier.prepare` (if it has one) within the run's budget. A `UserError` from it (a dead
 * token: every send is pointless) is thrown; cancellation leaves the destinations as they were
 * (delivery then reports every message cancelled); any other failure becomes `setupFailure`.
 */
export async function prepareDestinations(
  notifier: Notifier,
  destinations: Destination[],
  clock: Clock,
  options: DeliveryOptions,
  host: PluginHost,
): Promise<{ destinations: Destination[]; setupFailure?: DeliveryFailure }> {
  if (!notifier.prepare || !destinations.length) return { destinations };
  try {
    const prepared = await prepareWithinBudget(notifier, destinations, clock, options);
    return { destinations: destinations.map((d, i) => prepared[i] ?? d) };
  } catch (e) {
    if (isSocketNotifyError(e)) throw e; // the notifier says every send is pointless (dead token): exit 2
    // Cancelled during setup: nothing was sent; the delivery reports every message as cancelled.
    if (options.signal?.aborted) return { destinations };
    // Setup got no answer or failed: every message fails like any delivery failure (report, outbox, exit 1).
    return {
      destinations,
      setupFailure: setupFailure(
        e,
        options.budgetMs ?? DEFAULT_BUDGET_MS,
        options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        host,
      ),
    };
  }
}

/**
 * Sends `messages` (of `prepared.destinations`) and answers one outcome per message, in order.
 * A message whose key equals an earlier message's of another destination (the same channel
 * given by name and by ID in one route) is sent once; the other outcome says `duplicateOf`.
 */
export async function deliverMessages(
  prepared: PreparedNotifier,
  messages: OutboundMessage[],
  capabilities: NotifierCapabilities,
  options: DeliveryOptions,
  clock: Clock,
  logger: Logger,
): Promise<MessageOutcome[]> {
  if (prepared.setupFailure) {
    const failure = prepared.setupFailure;
    return messages.map((message) => ({ message, ok: false, attempts: 0, failure }));
  }
  const twinOf = new Map<number, number>();
  const first = new Map<string, number>();
  for (const [i, m] of messages.entries()) {
    const twin = first.get(m.key);
    if (twin === undefined) first.set(m.key, i);
    else if (messages[twin]!.destination !== m.destination) twinOf.set(i, twin);
  }
  const send = messages.filter((_, i) => !twinOf.has(i));
  const engine = new DeliveryEngine(clock, logger);
  const sent = await engine.deliver(prepared.notifier, capabilities, send, {
    ...options,
    budgetStartedAt: options.budgetStartedAt ?? prepared.budgetStartedAt,
  });
  const byMessage = new Map(sent.map((o) => [o.message, o]));
  return messages.map((message, i) => {
    const t = twinOf.get(i);
    if (t === undefined) return byMessage.get(message)!;
    const twin = byMessage.get(messages[t]!)!;
    const d: MessageOutcome = { message, ok: twin.ok, attempts: 0, duplicateOf: twin.message.destination };
    if (twin.failure) d.failure = twin.failure;
    return d;
  });
}

/** `notifier.prepare` with a signal that fires when the run's budget (started at `budgetStartedAt`) runs out. */
async function prepareWithinBudget(
  notifier: Notifier,
  destinations: Destination[],
  clock: Clock,
  options: DeliveryOptions,
): Promise<Destination[]> {
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const left = Math.max(0, budgetMs - (clock.now() - (options.budgetStartedAt ?? clock.now())));
  const budget = new AbortController();
  const stop = new AbortController();
  const timer = clock.sleep(left, stop.signal).then(
    () => budget.abort(new SetupBudgetExceeded(`time budget of ${Math.round(budgetMs / 1000)} s ran out during setup`)),
    () => undefined,
  );
  // Cancellation (options.signal) ends setup like the budget does.
  const onCancel = () => budget.abort(options.signal!.reason);
  if (options.signal?.aborted) onCancel();
  else options.signal?.addEventListener("abort", onCancel, { once: true });
  try {
    // Also stop waiting here if the notifier ignores the signal: the budget bounds the run, whatever a plugin does.
    return await new Promise<Destination[]>((resolve, reject) => {
      budget.signal.addEventListener("abort", () => reject(budget.signal.reason), { once: true });
      notifier.prepare!(destinations, budget.signal, {
        timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      }).then(resolve, reject);
    });
  } finally {
    options.signal?.removeEventListener("abort", onCancel);
    stop.abort();
    await timer;
  }
}

/** Why nothing could be sent when setup failed: the budget ran out during it, or its error, classified. */
function setupFailure(e: unknown, budgetMs: number, requestTimeoutMs: number, host: PluginHost): DeliveryFailure {
  if ((e as Error)?.name === "BudgetExceeded") {
    return timeoutFailure(budgetMs, {
      code: "setup",
      message: "the notifier's setup (e.g. the bot's auth.test and channel lookup) did not finish",
      retry: "never",
    });
  }
  const network = host.classifyNetworkError(e, requestTimeoutMs);
  // Not a recognised network error: the error's own (scrubbed) words say more than "fetch failed".
  const unknown = network.code === "network" && network.message.endsWith("fetch failed");
  const detail = unknown ? host.scrub((e as Error)?.message ?? e) : network.message;
  return {
    code: unknown ? "setup_failed" : network.code,
    message: `setup failed, nothing was sent: ${detail}`,
    hint: "keep the messages with --outbox FILE and re-send them with socket-notify retry FILE when Slack answers again",
    retry: "never",
  };
}
