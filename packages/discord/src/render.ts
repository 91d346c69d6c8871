/**
 * Discord's own renderer: one page of alerts → one Execute Webhook body (content + embeds)
 * that is always within Discord's limits, with every alert of the page shown or counted.
 *
 * Layout: `content` is the heading (the notification preview); each package is an embed
 * (title: the package, linked to its Socket page; colour: its worst severity) with one field
 * per alert (name: severity, level and title; value: ids, introduced by, description,
 * suggestion, reachability and trace); a last embed counts what is not shown.
 */
import { type Alert, type AlertPage } from "@socket-notify/core";
import {
  countBySeverity,
  formatSeverityCounts,
  packageLabel,
  SEVERITY_EMOJI,
  type SeverityCounts,
  truncate,
} from "@socket-notify/core/render";
import { codeBlockDiscord, escapeDiscord, inlineDiscord, linkDiscord, safeUrl } from "./markdown.js";

/**
 * Discord's per-message limits (Message resource: Embed limits; Execute Webhook: content).
 * Kept here, not imported from the emulator's Discord fake, on purpose: the fake is the
 * independent check of these numbers.
 */
export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  /** Title, description, field names and values, footer and author name of all embeds together. */
  totalEmbedChars: 6000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
} as const;

export interface DiscordEmbed {
  title?: string;
  description?: string;
  url?: string;
  color?: number;
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string };
}

/** What we POST to a webhook. */
export interface DiscordWebhookBody {
  content: string;
  embeds: DiscordEmbed[];
  /** Nothing in our messages may ping anyone: untrusted text can say `@everyone`. */
  allowed_mentions: { parse: [] };
  username?: string;
}

/** One page of alerts for one destination, as core planned it. */
export interface DiscordPage {
  /** Plain text: `🚨 Socket Security: 300 alerts (120 block, 180 warn) · part 1 of 5`. */
  heading: string;
  /** The page's alerts, in the order core planned (risk order, a package's alerts together). */
  alerts: readonly Alert[];
  /** On the last page: the destination's alerts that fit in no message (`max_messages`), counted. */
  omitted?: { count: number; bySeverity: SeverityCounts; url?: string };
  /** `username` the webhook posts as. */
  username?: string;
}

export interface RenderedDiscordMessage {
  body: DiscordWebhookBody;
  /** Alerts of the page shown as fields. */
  shown: number;
  /** Alerts of the page that did not fit Discord's limits; counted in the last embed. */
  overflow: number;
}

const COLOR: Record<Alert["severity"], number> = {
  critical: 0xd32f2f,
  high: 0xf57c00,
  medium: 0xfbc02d,
  low: 0x9e9e9e,
};
const RANK: Record<Alert["severity"], number> = { low: 1, medium: 2, high: 3, critical: 4 };
/** Chars kept for the "N more not shown" embed, so adding it never breaks the 6,000. */
export const SUMMARY_RESERVE_CHARS = 600;
/** An alert's field value is never cut shorter than this; below it, alerts move to the count. */
const MIN_VALUE_CHARS = 60;
const TRACE_MAX_CHARS = 700;

/** A field value line: text may be cut, a link or code block goes in whole or not at all. */
type Line = { text: string; cut: boolean };

interface Item {
  alert: Alert;
  name: string;
  lines: Line[];
  /** Longest value (all lines, within the field value limit). */
  full: number;
}

interface Group {
  title: string;
  url: string | undefined;
  items: Item[];
}

/** The most characters one alert takes in a Discord message: its field name and full value. */
export function measureAlert(alert: Alert): number {
  const item = itemOf(alert);
  return item.name.length + item.full;
}

/**
 * Whether these alerts (a page, in order) fit one Discord message in full: within the embeds
 * (one per package, 25 fields each) and the 6,000 characters, every field value whole, beside
 * the "N more not shown" embed when `summary`. Discord's page measure (see layout.ts).
 */
export function fitsInFull(alerts: readonly Alert[], summary: boolean): boolean {
  const groups = groupsOf(alerts.map(itemOf));
  if (groups.length > DISCORD_LIMITS.embeds - (summary ? 1 : 0)) return false;
  return (
    size(groups, DISCORD_LIMITS.fieldValue) <= DISCORD_LIMITS.totalEmbedChars - (summary ? SUMMARY_RESERVE_CHARS : 0)
  );
}

/** Core's neutral page as the renderer takes it: its heading, alerts and what is not shown. */
export function discordPage(page: AlertPage, username?: string): DiscordPage {
  const { all, block } = page.totals;
  let heading =
    page.index === 1
      ? `🚨 Socket Security: ${all} alert${all === 1 ? "" : "s"} (${block} block, ${all - block} warn)`
      : "Socket Security alerts, continued";
  if (page.count > 1) heading += ` · part ${page.index} of ${page.count}`;
  const url = page.scan.reportUrl ?? page.scan.diffUrl;
  return {
    heading,
    alerts: page.alerts,
    ...(page.omitted ? { omitted: { ...page.omitted, ...(url ? { url } : {}) } } : {}),
    ...(username ? { username } : {}),
  };
}

