import { type BuiltMessage, countBySeverity, formatSeverityCounts } from "../blocks/BlockBuilder.js";
import { inline, isSafeUrl, link, truncate } from "../blocks/mrkdwn.js";
import { reachabilityLabel, TRACE_MAX_CHARS, traceBlock } from "../blocks/reachability.js";
import { compareRisk } from "../blocks/risk.js";
import { type Block, type MessageLimits, SLACK_LIMITS, type SlackMessage, type TextObject } from "../blocks/types.js";
import { type ReachabilitySummaryPage } from "../contract/layout.js";
import { type FilterOptions } from "../config/schema.js";
import { AlertFilter, type FilterContext } from "../filter/AlertFilter.js";
import { type Alert, type AlertAction, packageLabel, type ReachabilityState, type ScanContext } from "../model.js";
import { SEVERITY_EMOJI } from "../severity.js";
import { type AppliedFacts } from "./apply.js";
import { findingKey, type ReachabilityFinding } from "./facts.js";

/**
 * The whole-repository reachability summary (`always_send_reachability`). Unlike the Socket
 * CLI (B4, B5, B11, B19) it is sent only to destinations that ask for it, after that
 * destination's filters, as one message within Slack's limits, and it never drops a finding
 * silently: every state is counted, and whatever is not listed is counted as "not shown".
 */

export interface ExcludedFinding {
  finding: ReachabilityFinding;
  reason: string;
}

export interface ReachabilitySummary {
  /** Findings that passed the destination's filters, in risk order. */
  matched: ReachabilityFinding[];
  excluded: ExcludedFinding[];
  /** Findings listed in the message. */
  shown: ReachabilityFinding[];
  /** The neutral summary core planned, which the notifier's layout rendered as `message`. */
  page: ReachabilitySummaryPage;
  /** One message; its `alerts` are the listed findings as alerts (see `findingAlert`). */
  message: BuiltMessage;
}

export interface SummaryOptions {
  limits?: Partial<MessageLimits>;
}

/** Socket alert types that are vulnerabilities: naming one in `alert_types` lets findings through. */
const VULNERABILITY_TYPES = new Set([
  "criticalcve",
  "cve",
  "mediumcve",
  "mildcve",
  "vulnerability",
  "potentialvulnerability",
]);
const ACTION_RANK: Record<AlertAction, number> = { block: 0, warn: 1, monitor: 2, ignore: 3 };
const STATE_RANK: Record<ReachabilityState, number> = { reachable: 0, error: 1, unknown: 1, unreachable: 2 };
/** With many findings, traces are cut (at a frame) to this so more findings fit. */
const TRACE_MIN_CHARS = 300;
/** Room kept for the "not shown" line, so adding it never breaks a limit. */
const FOOTER_RESERVE_CHARS = 700;

/**
 * A finding as an alert of type `vulnerability`, so the destination's filters apply to it as
 * they do to the scan's alerts. Its level (`levels`) is that of the scan's alert for the same
 * vulnerability, the strictest when several, and `warn` when this change did not touch it.
 */
export function findingAlert(f: ReachabilityFinding, related: readonly Alert[] = []): Alert {
  const action = related.map((a) => a.action).sort((x, y) => ACTION_RANK[x] - ACTION_RANK[y])[0] ?? "warn";
  const a: Alert = {
    id: `reachability:${findingKey(f)}`,
    ecosystem: f.ecosystem,
    name: f.name,
    version: f.version,
    type: "vulnerability",
    severity: f.severity,
    action,
    title: f.id,
    description: "",
    purl: f.purl,
    introducedBy: related[0]?.introducedBy ?? [],
    manifests: related[0]?.manifests ?? [],
    origin: "new",
    reachability: { state: f.state, rawState: f.rawState, vulnerabilityId: f.id },
  };
  if (f.namespace) a.namespace = f.namespace;
  if (f.ghsaId) a.ghsaId = f.ghsaId;
  if (f.cveId) a.cveId = f.cveId;
  if (f.trace) a.reachability!.trace = f.trace;
  const url = related.find((r) => r.url)?.url;
  if (url) a.url = url;
  return a;
}

