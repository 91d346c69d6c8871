import { injectable } from "tsyringe";
import { type Alert, type ScanContext, packageLabel } from "../model.js";
import { type PageEntry, type PageLayout, type PageSlot, type PageTotals } from "../contract/layout.js";
import { planPages, pageTotals } from "../run/pages.js";
import {
  countBySeverity,
  SEVERITIES,
  SEVERITY_EMOJI,
  type Severity,
  type SeverityCounts,
  severityRank,
} from "../severity.js";
import { forgeLinks } from "./forge.js";
import { escapeMrkdwn, inline, isSafeUrl, link, truncate } from "./mrkdwn.js";
import { reachabilityLabel, TRACE_MAX_CHARS, traceBlock } from "./reachability.js";
import { sortByRisk } from "./risk.js";
import { type Block, type MessageLimits, SLACK_LIMITS, type SlackMessage, type TextObject } from "./types.js";

export interface BuildOptions {
  limits?: Partial<MessageLimits>;
  /** Most messages for this destination (`max_messages`, default 5). The last counts what did not fit. */
  maxMessages?: number;
  /** The alerts are already in risk order (the engine sorts once for all destinations). */
  sorted?: boolean;
  /**
   * Who to notify (the destination's trusted `mention` config, already validated: `<@U…>`,
   * `<!subteam^S…>`, `<!here>`, `<!channel>`) when any alert is at or above `minSeverity`.
   * Never from the report.
   */
  mention?: { tokens: readonly string[]; minSeverity: Severity };
  /**
   * Buttons for each alert (bot mode's interactive triage): called once per alert, its block goes
   * right under the alert. With it every alert is its own entry, so each can be decided alone.
   */
  actions?: (alert: Alert) => Block | undefined;
}

export interface BuiltMessage {
  payload: SlackMessage;
  /** Alerts shown in this message, in order. */
  alerts: Alert[];
  /** 1-based page number and page count. */
  index: number;
  count: number;
}

export interface BuildResult {
  messages: BuiltMessage[];
  shown: number;
  /** Alerts that did not fit in `maxMessages` messages; counted in the last message's summary. */
  omitted: number;
  omittedBySeverity: SeverityCounts;
}

export { countBySeverity, type SeverityCounts };

export const DEFAULT_MAX_MESSAGES = 5;
/** Room kept in every page for the "N more not shown" summary, so adding it never breaks a limit. */
const SUMMARY_RESERVE_CHARS = 700;
/** Room for "· part 12 of 12" in the header and fallback. */
const HEADER_RESERVE_CHARS = 24;
const MAX_SOURCES_SHOWN = 5;
const SUGGESTION_MAX_CHARS = 300;
const NEXT_STEP_MAX_CHARS = 150;
/** An alert's title in its row: longer ones are cut, ending in "…". */
export const ALERT_TITLE_MAX_CHARS = 150;
/**
 * Blocks per package entry: its section. Each alert's type key is in its own line of that
 * section, and each page ends with one context block (Slack's small text) of its type keys:
 * a context block per entry halved what a message holds (bench: 141 messages instead of 81).
 */
const BLOCKS_PER_ENTRY = 1;
const TYPES_MAX_CHARS = 1000;

/** A mention written in config as `!here` is sent as Slack's `<!here>`; the other forms are sent as written. */
export function mentionToken(t: string): string {
  return t === "!here" || t === "!channel" ? `<${t}>` : t;
}

/** Counts as people read them, highest first, zeros left out: `🔴 2 critical · 🟠 1 high`. */
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

/** What a Block Kit layout is made for (`BlockBuilder.layout`). */
export interface BlockKitLayoutOptions {
  scan: ScanContext;
  /** Counts of every alert of the destination (`pageTotals`). */
  totals: PageTotals;
  limits?: Partial<MessageLimits>;
  mention?: BuildOptions["mention"];
  actions?: BuildOptions["actions"];
}