export function renderDiscordPage(page: DiscordPage): RenderedDiscordMessage {
  const items = page.alerts.map(itemOf);
  const omitted = page.omitted && page.omitted.count > 0 ? page.omitted : undefined;
  const content = `**${escapeDiscord(truncate(page.heading.replace(/\s+/g, " ").trim(), 1800))}**`;

  // How many alerts fit, with the summary embed when something is not shown.
  let summary = omitted !== undefined;
  let k = fitCount(items, summary);
  if (k < items.length && !summary) {
    summary = true;
    k = fitCount(items, summary);
  }
  const budget = DISCORD_LIMITS.totalEmbedChars - (summary ? SUMMARY_RESERVE_CHARS : 0);
  const shownItems = items.slice(0, k);
  const groups = groupsOf(shownItems);
  // The longest field value every shown alert can have within the budget (water filling).
  let lo = MIN_VALUE_CHARS;
  let hi = DISCORD_LIMITS.fieldValue;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (size(groups, mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  const embeds: DiscordEmbed[] = [];
  for (const g of groups) {
    const top = g.items.reduce(
      (s, i) => (RANK[i.alert.severity] > RANK[s] ? i.alert.severity : s),
      "low" as Alert["severity"],
    );
    embeds.push({
      title: g.title,
      ...(g.url ? { url: g.url } : {}),
      color: COLOR[top],
      fields: g.items.map((i) => ({ name: i.name, value: fieldValue(i.lines, lo) })),
    });
  }
  const rest = items.slice(k).map((i) => i.alert);
  if (summary) embeds.push(summaryEmbed(omitted, rest));
  return {
    body: {
      content,
      embeds,
      allowed_mentions: { parse: [] },
      ...(page.username ? { username: page.username } : {}),
    },
    shown: k,
    overflow: rest.length,
  };
}

/** Characters of all embeds with every value capped at `cap`. */
function size(groups: Group[], cap: number): number {
  let n = 0;
  for (const g of groups) {
    n += g.title.length;
    for (const i of g.items) n += i.name.length + Math.min(i.full, cap);
  }
  return n;
}

/** The most leading alerts that fit (embed count and characters, values at their shortest). */
function fitCount(items: Item[], summary: boolean): number {
  const maxEmbeds = DISCORD_LIMITS.embeds - (summary ? 1 : 0);
  const budget = DISCORD_LIMITS.totalEmbedChars - (summary ? SUMMARY_RESERVE_CHARS : 0);
  let k = items.length;
  // Alerts only ever leave from the end, so the groups of the first k are a prefix of all groups.
  while (k > 0) {
    const groups = groupsOf(items.slice(0, k));
    if (groups.length <= maxEmbeds && size(groups, MIN_VALUE_CHARS) <= budget) break;
    k--;
  }
  return k;
}

function groupsOf(items: Item[]): Group[] {
  const groups: Group[] = [];
  let key = "";
  for (const i of items) {
    const k = packageKey(i.alert);
    const last = groups[groups.length - 1];
    if (last && k === key && last.items.length < DISCORD_LIMITS.fields) last.items.push(i);
    else {
      const continued = last !== undefined && k === key;
      const label = `📦 ${escapeDiscord(truncate(`${i.alert.ecosystem}/${packageLabel(i.alert)}`.replace(/\s+/g, " "), 200))}`;
      groups.push({
        title: truncate(continued ? `${label} (continued)` : label, DISCORD_LIMITS.title),
        url: safeUrl(i.alert.url),
        items: [i],
      });
    }
    key = k;
  }
  return groups;
}

function packageKey(a: Alert): string {
  return `${a.ecosystem}\u0000${a.namespace ?? ""}\u0000${a.name}\u0000${a.version}`;
}

// The measure asks about a page once per entry it fills: each alert is made an item once.
const items = new WeakMap<Alert, Item>();
function itemOf(a: Alert): Item {
  let item = items.get(a);
  if (!item) items.set(a, (item = toItem(a)));
  return item;
}

function toItem(a: Alert): Item {
  const level = a.action === "block" ? "Block" : capital(a.action);
  const name = truncate(
    `${SEVERITY_EMOJI[a.severity]} ${capital(a.severity)} · ${level} — ${inlineDiscord(a.title || a.type, 180)}`,
    DISCORD_LIMITS.fieldName,
  );
  const lines: Line[] = [];
  const ids = [a.cveId, a.ghsaId].filter((x): x is string => !!x).map((x) => inlineDiscord(x, 40));
  if (ids.length) lines.push({ text: ids.join(" · "), cut: false });
  const sources = [
    ...new Set(
      a.introducedBy.map(
        (s) => `${inlineDiscord(s.source, 100)}${s.manifest ? ` (${inlineDiscord(s.manifest, 100)})` : ""}`,
      ),
    ),
  ];
  if (sources.length) {
    const more = sources.length > 3 ? `, …and ${sources.length - 3} more` : "";
    lines.push({ text: `**Introduced by:** ${sources.slice(0, 3).join(", ")}${more}`, cut: true });
  } else if (a.manifests.length) {
    lines.push({
      text: `**Manifest:** ${a.manifests
        .slice(0, 3)
        .map((m) => inlineDiscord(m, 100))
        .join(", ")}`,
      cut: true,
    });
  }
  if (a.origin === "unchanged")
    lines.push({ text: "_Already present before this change (strict blocking)_", cut: false });
  if (a.description) lines.push({ text: inlineDiscord(a.description, 300), cut: true });
  if (a.suggestion) lines.push({ text: `**Suggestion:** ${inlineDiscord(a.suggestion, 300)}`, cut: true });
  if (a.nextStep) lines.push({ text: `**Next step:** ${inlineDiscord(a.nextStep, 150)}`, cut: true });
  if (a.reachability) {
    const r = a.reachability;
    const label = {
      reachable: "🎯 **Reachable**",
      unreachable: "✓ **Unreachable**",
      unknown: "❓ **Reachability unknown**",
      error: "⚠️ **Reachability analysis failed**",
    }[r.state];
    lines.push({
      text: r.state === "unknown" && r.rawState !== "unknown" ? `${label} (${inlineDiscord(r.rawState, 40)})` : label,
      cut: false,
    });
    if (r.state === "reachable" && r.trace)
      lines.push({ text: codeBlockDiscord(r.trace, TRACE_MAX_CHARS), cut: false });
  }
  // The type key, so a reader can write `alert_types` filters from it.
  lines.push({ text: `Alert type: \`${a.type.replace(/`/g, "\u02cb").slice(0, 80)}\``, cut: false });
  const item: Item = { alert: a, name, lines, full: 0 };
  item.full = fieldValue(lines, DISCORD_LIMITS.fieldValue).length;
  return item;
}

