import { type DependencyContainer } from "tsyringe";
import { type $ZodObject } from "zod/v4/core";
import { type BuiltMessage } from "./blocks/BlockBuilder.js";
import { type Block, type MessageLimits } from "./blocks/types.js";
import { type FilterOptions, type NotifyConfig } from "./config/schema.js";
import { type PluginHost } from "./host.js";
import { type Alert, type ScanContext } from "./model.js";

/**
 * What a notifier tells core about its destination so core can paginate and schedule for it.
 * A notifier only renders and delivers; filtering, pagination, pacing and retries are core's.
 */
export interface NotifierCapabilities extends MessageLimits {
  /** Sustained messages per second per destination key (Slack: ~1 per channel / per webhook). */
  ratePerSecond: number;
  /** Messages that may go back to back before pacing applies. */
  burst: number;
  /** Continuation pages can be sent as thread replies to the first message. */
  threads: boolean;
  /** Sent messages can be updated later (chat.update). */
  update: boolean;
}

/** One place a message goes: a webhook, a channel, an endpoint. */
export interface Destination {
  /** Config entry it comes from: `url_configs`/`bot_configs` name, or a plugin's. */
  route: string;
  /** Where it lands, for people: webhook name, `#channel`, endpoint name. Never a secret. */
  target: string;
  /** Pacing key: destinations with the same key share one rate limit (same webhook, same channel). */
  key: string;
  filter: FilterOptions;
  /** Notifier-specific address (a Secret URL, a channel id). Core never prints it. */
  address: unknown;
  /** JSON path of the entry in the config, for error messages. */
  configPath: string;
  /** Buttons under each alert (BuildOptions.actions), e.g. bot mode's triage when `interactive` is set. */
  actions?: (alert: Alert, scan: ScanContext) => Block | undefined;
}

export interface OutboundMessage extends BuiltMessage {
  destination: Destination;
  kind: "alerts" | "reachability";
  /**
   * Stable identity across runs: destination + repository + PR or branch + kind and page
   * (`messageKey`). Never a secret. What state across runs (living messages) keys on.
   */
  key: string;
  /** Parent message ts when this page is a thread reply (notifiers with `threads`). */
  threadTs?: string;
}

export interface SendContext {
  /** Aborts at the per-request timeout or when the run's time budget ends. */
  signal: AbortSignal;
  /** 1 for the first try. */
  attempt: number;
  /** The per-request timeout behind `signal`, for messages. */
  timeoutMs: number;
}

/** What went wrong, classified so the engine knows whether and when to try again. */
export interface DeliveryFailure {
  /** Slack's error string or ours: `no_service`, `not_in_channel`, `http_503`, `timeout`, `network`. */
  code: string;
  message: string;
  hint?: string;
  /**
   * `never`: permanent (config or content); `after`: wait `retryAfterMs` (429);
   * `backoff`: transient (5xx, reset, refused before any response).
   */
  retry: "never" | "after" | "backoff";
  retryAfterMs?: number;
  /** Nothing else can succeed for this notifier in this run (revoked token): stop. */
  fatal?: boolean;
  /** The request may have reached Slack (a timeout after sending): retrying could duplicate. */
  maybeDelivered?: boolean;
}

export type SendResult = { ok: true; ts?: string; channel?: string } | { ok: false; failure: DeliveryFailure };

export interface Notifier {
  /**
   * Once per run, before anything is sent (skipped in dry run): check credentials, resolve
   * channel names. May return destinations with new keys or addresses. Throw a `UserError`
   * for a problem that makes every send pointless (exit 2); any other error (no answer, a
   * network failure) fails every message like a delivery failure (exit 1, outbox).
   * `signal` fires when the run's time budget ends; each request should also end after
   * `ctx.timeoutMs` (the run's per-request timeout).
   */
  prepare?(destinations: Destination[], signal: AbortSignal, ctx?: { timeoutMs: number }): Promise<Destination[]>;
  send(message: OutboundMessage, ctx: SendContext): Promise<SendResult>;
}

export interface DestinationList {
  destinations: Destination[];
  warnings?: string[];
}

/**
 * A notifier plugin: the same contract for built-in notifiers and user plugins.
 * A plugin module's default export (or its `plugin` export) is one of these, or a list.
 */
export interface NotifierPlugin {
  /** The config `mode` that selects this notifier. */
  mode: string;
  description?: string;
  /**
   * Top-level config keys this notifier adds, as a zod object. A function receives the host,
   * so a plugin without its own zod can build it from `host.z`.
   */
  optionsSchema?: $ZodObject | ((host: PluginHost) => $ZodObject);
  /** Its limits and pacing; merged over Slack's defaults. */
  capabilities?: Partial<NotifierCapabilities>;
  /** Destinations from the validated config. Pure: no network. Throw `host.configError(...)` for bad values. */
  destinations(config: NotifyConfig, host: PluginHost): DestinationList | Destination[];
  /** Register the notifier under `host.tokens.Notifier` in the given (per-run, child) container. */
  register(container: DependencyContainer, host: PluginHost): void | Promise<void>;
}
