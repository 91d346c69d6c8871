import { type BuiltMessage } from "../blocks/BlockBuilder.js";
import { type Block } from "../blocks/types.js";
import { type FilterOptions } from "../config/schema.js";
import { type Alert, type ScanContext } from "../model.js";
import { type AlertPage, type NativeMessage, type ReachabilitySummaryPage } from "./layout.js";

/** One place a message goes: a webhook, a channel, an endpoint. */
export interface Destination {
  /** Config entry it comes from: `url_configs`/`bot_configs` name, or a plugin's. */
  route: string;
  /** Where it lands, for people: webhook name, `#channel`, endpoint name. Never a secret. */
  target: string;
  /** Pacing key: destinations with the same key share one rate limit (same webhook, same channel). Never a secret. */
  key: string;
  filter: FilterOptions;
  /** Notifier-specific address (a Secret URL, a channel id). Core never prints it. */
  address: unknown;
  /** JSON path of the entry in the config, for error messages. */
  configPath: string;
  /** Buttons under each alert (BuildOptions.actions), e.g. bot mode's triage when `interactive` is set. */
  actions?: (alert: Alert, scan: ScanContext) => Block | undefined;
}

/** A plugin's destinations from the validated config, and what it found worth a warning. */
export interface DestinationList {
  destinations: Destination[];
  warnings?: string[];
}

/**
 * One planned page for one destination: what a notifier's `send` gets. `payload` is the page
 * rendered by the notifier's layout as Block Kit (what the Slack notifiers send, and what
 * `--dry-run`, `preview` and the outbox show and keep when there is no `native`).
 */
export interface OutboundMessage extends BuiltMessage {
  destination: Destination;
  /**
   * The page in the notifier's own format, when its layout has `native` (Discord): what the
   * notifier sends, and what `--dry-run`, `preview` and the outbox show and keep. On a message
   * re-sent from an outbox, the stored body (only from an entry whose signature checks out):
   * the notifier validates and cleans it before sending, as anything read from a file.
   */
  native?: NativeMessage;
  /**
   * The page as core planned it (alerts by entry, counts, what is not shown), for a notifier
   * that renders its own format from it (Discord). Absent on messages core did not plan as a
   * page of alerts: the reachability summary, a page re-sent from an outbox, state's own messages.
   */
  page?: AlertPage;
  /**
   * The reachability summary as core planned it (`kind: "reachability"`), for a notifier that
   * renders its own format from it, as from `page`. Absent on a summary re-sent from an outbox.
   */
  reachability?: ReachabilitySummaryPage;
  kind: "alerts" | "reachability";
  /**
   * Stable identity across runs: destination + repository + PR or branch + kind and page
   * (`messageKey`). Never a secret. What state across runs (living messages) keys on.
   */
  key: string;
  /** Parent message ts when this page is a thread reply (notifiers with `threads`). */
  threadTs?: string;
  /**
   * Edit this earlier message in place instead of posting (notifiers with `update`): a living
   * message kept by the state store. A message that is gone fails with `message_not_found`.
   */
  updateTs?: string;
}
