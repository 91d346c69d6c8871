/**
 * Pages: core decides which alerts go on which page of a destination (risk order, at most
 * `max_messages` pages, every alert shown or counted); the notifier's layout says how big an
 * entry is for its destination and renders a page. Neither knows the other's rules.
 */
import { type Block, type SlackMessage } from "../blocks/types.js";
import { type Alert, type ScanContext } from "../model.js";
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
   * The page as a Block Kit message: what the Slack notifiers send, and what `send --dry-run`,
   * `preview` and the outbox show and keep for every notifier (a notifier with its own format,
   * like Discord, renders `OutboundMessage.page` itself when it sends).
   */
  render(page: AlertPage): SlackMessage;
}

/** A plugin's layout for one destination (`NotifierPlugin.layout`). */
export type LayoutFactory = (ctx: LayoutContext) => PageLayout;