/** The destination's filters as they apply to findings: `alert_types` naming any vulnerability type admits them. */
export function findingFilter(filter: FilterOptions): FilterOptions {
  const types = filter.alert_types ?? [];
  if (!types.length || !types.some((t) => VULNERABILITY_TYPES.has(t.toLowerCase()))) return filter;
  return { ...filter, alert_types: [...types, "vulnerability"] };
}

/** Reachable first, then unknown and failed analyses, then unreachable; within a state, the alerts' risk order. */
function compareFindings(x: { f: ReachabilityFinding; a: Alert }, y: { f: ReachabilityFinding; a: Alert }): number {
  return STATE_RANK[x.f.state] - STATE_RANK[y.f.state] || compareRisk(x.a, y.a);
}

/**
 * Filter the whole repository's findings for one destination: the neutral summary page core
 * plans (`ReachabilitySummaryPage`, rendered by the notifier's layout) and what was left out.
 */
export function reachabilitySummaryPage(
  applied: AppliedFacts,
  filter: FilterOptions,
  ctx: FilterContext,
): { page: ReachabilitySummaryPage; excluded: ExcludedFinding[] } {
  const check = new AlertFilter().compile(findingFilter(filter), { ...ctx, factsLoaded: true });
  const passed: { f: ReachabilityFinding; a: Alert }[] = [];
  const excluded: ExcludedFinding[] = [];
  for (const f of applied.findings) {
    const a = findingAlert(f, applied.alertsByFinding.get(f));
    const reason = check(a);
    if (reason === undefined) passed.push({ f, a });
    else excluded.push({ finding: f, reason });
  }
  passed.sort(compareFindings);
  const byState: Record<ReachabilityState, number> = { reachable: 0, unknown: 0, error: 0, unreachable: 0 };
  for (const p of passed) byState[p.f.state]++;
  const source = applied.facts.source;
  return {
    page: {
      scan: ctx.scan,
      source: source.slice(Math.max(source.lastIndexOf("/"), source.lastIndexOf("\\")) + 1),
      findings: passed.map((p) => ({ finding: p.f, alert: p.a, inChange: applied.alertsByFinding.has(p.f) })),
      byState,
      bySeverity: countBySeverity(passed.map((p) => p.a)),
    },
    excluded,
  };
}

/** Filter the whole repository's findings for one destination and render its summary message as Block Kit. */
export function reachabilitySummary(
  applied: AppliedFacts,
  filter: FilterOptions,
  ctx: FilterContext,
  options: SummaryOptions = {},
): ReachabilitySummary {
  const { page, excluded } = reachabilitySummaryPage(applied, filter, ctx);
  const { payload, listed } = blockKitReachabilitySummary(page, options.limits);
  return summaryOf(page, excluded, payload, listed);
}

/** The summary of a planned page and its rendering (`listed`: the alerts of the findings the message lists). */
export function summaryOf(
  page: ReachabilitySummaryPage,
  excluded: ExcludedFinding[],
  payload: SlackMessage,
  listed: readonly Alert[],
): ReachabilitySummary {
  const shown = new Set(listed);
  return {
    matched: page.findings.map((p) => p.finding),
    excluded,
    shown: page.findings.filter((p) => shown.has(p.alert)).map((p) => p.finding),
    page,
    message: { payload, alerts: [...listed], index: 1, count: 1 },
  };
}

