/**
 * Stage 1 of a run: the plan. Pure: the scan, the config and the (prepared) destinations in,
 * which alerts go where as which pages out. No network, no clock, no container: what
 * `send --dry-run` shows is exactly what a real run then delivers.
 */
import { BlockBuilder, type BuildResult, DEFAULT_MAX_MESSAGES } from "../blocks/BlockBuilder.js";
import { type LayoutContext, type LayoutFactory } from "../contract/layout.js";
import { sortByRisk } from "../blocks/risk.js";
import { type ConfigSource } from "../config/load.js";
import { type NotifyConfig } from "../config/schema.js";
import { AlertFilter, type Exclusions } from "../filter/AlertFilter.js";
import { type Alert, type ScanContext, type ScanInput } from "../model.js";
import { type NotifierCapabilities } from "../contract/capabilities.js";
import { type Destination, type OutboundMessage } from "../contract/destination.js";
import { type MessageLimits } from "../blocks/types.js";
import {
  blockKitReachabilitySummary,
  type ReachabilitySummary,
  reachabilitySummaryPage,
  summaryOf,
} from "../reachability/summary.js";
import { parseSeverity } from "../severity.js";
import { pageTotals, planPages } from "./pages.js";

/** Core's Block Kit layout (`BlockBuilder.layout`) within the notifier's limits: what the Slack notifiers use, and the default. */
export const blockKitLayout: LayoutFactory = (ctx: LayoutContext) => {
  const limits = capabilityLimits(ctx.capabilities);
  return {
    ...new BlockBuilder().layout({
      scan: ctx.scan,
      totals: ctx.totals,
      limits,
      ...(ctx.mention ? { mention: ctx.mention } : {}),
      ...(ctx.actions ? { actions: ctx.actions } : {}),
    }),
    reachability: (summary) => blockKitReachabilitySummary(summary, limits),
  };
};

/** The Block Kit limits a notifier's capabilities set. */
function capabilityLimits(caps: NotifierCapabilities): MessageLimits {
  return {
    maxBlocks: caps.maxBlocks,
    maxSectionChars: caps.maxSectionChars,
    maxMessageChars: caps.maxMessageChars,
    maxFallbackChars: caps.maxFallbackChars,
    maxHeaderChars: caps.maxHeaderChars,
  };
}

/** What a plan depends on besides the scan and the config. */
export interface PlanOptions {
  /** Overrides for what the input says (CLI --repo, --branch, --pr, --sha). */
  context?: ScanContext;
  /** Excluded alerts kept per destination with their reason (the rest are counted by reason). Default 20. */
  excludedSample?: number;
  /** At most this many of the kept excluded alerts per filter rule (a few examples of each reason). */
  excludedPerRule?: number;
}

/** Everything `planRun` reads: plain data, so a plan can be made (and tested) without an engine. */
export interface PlanInput {
  scan: ScanInput;
  config: NotifyConfig;
  mode: string;
  source: ConfigSource;
  /** The destinations to plan for: as the notifier's `prepare` left them for a real run, as configured for a dry run. */
  destinations: Destination[];
  capabilities: NotifierCapabilities;
  /** The notifier's page layout (`NotifierPlugin.layout`); default `blockKitLayout`. */
  layout?: LayoutFactory;
  /** Warnings about the config that do not depend on the input (`planWarnings` adds the rest). */
  configWarnings: string[];
  options?: PlanOptions;
}

/** What one destination gets. */
export interface PlannedDestination {
  destination: Destination;
  matched: Alert[];
  /** Alerts this destination's filters left out: counts by reason and the first few (not one entry per alert). */
  excluded: Exclusions;
  build: BuildResult;
  /** Its pages in sending order; each has a stable `key` (see `messageKey`). */
  messages: OutboundMessage[];
  /** The whole-repository reachability summary, for destinations with `always_send_reachability` and facts. */
  reachability?: ReachabilitySummary;
}

/** The result of stage 1, the input of stage 2 (deliver) and 3 (report). */
export interface Plan {
  mode: string;
  source: ConfigSource;
  enabled: boolean;
  capabilities: NotifierCapabilities;
  destinations: PlannedDestination[];
  alerts: { total: number; matched: number; duplicatesMerged: number };
  warnings: string[];
  context: ScanContext;
  /** What the scan is about, as used in message keys: `repo#pr` or `repo@branch` (see `scanSubject`). */
  subject: string;
}

/**
 * What a scan is about, for message identity: the repository and its pull request, else its
 * branch (`org/repo#42`, `org/repo@main`). Two runs about the same PR have the same subject.
 */
export function scanSubject(context: ScanContext): string {
  const repo = context.repo ?? "";
  if (context.pr) return `${repo}#${context.pr}`;
  return `${repo}@${context.branch ?? ""}`;
}

/**
 * A planned message's stable identity across runs: destination (config entry and the notifier's
 * destination key, e.g. `channel:C0123`), subject (repository + PR or branch), kind and page.
 * The same scan of the same PR planned again gives the same keys; never contains a secret
 * (destination keys never do: see `Destination.key`).
 */
export function messageKey(
  destination: Pick<Destination, "route" | "key">,
  subject: string,
  kind: OutboundMessage["kind"],
  index: number,
): string {
  return [destination.route, destination.key, subject, `${kind}:${index}`].map(escapeKeyPart).join("/");
}

/** `/` and `%` escaped so the parts stay apart; unlike encodeURIComponent, never throws (a lone surrogate in a repo name). */
function escapeKeyPart(part: string): string {
  return part.replace(/[%/]/g, (c) => (c === "%" ? "%25" : "%2F"));
}

