import { injectable } from "tsyringe";
import { type Alert, type ScanContext, packageLabel } from "../model.js";
import { SEVERITIES, SEVERITY_EMOJI, type Severity } from "../severity.js";
import { codeBlock, escapeMrkdwn, inline, isSafeUrl, link, truncate } from "./mrkdwn.js";
import { sortByRisk } from "./risk.js";
import { type Block, type MessageLimits, SLACK_LIMITS, type SlackMessage, type TextObject } from "./types.js";

export interface BuildOptions {
  limits?: Partial<MessageLimits>;
  /** Most messages for this destination (`max_messages`, default 5). The last counts what did not fit. */
  maxMessages?: number;
  /** The alerts are already in risk order (the engine sorts once for all destinations). */
  sorted?: boolean;
}

export interface BuiltMessage {
  payload: SlackMessage;
  /** Alerts shown in this message, in order. */
  alerts: Alert[];
  /** 1-based page number and page count. */
  index: number;
  count: number;
}

export type SeverityCounts = Record<Severity, number>;

export interface BuildResult {
  messages: BuiltMessage[];
  shown: number;
  /** Alerts that did not fit in `maxMessages` messages; counted in the last message's summary. */
  omitted: number;
  omittedBySeverity: SeverityCounts;
}

export const DEFAULT_MAX_MESSAGES = 5;
/** Room kept in every page for the "N more not shown" summary, so adding it never breaks a limit. */
const SUMMARY_RESERVE_CHARS = 700;
/** Room for "· part 12 of 12" in the header and fallback. */
const HEADER_RESERVE_CHARS = 24;
const MAX_SOURCES_SHOWN = 5;
const TRACE_MAX_CHARS = 1200;

export function countBySeverity(alerts: Iterable<Alert>): SeverityCounts {
  const c: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const a of alerts) addSeverity(c, a.severity);
  return c;
}

// A switch, not `c[severity]++`: a store under a computed key takes V8's generic path, and this
// runs for every matched alert of every destination (bench figure 6: it was a quarter of the time).
function addSeverity(c: SeverityCounts, s: Alert["severity"]): void {
  switch (s) {
    case "critical":
      c.critical++;
      break;
    case "high":
      c.high++;
      break;
    case "medium":
      c.medium++;
      break;
    default:
      c.low++;
  }
}

/** Severity counts and block count of all alerts, and severity counts from index `restFrom` on, in one pass. */
function tally(alerts: readonly Alert[], restFrom: number): { bySeverity: SeverityCounts; block: number; rest: SeverityCounts } {
  const bySeverity: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0 };
  const rest: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0 };
  let block = 0;
  for (let k = 0; k < alerts.length; k++) {
    const a = alerts[k]!;
    addSeverity(bySeverity, a.severity);
    if (k >= restFrom) addSeverity(rest, a.severity);
    if (a.action === "block") block++;
  }
  return { bySeverity, block, rest };
}