/**
 * Renders alerts as Slack Block Kit messages that never exceed Slack's limits and never drop
 * an alert silently: alerts are ordered by risk, paginated ("part 2 of 3") by core's
 * `planPages` with this builder's measure (`layout`), and whatever does not fit in
 * `maxMessages` is counted, by severity, in a summary at the end.
 */
@injectable()
export class BlockBuilder {
  build(input: readonly Alert[], scan: ScanContext, options: BuildOptions = {}): BuildResult {
    const alerts = options.sorted ? input : sortByRisk(input);
    if (alerts.length === 0) return { messages: [], shown: 0, omitted: 0, omittedBySeverity: countBySeverity([]) };
    const totals = pageTotals(alerts);
    const layout = this.layout({
      scan,
      totals,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.mention ? { mention: options.mention } : {}),
      ...(options.actions ? { actions: options.actions } : {}),
    });
    const planned = planPages(alerts, layout, options.maxMessages ?? DEFAULT_MAX_MESSAGES, totals, scan);
    return {
      messages: planned.pages.map((page) => ({
        payload: layout.render(page),
        alerts: page.alerts,
        index: page.index,
        count: page.count,
      })),
      shown: planned.shown,
      omitted: planned.omitted,
      omittedBySeverity: planned.omittedBySeverity,
    };
  }

  /**
   * Slack's page layout for one destination: an entry is one section (a package and as many of
   * its alerts as fit one), a page holds what fits Slack's blocks and characters after its
   * header, context, divider and type-key line (the first page also the mention, the last the
   * "N more" count), and `render` makes the Block Kit message.
   */
  layout(options: BlockKitLayoutOptions): PageLayout {
    const limits = { ...SLACK_LIMITS, ...options.limits };
    const { scan, totals } = options;
    const contextBlock = this.contextSection(scan, limits);
    const mention = this.mentionSection(totals, options.mention, limits);
    const fixedBlocks = 1 /* header */ + (contextBlock ? 1 : 0) + 1 /* divider */ + 1 /* type keys */;
    const fixedChars = limits.maxHeaderChars + (contextBlock ? contextBlock.text.text.length : 0);
    const charBudget = limits.maxMessageChars - fixedChars - SUMMARY_RESERVE_CHARS;
    const sectionMax = Math.min(limits.maxSectionChars, Math.max(200, charBudget));
    const single = options.actions !== undefined;
    // Entries a page holds, without and with the summary block; the first page also carries the mention.
    const perEntry = BLOCKS_PER_ENTRY + (single ? 1 : 0);
    const maxEntries = ({ first, summary }: PageSlot) =>
      Math.floor((limits.maxBlocks - fixedBlocks - (summary ? 1 : 0) - (first && mention ? 1 : 0)) / perEntry);
    if (maxEntries({ first: true, summary: true }) < 1)
      throw new RangeError(`maxBlocks ${limits.maxBlocks} leaves no room for alerts`);
    // The summary's room is kept only on a page that carries it (reserving it everywhere cost a message).
    const charsFor = ({ first, summary }: PageSlot) =>
      charBudget - (first && mention ? mention.length : 0) + (summary ? 0 : SUMMARY_RESERVE_CHARS);

    // Sections rendered when core asked how many alerts an entry shows, used again to render.
    const rendered = new Map<Alert, { n: number; section: string }>();
    const sections = new WeakMap<PageEntry, string>();
    const sectionOf = (e: PageEntry): string => {
      let s = sections.get(e);
      if (s === undefined) {
        const r = rendered.get(e.alerts[0]!);
        s =
          r && r.n === e.alerts.length
            ? r.section
            : this.renderEntry(e.alerts, e.continued, sectionMax, single, e.alerts.length).section;
        sections.set(e, s);
      }
      return s;
    };
    return {
      entry: (run, continued) => {
        const r = this.renderEntry(run, continued, sectionMax, single);
        rendered.set(run[0]!, { n: r.alerts, section: r.section });
        return r.alerts;
      },
      // The page's type-key line grows by the keys an entry adds (and is cut at its cap).
      fits: (page, entry, slot) => {
        let chars = 0;
        for (const e of page) chars += sectionOf(e).length;
        return chars + sectionOf(entry).length + typeLineChars([...page, entry]) <= charsFor(slot);
      },
      maxEntries,
      render: (page) => {
        const { index, count } = page;
        const blocks: Block[] = [this.header(totals, index, count, limits)];
        if (contextBlock) blocks.push(contextBlock);
        if (index === 1 && mention) blocks.push({ type: "section", text: mrkdwn(mention) });
        blocks.push({ type: "divider" });
        for (const e of page.entries) {
          blocks.push({ type: "section", text: mrkdwn(sectionOf(e)) });
          const actions = options.actions?.(e.alerts[0]!);
          if (actions) blocks.push(actions);
        }
        blocks.push({ type: "context", elements: [mrkdwn(typeLine(page.entries, limits))] });
        const omitted = page.omitted?.count ?? 0;
        if (page.omitted && omitted > 0) blocks.push(this.summary(omitted, page.omitted.bySeverity, scan, limits));
        let text = this.fallback(totals, scan, index, count, omitted, limits);
        // The notification preview is the fallback: the mention goes there too, so it pings.
        if (index === 1 && mention && options.mention)
          text = truncate(
            `${options.mention.tokens.map(mentionToken).join(" ")} ${text}`,
            limits.maxFallbackChars - HEADER_RESERVE_CHARS,
          );
        return { text, blocks, unfurl_links: false, unfurl_media: false };
      },
    };
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

  /**
   * Repo, branch, PR, commit and links. Fields that are unknown are left out (no "PR 0", no
   * `<|scan>`: B13). On a known forge the repository, PR and commit are links, and the CI run is
   * linked when the CI said where it is.
   */
  private contextSection(scan: ScanContext, limits: MessageLimits): { type: "section"; text: TextObject } | undefined {
    const links = forgeLinks(scan);
    const plain: string[] = [];
    const linked: string[] = [];
    const field = (name: string, shown: string | undefined, url: string | undefined) => {
      if (!shown) return;
      plain.push(`*${name}:* ${shown}`);
      linked.push(`*${name}:* ${isSafeUrl(url) ? `<${url.replace(/&/g, "&amp;")}|${shown}>` : shown}`);
    };
    field("Repository", scan.repo && inline(scan.repo, 150), links.repo);
    field("Branch", scan.branch && inline(scan.branch, 150), links.branch);
    field("PR", scan.pr && `#${inline(scan.pr.replace(/^#/, ""), 40)}`, links.pr);
    field("Commit", scan.commitSha && inline(scan.commitSha.slice(0, 8), 8), links.commit);
    const cap = Math.min(limits.maxSectionChars, 1200);
    // Links go in whole or not at all: truncating through one would leave a broken `<url|…`.
    const linkedLine = linked.join("  ·  ");
    const fieldLine = linkedLine.length <= cap ? linkedLine : truncate(plain.join("  ·  "), cap);
    let linkLine = "";
    const addLink = (url: string | undefined, label: string) => {
      if (!isSafeUrl(url)) return;
      const l = link(url, label);
      const next = linkLine ? `${linkLine}  ·  ${l}` : l;
      if (fieldLine.length + 1 + next.length <= cap) linkLine = next;
    };
    addLink(scan.diffUrl, "View the scan on Socket");
    if (scan.reportUrl !== scan.diffUrl) addLink(scan.reportUrl, "Full report");
    addLink(scan.runUrl, "CI run");
    const lines = [fieldLine, linkLine].filter(Boolean);
    if (!lines.length) return undefined;
    return { type: "section", text: mrkdwn(lines.join("\n")) };
  }

  /** The mention line, when the destination has `mention` and an alert reaches its severity. */
  private mentionSection(
    totals: PageTotals,
    mention: BuildOptions["mention"],
    limits: MessageLimits,
  ): string | undefined {
    if (!mention || mention.tokens.length === 0) return undefined;
    const min = severityRank(mention.minSeverity);
    let n = 0;
    for (const s of SEVERITIES) if (severityRank(s) >= min) n += totals.bySeverity[s];
    if (n === 0) return undefined;
    const what = mention.minSeverity === "critical" ? "critical" : `${mention.minSeverity} or higher`;
    const tokens = mention.tokens.map(mentionToken).join(" ");
    return truncate(`🔔 ${tokens}: ${plural(n, `${what} alert`)}`, Math.min(limits.maxSectionChars, 1000));
  }

  /**
   * The first alerts of `run` (a package's next alerts) as one entry: the package once, its
   * alerts beneath, as many as fit one section (at most `most`); the others continue in the
   * next entry, so every alert is in exactly one. `single`: one alert per entry (buttons).
   */
  private renderEntry(
    run: readonly Alert[],
    continued: boolean,
    max: number,
    single: boolean,
    most = run.length,
  ): { alerts: number; section: string } {
    const first = run[0]!;
    if (single || run.length === 1) return { alerts: 1, section: this.renderAlert(first, max) };
    const head = this.packageLine(first, `${continued ? " (continued)" : ""} · ${plural(run.length, "alert")}`, max);
    let text = [head, ...this.sourceLines(run)].join("\n");
    let shown = 0;
    for (const a of run) {
      if (shown === most) break;
      const room = max - text.length - 1;
      const part = this.alertLines(a, Math.max(room, 200));
      if (shown > 0 && part.length > room) break;
      text += `\n${part}`;
      shown++;
    }
    return { alerts: shown, section: text.length <= max ? text : truncate(text, max) };
  }

  /** The package, linked to its Socket page when the link fits whole (so a cut at `max` can never split it). */
  private packageLine(a: Alert, suffix: string, max: number): string {
    const label = truncate(`${a.ecosystem}/${packageLabel(a)}`.replace(/\s+/g, " "), 200);
    const linked = link(a.url, label);
    return `📦 ${linked.length + suffix.length + 3 < max / 2 ? linked : escapeMrkdwn(label)}${suffix}`;
  }

  private sourceLines(alerts: readonly Alert[]): string[] {
    const sources = alerts.flatMap((a) =>
      a.introducedBy.map((s) => `${inline(s.source, 150)}${s.manifest ? ` (${inline(s.manifest, 150)})` : ""}`),
    );
    const unique = [...new Set(sources)];
    const lines: string[] = [];
    if (unique.length === 1) lines.push(`*Introduced by:* ${unique[0]}`);
    else if (unique.length > 1) {
      lines.push("*Introduced by:*");
      for (const s of unique.slice(0, MAX_SOURCES_SHOWN)) lines.push(`• ${s}`);
      if (unique.length > MAX_SOURCES_SHOWN) lines.push(`• …and ${unique.length - MAX_SOURCES_SHOWN} more`);
    }
    const noSources = alerts.filter((a) => !a.introducedBy.length);
    const manifests = [...new Set(noSources.flatMap((a) => a.manifests))];
    if (manifests.length)
      lines.push(
        `*Manifest:* ${manifests
          .slice(0, 5)
          .map((m) => inline(m, 150))
          .join(", ")}`,
      );
    return lines;
  }

  /** One alert as one section: title, severity and level, package link, ids, sources, origin, suggestion, reachability. */
  renderAlert(a: Alert, max: number): string {
    const head = this.alertHead(a);
    const pkg = `${a.ecosystem}/${packageLabel(a)}`;
    const label = truncate(pkg.replace(/\s+/g, " "), 200);
    // Linked only when the link fits whole, so a cut at `max` can never split it.
    const linked = link(a.url, label);
    const lines = [head, head.length + 1 + linked.length < max ? linked : escapeMrkdwn(label)];
    lines.push(...this.idLines(a), ...this.sourceLines([a]));
    let text = [...lines, ...this.detailLines(a)].join("\n");
    text = this.withTrace(a, text, max);
    return text.length <= max ? text : truncate(text, max);
  }

  /** An alert beneath its package: the alert's own lines, without the package and sources. */
  private alertLines(a: Alert, max: number): string {
    let text = [this.alertHead(a), ...this.idLines(a), ...this.detailLines(a)].join("\n");
    text = this.withTrace(a, text, max);
    return text.length <= max ? text : truncate(text, max);
  }

  /** Severity, level, title, and the type key that `alert_types` / `exclude_alert_types` take. */
  private alertHead(a: Alert): string {
    return `${SEVERITY_EMOJI[a.severity]} *${capital(a.severity)} · ${a.action === "block" ? "Block" : capital(a.action)}* — *${inline(a.title, ALERT_TITLE_MAX_CHARS)}* ${typeKey(a.type)}`;
  }

  private idLines(a: Alert): string[] {
    const ids = [a.cveId, a.ghsaId].filter((x): x is string => !!x).map((x) => inline(x, 40));
    return ids.length ? [ids.join(" · ")] : [];
  }

  private detailLines(a: Alert): string[] {
    const lines: string[] = [];
    if (a.origin === "unchanged") lines.push("_Already present before this change (strict blocking)_");
    if (a.description) lines.push(inline(a.description, 300));
    // What to do, as Socket says it (SDK metadata in the report; empty in offline runs).
    if (a.suggestion) lines.push(`*Suggestion:* ${inline(a.suggestion, SUGGESTION_MAX_CHARS)}`);
    if (a.nextStep) lines.push(`*Next step:* ${inline(a.nextStep, NEXT_STEP_MAX_CHARS)}`);
    if (a.reachability) lines.push(reachabilityLabel(a.reachability));
    return lines;
  }

  private withTrace(a: Alert, text: string, max: number): string {
    const trace = a.reachability?.state === "reachable" ? a.reachability.trace : undefined;
    if (!trace) return text;
    const room = max - text.length - 12;
    return room > 80 ? `${text}\n${traceBlock(trace, Math.min(TRACE_MAX_CHARS, room))}` : text;
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
    const where = [scan.repo && ` in ${inline(scan.repo, 150)}`, scan.branch && ` (${inline(scan.branch, 100)})`]
      .filter(Boolean)
      .join("");
    let text = `Socket Security: ${plural(totals.all, "alert")}${where}: ${totals.block} block, ${totals.all - totals.block} warn — ${formatSeverityCounts(totals.bySeverity, false)}`;
    if (count > 1) text += ` · part ${index} of ${count}`;
    if (omitted > 0 && index === count) text += ` · ${omitted} not shown`;
    return truncate(text, limits.maxFallbackChars - HEADER_RESERVE_CHARS);
  }
}

const TYPES_LABEL = "Alert types (for alert_types / exclude_alert_types): ";
const TYPE_SEPARATOR = " · ";

/** A type key as shown: code, escaped. */
function typeKey(type: string): string {
  return `\`${inline(type, 80)}\``;
}

/** A page's type keys in small text (a context block), so a reader can write filters from them. */
function typeLine(page: readonly PageEntry[], limits: MessageLimits): string {
  const types = [...new Set(page.flatMap((e) => e.alerts.map((a) => a.type)))].map(typeKey);
  return truncate(`${TYPES_LABEL}${types.join(TYPE_SEPARATOR)}`, Math.min(limits.maxSectionChars, TYPES_MAX_CHARS));
}

/** How long a page's type-key line is (its cap aside, what `typeLine` makes, counted without building it). */
function typeLineChars(page: readonly PageEntry[]): number {
  const types = new Set<string>();
  let n = TYPES_LABEL.length;
  for (const e of page)
    for (const a of e.alerts)
      if (!types.has(a.type)) {
        types.add(a.type);
        n += typeKey(a.type).length + TYPE_SEPARATOR.length;
      }
  return Math.min(n, TYPES_MAX_CHARS);
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export { escapeMrkdwn };