/** Every planned message in sending order, across destinations. */
export function plannedMessages(plan: Plan): OutboundMessage[] {
  return plan.destinations.flatMap((d) => d.messages);
}

/** Warnings about the config given the destinations and whether facts were loaded (for `validate` too). */
export function planWarnings(configWarnings: string[], destinations: Destination[], factsLoaded: boolean): string[] {
  const w = [...configWarnings];
  for (const d of destinations) {
    const f = d.filter;
    if (f.alert_types?.length && f.severities?.length) {
      w.push(
        `${d.configPath}: alert_types and severities now both apply (AND); the Socket CLI ignored severities when alert_types was set`,
      );
    }
    if (!factsLoaded && f.reachability_alerts_only)
      w.push(`${d.configPath}: reachability_alerts_only has no effect without --facts; all alerts pass`);
    if (!factsLoaded && f.always_send_reachability)
      w.push(
        `${d.configPath}: always_send_reachability has no effect without --facts; no reachability summary is sent`,
      );
  }
  return [...new Set(w)];
}

/** Stage 1: which alerts go where, as which messages. Pure (no network, no clock). */
export function planRun(input: PlanInput): Plan {
  const { scan, config, capabilities: caps } = input;
  const options = input.options ?? {};
  const context: ScanContext = { ...scan.context, ...definedOnly(options.context ?? {}) };
  const subject = scanSubject(context);
  const enabled = config.enabled !== false;
  const filter = new AlertFilter();
  const layoutFor = input.layout ?? blockKitLayout;
  // Reachability is an enrichment of the scan made before planning (`enrichScan`).
  const applied = scan.reachability;
  const factsLoaded = applied !== undefined;
  const sorted = sortByRisk(scan.alerts);
  const matchedAnywhere = new Uint8Array(sorted.length);
  const planned: PlannedDestination[] = [];
  const warnings = planWarnings(input.configWarnings, input.destinations, factsLoaded);
  if (applied) warnings.push(...applied.warnings);
  if (scan.duplicatesMerged > 0)
    warnings.push(`input: ${scan.duplicatesMerged} duplicate alerts merged (the Socket CLI lists some alerts twice)`);
  if (!enabled) warnings.push(`${input.source.label}: enabled is false: nothing is sent`);
  const limits = capabilityLimits(caps);
  for (const destination of input.destinations) {
    const filterContext = { scan: context, factsLoaded, globalLevels: config.levels };
    const { matched, excluded } = filter.partition(
      sorted,
      destination.filter,
      filterContext,
      options.excludedSample,
      matchedAnywhere,
      options.excludedPerRule,
    );
    const summaryPage =
      applied && destination.filter.always_send_reachability
        ? reachabilitySummaryPage(applied, destination.filter, filterContext)
        : undefined;
    // The reachability summary is one of the destination's max_messages (alerts keep at least one).
    const maxMessages = Math.max(
      1,
      (destination.filter.max_messages ?? config.max_messages ?? DEFAULT_MAX_MESSAGES) - (summaryPage ? 1 : 0),
    );
    const f = destination.filter;
    const mention = f.mention?.length
      ? { tokens: f.mention, minSeverity: parseSeverity(f.mention_min_severity ?? "critical") ?? "critical" }
      : undefined;
    // Core cuts the pages with the notifier's measure; the notifier's layout renders each one.
    const totals = pageTotals(matched);
    const layout = layoutFor({
      scan: context,
      destination,
      capabilities: caps,
      totals,
      ...(mention ? { mention } : {}),
      ...(destination.actions ? { actions: (a: Alert) => destination.actions!(a, context) } : {}),
    });
    const paged = planPages(matched, layout, maxMessages, totals, context);
    const messages: OutboundMessage[] = paged.pages.map((page) => {
      const native = layout.native?.(page);
      return {
        payload: layout.render(page),
        ...(native ? { native } : {}),
        alerts: page.alerts,
        index: page.index,
        count: page.count,
        page,
        destination,
        kind: "alerts",
        key: messageKey(destination, subject, "alerts", page.index),
      };
    });
    const build: BuildResult = {
      messages: [...messages],
      shown: paged.shown,
      omitted: paged.omitted,
      omittedBySeverity: paged.omittedBySeverity,
    };
    // The summary is rendered by the notifier's layout too (core's Block Kit one by default).
    let summary: ReachabilitySummary | undefined;
    if (summaryPage) {
      const r = layout.reachability?.(summaryPage.page) ?? blockKitReachabilitySummary(summaryPage.page, limits);
      summary = summaryOf(summaryPage.page, summaryPage.excluded, r.payload, r.listed);
      const native = layout.nativeReachability?.(summaryPage.page);
      messages.push({
        ...summary.message,
        ...(native ? { native } : {}),
        reachability: summaryPage.page,
        destination,
        kind: "reachability",
        key: messageKey(destination, subject, "reachability", summary.message.index),
      });
    }
    planned.push({ destination, matched, excluded, build, messages, ...(summary ? { reachability: summary } : {}) });
  }
  return {
    mode: input.mode,
    source: input.source,
    enabled,
    capabilities: caps,
    destinations: planned,
    alerts: {
      total: scan.alerts.length,
      matched: matchedAnywhere.reduce((n, m) => n + m, 0),
      duplicatesMerged: scan.duplicatesMerged,
    },
    warnings,
    context,
    subject,
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== "")) as Partial<T>;
}