export function formatSeverityCounts(c: SeverityCounts, withEmoji = true): string {
  return [...SEVERITIES]
    .reverse()
    .filter((s) => c[s] > 0)
    .map((s) => `${withEmoji ? `${SEVERITY_EMOJI[s]} ` : ""}${c[s]} ${s}`)
    .join(" · ");
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function mrkdwn(text: string): TextObject {
  // verbatim: Slack must not auto-link or parse plain-form @mentions in what we send.
  return { type: "mrkdwn", text, verbatim: true };
}

/**
 * Renders alerts as Slack Block Kit messages that never exceed Slack's limits and never drop
 * an alert silently: alerts are ordered by risk, paginated ("part 2 of 3"), and whatever does
 * not fit in `maxMessages` is counted, by severity, in a summary at the end.
 */
@injectable()
export class BlockBuilder {
  build(input: readonly Alert[], scan: ScanContext, options: BuildOptions = {}): BuildResult {
    const limits = { ...SLACK_LIMITS, ...options.limits };
    const maxMessages = Math.max(1, options.maxMessages ?? DEFAULT_MAX_MESSAGES);
    const alerts = options.sorted ? input : sortByRisk(input);
    if (alerts.length === 0) return { messages: [], shown: 0, omitted: 0, omittedBySeverity: countBySeverity([]) };

    const contextBlock = this.contextSection(scan, limits);
    const fixedBlocks = 1 /* header */ + (contextBlock ? 1 : 0) + 1 /* divider */;
    const fixedChars = limits.maxHeaderChars + (contextBlock ? contextBlock.text.text.length : 0);
    const blockBudget = limits.maxBlocks - fixedBlocks - 1; /* summary */
    const charBudget = limits.maxMessageChars - fixedChars - SUMMARY_RESERVE_CHARS;
    const sectionMax = Math.min(limits.maxSectionChars, Math.max(200, charBudget));
    if (blockBudget < 1) throw new RangeError(`maxBlocks ${limits.maxBlocks} leaves no room for alerts`);

    const pages: { alerts: Alert[]; texts: string[] }[] = [];
    const fill = (start: number, maxAlerts: number, maxChars: number) => {
      const page = { alerts: [] as Alert[], texts: [] as string[] };
      let chars = 0;
      let j = start;
      while (j < alerts.length && page.alerts.length < maxAlerts) {
        const text = this.renderAlert(alerts[j]!, sectionMax);
        if (page.alerts.length > 0 && chars + text.length > maxChars) break;
        page.alerts.push(alerts[j]!);
        page.texts.push(text);
        chars += text.length;
        j++;
      }
      return { page, next: j };
    };
    // Pages are filled without the summary's room; only when alerts are left over is the last
    // page filled again with room for the summary (reserving it on every page cost a message).
    let i = 0;
    let lastStart = 0;
    while (i < alerts.length && pages.length < maxMessages) {
      lastStart = i;
      const { page, next } = fill(i, blockBudget + 1, charBudget + SUMMARY_RESERVE_CHARS);
      pages.push(page);
      i = next;
    }
    if (i < alerts.length && pages.length > 0) {
      const { page, next } = fill(lastStart, blockBudget, charBudget);
      pages[pages.length - 1] = page;
      i = next;
    }
    const counted = tally(alerts, i);
    const omittedBySeverity = counted.rest;
    const omitted = alerts.length - i;
    const totals = { all: alerts.length, bySeverity: counted.bySeverity, block: counted.block };

    const messages: BuiltMessage[] = pages.map((page, p) => {
      const index = p + 1;
      const count = pages.length;
      const blocks: Block[] = [this.header(totals, index, count, limits)];
      if (contextBlock) blocks.push(contextBlock);
      blocks.push({ type: "divider" });
      for (const t of page.texts) blocks.push({ type: "section", text: mrkdwn(t) });
      if (index === count && omitted > 0) blocks.push(this.summary(omitted, omittedBySeverity, scan, limits));
      return {
        payload: {
          text: this.fallback(totals, scan, index, count, omitted, limits),
          blocks,
          unfurl_links: false,
          unfurl_media: false,
        },
        alerts: page.alerts,
        index,
        count,
      };
    });
    return { messages, shown: i, omitted, omittedBySeverity };
  }

  private header(totals: { all: number; block: number }, index: number, count: number, limits: MessageLimits): Block {
    const warn = totals.all - totals.block;
    let text =
      index === 1
        ? `🚨 Socket Security: ${plural(totals.all, "alert")} (${totals.block} block, ${warn} warn)`
        : `Socket Security alerts, continued`;
    if (count > 1) text += ` · part ${index} of ${count}`;
    // Header text: plain_text, at most 150 characters (Block Kit header block).
    return { type: "header", text: { type: "plain_text", text: truncate(text, limits.maxHeaderChars), emoji: true } };
  }

  /** Repo, branch, PR, commit and links. Fields that are unknown are left out (no "PR 0", no `<|scan>`: B13). */
  private contextSection(scan: ScanContext, limits: MessageLimits): { type: "section"; text: TextObject } | undefined {
    const fields: string[] = [];
    if (scan.repo) fields.push(`*Repository:* ${inline(scan.repo, 150)}`);
    if (scan.branch) fields.push(`*Branch:* ${inline(scan.branch, 150)}`);
    if (scan.pr) fields.push(`*PR:* #${inline(scan.pr.replace(/^#/, ""), 40)}`);
    if (scan.commitSha) fields.push(`*Commit:* ${inline(scan.commitSha.slice(0, 8), 8)}`);
    const cap = Math.min(limits.maxSectionChars, 1200);
    const fieldLine = truncate(fields.join("  ·  "), cap);
    // Links go in whole or not at all: truncating through one would leave a broken `<url|…`.
    let linkLine = "";
    const addLink = (url: string | undefined, label: string) => {
      if (!isSafeUrl(url)) return;
      const l = link(url, label);
      const next = linkLine ? `${linkLine}  ·  ${l}` : l;
      if (fieldLine.length + 1 + next.length <= cap) linkLine = next;
    };
    addLink(scan.diffUrl, "View the scan on Socket");
    if (scan.reportUrl !== scan.diffUrl) addLink(scan.reportUrl, "Full report");
    const lines = [fieldLine, linkLine].filter(Boolean);
    if (!lines.length) return undefined;
    return { type: "section", text: mrkdwn(lines.join("\n")) };
  }

  /** One alert as one section: title, severity and level, package link, ids, origin, reachability. */
  renderAlert(a: Alert, max: number): string {
    const head = `${SEVERITY_EMOJI[a.severity]} *${capital(a.severity)} · ${a.action === "block" ? "Block" : capital(a.action)}* — *${inline(a.title, 150)}*`;
    const pkg = `${a.ecosystem}/${packageLabel(a)}`;
    const label = truncate(pkg.replace(/\s+/g, " "), 200);
    // Linked only when the link fits whole, so a cut at `max` can never split it.
    const linked = link(a.url, label);
    const lines = [head, head.length + 1 + linked.length < max ? linked : escapeMrkdwn(label)];
    const ids = [a.cveId, a.ghsaId].filter((x): x is string => !!x).map((x) => inline(x, 40));
    if (ids.length) lines.push(ids.join(" · "));
    const sources = a.introducedBy.map((s) => `${inline(s.source, 150)}${s.manifest ? ` (${inline(s.manifest, 150)})` : ""}`);
    const unique = [...new Set(sources)];
    if (unique.length === 1) lines.push(`*Introduced by:* ${unique[0]}`);
    else if (unique.length > 1) {
      lines.push("*Introduced by:*");
      for (const s of unique.slice(0, MAX_SOURCES_SHOWN)) lines.push(`• ${s}`);
      if (unique.length > MAX_SOURCES_SHOWN) lines.push(`• …and ${unique.length - MAX_SOURCES_SHOWN} more`);
    }
    if (a.manifests.length && !a.introducedBy.length) lines.push(`*Manifest:* ${a.manifests.slice(0, 5).map((m) => inline(m, 150)).join(", ")}`);
    if (a.origin === "unchanged") lines.push("_Already present before this change (strict blocking)_");
    if (a.description) lines.push(inline(a.description, 300));
    if (a.reachability) {
      const r = a.reachability;
      const label = { reachable: "🎯 *Reachable*", unreachable: "✓ *Unreachable*", unknown: "❓ *Reachability unknown*", error: "⚠️ *Reachability analysis failed*" }[r.state];
      lines.push(r.state === "unknown" && r.rawState !== "unknown" ? `${label} (${inline(r.rawState, 40)})` : label);
    }
    let text = lines.join("\n");
    const trace = a.reachability?.state === "reachable" ? a.reachability.trace : undefined;
    if (trace) {
      const room = max - text.length - 12;
      if (room > 80) text += "\n" + codeBlock(trace, Math.min(TRACE_MAX_CHARS, room));
    }
    return text.length <= max ? text : truncate(text, max);
  }

  private summary(n: number, counts: SeverityCounts, scan: ScanContext, limits: MessageLimits): Block {
    const where = scan.reportUrl ?? scan.diffUrl;
    const head = `➕ *${plural(n, "more alert")} not shown* (${formatSeverityCounts(counts)})`;
    const tail = "\n_Raise `max_messages` to see more here._";
    const more = isSafeUrl(where) ? ` — ${link(where, "see all of them in the Socket report")}` : "";
    // The summary must fit the room reserved for it in every page; a link that does not fit is left out, never cut.
    const room = Math.min(limits.maxSectionChars, SUMMARY_RESERVE_CHARS);
    const text = head.length + more.length + tail.length <= room ? head + more + tail : truncate(head + tail, room);
    return { type: "section", text: mrkdwn(text) };
  }

  private fallback(
    totals: { all: number; block: number; bySeverity: SeverityCounts },
    scan: ScanContext,
    index: number,
    count: number,
    omitted: number,
    limits: MessageLimits,
  ): string {
    const where = [scan.repo && ` in ${inline(scan.repo, 150)}`, scan.branch && ` (${inline(scan.branch, 100)})`].filter(Boolean).join("");
    let text = `Socket Security: ${plural(totals.all, "alert")}${where}: ${totals.block} block, ${totals.all - totals.block} warn — ${formatSeverityCounts(totals.bySeverity, false)}`;
    if (count > 1) text += ` · part ${index} of ${count}`;
    if (omitted > 0 && index === count) text += ` · ${omitted} not shown`;
    return truncate(text, limits.maxFallbackChars - HEADER_RESERVE_CHARS);
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export { escapeMrkdwn };