function mrkdwn(text: string): TextObject {
  return { type: "mrkdwn", text, verbatim: true };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The summary page as one Block Kit message within `limits` (Slack's by default): header,
 * counts, the findings that fit (unreachable ones are counted, not listed, as the Socket CLI),
 * and what is not shown. What `blockKitLayout`'s `reachability` renders.
 */
export function blockKitReachabilitySummary(
  summary: ReachabilitySummaryPage,
  partialLimits: Partial<MessageLimits> = {},
): { payload: SlackMessage; listed: Alert[] } {
  const limits: MessageLimits = { ...SLACK_LIMITS, ...partialLimits };
  const { scan, source } = summary;
  const items = summary.findings.map((i) => ({ f: i.finding, a: i.alert, inChange: i.inChange }));
  const findings = items.map((i) => i.f);
  const reachable = summary.byState.reachable;
  const unreachable = summary.byState.unreachable;

  const header: Block = {
    type: "header",
    text: {
      type: "plain_text",
      text: truncate(
        findings.length === 0
          ? "✅ Socket reachability: no vulnerabilities"
          : `🎯 Socket reachability: ${reachable} reachable of ${plural(findings.length, "vulnerability", "vulnerabilities")}`,
        limits.maxHeaderChars,
      ),
      emoji: true,
    },
  };
  const counts = mrkdwn(truncate(countsText(summary, scan, source), Math.min(limits.maxSectionChars, 2000)));
  const fixed: Block[] = [header, { type: "section", text: counts }];
  const fixedChars = header.text.text.length + counts.text.length;
  // Unreachable findings are counted, not listed (as the Socket CLI); every other state is listed while it fits.
  const listable = items.filter((i) => i.f.state !== "unreachable");
  const blockBudget = limits.maxBlocks - fixed.length - 1 /* divider */ - 1; /* footer */
  const charBudget = limits.maxMessageChars - fixedChars - FOOTER_RESERVE_CHARS;
  const sectionMax = Math.min(limits.maxSectionChars, Math.max(200, charBudget));
  // Share the room: a few findings get whole call paths, many get their first frames.
  const perFinding = Math.floor(charBudget / Math.max(1, Math.min(listable.length, blockBudget))) - 250;
  const traceMax = Math.min(TRACE_MAX_CHARS, Math.max(TRACE_MIN_CHARS, perFinding));

  const blocks: Block[] = [...fixed];
  const shown: typeof items = [];
  let chars = 0;
  if (listable.length) blocks.push({ type: "divider" });
  for (const item of listable) {
    if (shown.length >= blockBudget) break;
    const text = renderFinding(item.f, item.inChange, sectionMax, traceMax);
    if (shown.length > 0 && chars + text.length > charBudget) break;
    blocks.push({ type: "section", text: mrkdwn(text) });
    shown.push(item);
    chars += text.length;
  }
  const didNotFit = listable.length - shown.length;
  if (didNotFit + unreachable > 0) {
    const room = Math.min(limits.maxSectionChars, limits.maxMessageChars - fixedChars - chars);
    blocks.push({
      type: "section",
      text: mrkdwn(footer(didNotFit, unreachable, listable.slice(shown.length), scan, room)),
    });
  }

  const where = [scan.repo && ` in ${inline(scan.repo, 150)}`, scan.branch && ` (${inline(scan.branch, 100)})`]
    .filter(Boolean)
    .join("");
  let fallback = `Socket reachability${where}: ${stateCounts(findings, false) || "no vulnerabilities"}`;
  if (didNotFit + unreachable > 0) fallback += ` · ${didNotFit + unreachable} not shown`;
  return {
    payload: { text: truncate(fallback, limits.maxFallbackChars), blocks, unfurl_links: false, unfurl_media: false },
    listed: shown.map((s) => s.a),
  };
}

/** `🎯 1 reachable · ❓ 2 unknown (1 missing_support, 1 undeterminable) · ⚠️ 1 analysis failed · ✓ 1 unreachable` */
function stateCounts(findings: readonly ReachabilityFinding[], emoji = true): string {
  const parts: string[] = [];
  const n = (s: ReachabilityState) => findings.filter((f) => f.state === s);
  const e = (x: string) => (emoji ? `${x} ` : "");
  if (n("reachable").length) parts.push(`${e("🎯")}${n("reachable").length} reachable`);
  const unknown = n("unknown");
  if (unknown.length) {
    const raw = new Map<string, number>();
    for (const f of unknown) if (f.rawState !== "unknown") raw.set(f.rawState, (raw.get(f.rawState) ?? 0) + 1);
    const detail = [...raw].map(([s, c]) => `${c} ${inline(s, 40)}`).join(", ");
    parts.push(`${e("❓")}${unknown.length} unknown${detail ? ` (${detail})` : ""}`);
  }
  if (n("error").length) parts.push(`${e("⚠️")}${n("error").length} analysis failed`);
  if (n("unreachable").length) parts.push(`${e("✓")}${n("unreachable").length} unreachable`);
  return parts.join(" · ");
}

function countsText(summary: ReachabilitySummaryPage, scan: ScanContext, file: string): string {
  const where = [
    scan.repo && `*Repository:* ${inline(scan.repo, 150)}`,
    scan.branch && `*Branch:* ${inline(scan.branch, 150)}`,
    scan.commitSha && `*Commit:* ${inline(scan.commitSha.slice(0, 8), 8)}`,
  ]
    .filter(Boolean)
    .join("  ·  ");
  const lines = [`Whole repository, from ${inline(file, 100)}${where ? `  ·  ${where}` : ""}`];
  if (summary.findings.length === 0) lines.push("No vulnerabilities match this destination's filters.");
  else {
    lines.push(`*By state:* ${stateCounts(summary.findings.map((i) => i.finding))}`);
    lines.push(`*By priority:* ${formatSeverityCounts(summary.bySeverity)}`);
  }
  return lines.join("\n");
}

/** One finding as one section: state, priority, ids, package, and the call path for reachable ones. */
export function renderFinding(
  f: ReachabilityFinding,
  inChange: boolean,
  max: number,
  traceMax = TRACE_MAX_CHARS,
): string {
  const state = reachabilityLabel(f);
  const ids = [f.ghsaId, f.cveId].filter((x): x is string => !!x);
  const title = ids.length ? ids.map((x) => inline(x, 40)).join(" · ") : inline(f.id, 40);
  const sev = `${SEVERITY_EMOJI[f.severity]} *${capital(f.severity)}*${f.advisorySeverity && f.advisorySeverity !== f.severity ? ` (advisory: ${f.advisorySeverity})` : ""}`;
  const pkg = [inline(`${f.ecosystem}/${packageLabel(f)}`, 200)];
  if (f.range) pkg.push(`affected ${inline(f.range, 80)}`);
  if (f.direct !== undefined) pkg.push(f.direct ? "direct" : "transitive");
  if (f.dev) pkg.push("dev");
  if (inChange) pkg.push("_in this change_");
  let text = `${state} · ${sev} — *${title}*\n${pkg.join(" · ")}`;
  if (f.state === "reachable" && f.trace) {
    const room = max - text.length - 12;
    if (room > 80) text += `\n${traceBlock(f.trace, Math.min(traceMax, room))}`;
  }
  return text.length <= max ? text : truncate(text, max);
}

function footer(
  didNotFit: number,
  unreachable: number,
  rest: readonly { f: ReachabilityFinding }[],
  scan: ScanContext,
  max: number,
): string {
  const parts: string[] = [];
  if (unreachable) parts.push(`${unreachable} unreachable`);
  if (didNotFit) parts.push(`${didNotFit} more that did not fit: ${stateCounts(rest.map((r) => r.f))}`);
  const where = scan.reportUrl ?? scan.diffUrl;
  const more = isSafeUrl(where) ? ` — ${link(where, "see all of them in the Socket report")}` : "";
  const text = `➕ *${plural(didNotFit + unreachable, "finding")} not shown* (${parts.join("; ")})`;
  // The link goes in whole or not at all.
  return text.length + more.length <= max ? text + more : truncate(text, max);
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