/** The lines that fit in `cap` characters, in order; a text line is cut to fit, others go whole or not at all. */
function fieldValue(lines: Line[], cap: number): string {
  let out = "";
  for (const l of lines) {
    const sep = out ? 1 : 0;
    const room = cap - out.length - sep;
    if (l.text.length <= room) out += (sep ? "\n" : "") + l.text;
    else if (l.cut && room >= 20) out += (sep ? "\n" : "") + cutEscaped(l.text, room);
  }
  // Discord refuses an empty field value.
  return out || "…";
}

/** Cut escaped text without leaving a lone backslash (which would escape the `…`) or an open `**`. */
function cutEscaped(text: string, max: number): string {
  let t = truncate(text, max);
  t = t.replace(/(?<!\\)((?:\\\\)*)\\\u2026$/, "$1\u2026");
  // An unclosed bold label (the cut fell inside `**Suggestion:**`) would bold the rest.
  if ((t.match(/(?<!\\)\*\*/g) ?? []).length % 2 === 1) t = t.replace(/(?<!\\)\*\*(?!.*(?<!\\)\*\*)/s, "");
  return t;
}

function summaryEmbed(omitted: DiscordPage["omitted"], rest: Alert[]): DiscordEmbed {
  const count = (omitted?.count ?? 0) + rest.length;
  const lines: string[] = [];
  const restCounts = countBySeverity(rest);
  if (omitted) {
    lines.push(formatSeverityCounts(omitted.bySeverity));
    const url = safeUrl(omitted.url);
    if (url && url.length <= 300) lines.push(linkDiscord(url, "See all of them in the Socket report"));
    lines.push("_Raise `max_messages` to see more here._");
  }
  if (rest.length)
    lines.push(
      `${rest.length} of this message's alerts did not fit Discord's limits: ${formatSeverityCounts(restCounts)}`,
    );
  const all = omitted ? addCounts(omitted.bySeverity, restCounts) : restCounts;
  const top = (["critical", "high", "medium", "low"] as const).find((s) => all[s] > 0) ?? "low";
  return {
    title: `➕ ${count} more alert${count === 1 ? "" : "s"} not shown`,
    description: truncate(lines.join("\n"), SUMMARY_RESERVE_CHARS - 60),
    color: COLOR[top],
  };
}

function addCounts(a: SeverityCounts, b: SeverityCounts): SeverityCounts {
  return { critical: a.critical + b.critical, high: a.high + b.high, medium: a.medium + b.medium, low: a.low + b.low };
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
