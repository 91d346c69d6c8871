/**
 * Pages: core decides which alerts go on which page of a destination (risk order, at most
 * `max_messages` pages, every alert shown or counted); the notifier's layout says how big an
 * entry is for its destination and renders a page. Neither knows the other's rules.
 */
import { type Block, type SlackMessage } from "../blocks/types.js";
import { type Alert, type ReachabilityState, type ScanContext } from "../model.js";
import { type ReachabilityFinding } from "../reachability/facts.js";
import { type Severity, type SeverityCounts } from "../severity.js";
import { type NotifierCapabilities } from "./capabilities.js";
import { type Destination } from "./destination.js";

/** Alerts shown together on a page: some alerts of one package, in risk order. */
export interface PageEntry {
  alerts: Alert[];
  /** The package's earlier alerts are in an entry before this one (too many for one entry). */
  continued: boolean;
}

/** Counts of every alert a destination matched, shown or not (what a heading says). */
export interface PageTotals {
  all: number;
  /** Alerts whose level is `block`. */
  block: number;
  bySeverity: SeverityCounts;
}

/** One page of one destination's alerts as core planned it: what to show, not how. */
export interface AlertPage {
  /** 1-based page number and page count. */
  index: number;
  count: number;
  entries: PageEntry[];
  /** The entries' alerts, in order. */
  alerts: Alert[];
  totals: PageTotals;
  /** On the last page, when alerts fit in no page (`max_messages`): how many, by severity. */
  omitted?: { count: number; bySeverity: SeverityCounts };
  /** What the scan is about (repository, branch, PR, links), as the plan resolved it. */
  scan: ScanContext;
}

/**
 * The whole-repository reachability summary of one destination (`always_send_reachability`) as
 * core planned it: every finding that passed the destination's filters and the counts, not how
 * they look. One message; the layout decides how many findings it lists and counts the rest.
 */
export interface ReachabilitySummaryPage {
  /** What the scan is about, as the plan resolved it. */
  scan: ScanContext;
  /** The facts file's name (without its directory). */
  source: string;
  /**
   * In order: reachable, then unknown and failed analyses, then unreachable; risk order within a
   * state. Each finding also as an alert of type `vulnerability` (its level from the scan's alert
   * for it; what the filters saw), and whether the scan's change touches it.
   */
  findings: { finding: ReachabilityFinding; alert: Alert; inChange: boolean }[];
  /** How many findings are in each state. */
  byState: Record<ReachabilityState, number>;
  /** How many findings have each priority. */
  bySeverity: SeverityCounts;
}

/**
 * A message in the notifier's own wire format, for a service that does not take Block Kit (a
 * Discord webhook's `content` and `embeds`): what the notifier sends, and what `send --dry-run`
 * (`--out DIR` writes `body`), `preview` and the outbox show and keep for its messages.
 */
export interface NativeMessage {
  /** The format's name, e.g. `discord`: how `--dry-run`, `--json` and the outbox label it. */
  format: string;
  /** The request body as the service receives it: plain JSON data (written as is by `--out`, kept by the outbox). */
  body: unknown;
  /** Its size for people, e.g. `4 embeds, 2345 characters` (`--dry-run`); absent on a body re-read from an outbox. */
  summary?: string;
}

/** Which page a layout is asked about: the first (it carries the mention), and whether it also counts what is not shown. */
export interface PageSlot {
  first: boolean;
  summary: boolean;
}

/** What a layout is made for: one destination's alerts in one run. */
export interface LayoutContext {
  scan: ScanContext;
  destination: Destination;
  capabilities: NotifierCapabilities;
  totals: PageTotals;
  /** The destination's `mention` (trusted config) and the severity from which it pings. */
  mention?: { tokens: readonly string[]; minSeverity: Severity };
  /** The destination's buttons for an alert (`Destination.actions`, bound to this scan). */
  actions?: (alert: Alert) => Block | undefined;
}

/**
 * A notifier's page layout: the size measure core plans pages with, and the renderer of a
 * page. Core asks, in risk order: how many of a package's next alerts one entry shows
 * (`entry`), then whether each entry still fits the page being filled (`fits`); the first
 * entry of a page always goes on it.
 */
export interface PageLayout {
  /** How many of `run` (a package's next alerts, in risk order, at least one) one entry shows; at least 1. */
  entry(run: readonly Alert[], continued: boolean): number;
  /** Whether `entry` fits on a page already holding `page` (at least one entry) in this slot. */
  fits(page: readonly PageEntry[], entry: PageEntry, slot: PageSlot): boolean;
  /** The most entries a page in this slot holds; at least 1 for the first page with the summary. */
  maxEntries(slot: PageSlot): number;
  /**
   * The page as a Block Kit message (`OutboundMessage.payload`): what the Slack notifiers send,
   * and what `--dry-run`, `preview` and the outbox show and keep for a notifier without `native`.
   */
  render(page: AlertPage): SlackMessage;
  /**
   * The reachability summary as one Block Kit message, and the alerts of the findings it lists
   * (`listed`; the rest it counts). Like `render`, the Block Kit record. Optional: without it,
   * core's Block Kit summary within the notifier's capabilities (what `blockKitLayout` has).
   */
  reachability?(summary: ReachabilitySummaryPage): { payload: SlackMessage; listed: Alert[] };
  /**
   * Optional, for a notifier whose service does not take Block Kit: the page in its own format.
   * Core puts it on `OutboundMessage.native` when it plans; `send --dry-run`, `--out`, `preview`
   * and the outbox then show and keep it instead of the Block Kit record (which is still made:
   * an outbox entry keeps both, and `retry` falls back to the record when the entry is not
   * signed). The notifier sends what this returned, so a dry run shows exactly what is sent.
   */
  native?(page: AlertPage): NativeMessage;
  /** Optional, like `native`: the reachability summary in the notifier's own format. */
  nativeReachability?(summary: ReachabilitySummaryPage): NativeMessage;
}

/** A plugin's layout for one destination (`NotifierPlugin.layout`). */
export type LayoutFactory = (ctx: LayoutContext) => PageLayout;
