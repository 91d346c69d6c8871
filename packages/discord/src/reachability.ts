/**
 * The whole-repository reachability summary (`always_send_reachability`) as Discord's own
 * message, rendered from core's neutral summary (`OutboundMessage.reachability`), not from the
 * Block Kit record: `content` is the heading, a first embed the counts, then the findings as
 * fields (25 per embed, reachable ones with their call path), and a last embed counts what is
 * not listed (unreachable findings always, as the Socket CLI; and what did not fit).
 */
import {
  formatSeverityCounts,
  packageLabel,
  type ReachabilitySummaryPage,
  SEVERITY_EMOJI,
  truncate,
} from "@socket-notify/core/render";
import { codeBlockDiscord, escapeDiscord, inlineDiscord, linkDiscord, safeUrl } from "./markdown.js";
import { DISCORD_LIMITS, type DiscordEmbed, type DiscordWebhookBody } from "./render.js";

type Finding = ReachabilitySummaryPage["findings"][number];
type State = Finding["finding"]["state"];

const LABEL: Record<State, string> = {
  reachable: "🎯 Reachable",
  unreachable: "✓ Unreachable",
  unknown: "❓ Reachability unknown",
  error: "⚠️ Reachability analysis failed",
};
const COLOR: Record<State, number> = { reachable: 0xd32f2f, error: 0xf57c00, unknown: 0xfbc02d, unreachable: 0x4caf50 };
/** Chars kept for the "not shown" embed, so adding it never breaks the 6,000. */
const FOOTER_RESERVE_CHARS = 500;
/** A listed finding's call path is cut (at a frame) to this; more findings fit. */
const TRACE_MAX_CHARS = 600;

export interface RenderedDiscordSummary {
  body: DiscordWebhookBody;
  /** Findings listed as fields. */
  listed: number;
  /** Findings counted in the last embed instead (unreachable ones and what did not fit). */
  counted: number;
}

/** The summary as one Execute Webhook body within Discord's limits, every finding listed or counted. */
export function renderDiscordReachability(summary: ReachabilitySummaryPage, username?: string): RenderedDiscordSummary {
  const { findings, byState, scan } = summary;
  const heading =
    findings.length === 0
      ? "✅ Socket reachability: no vulnerabilities"
      : `🎯 Socket reachability: ${byState.reachable} reachable of ${findings.length} ${findings.length === 1 ? "vulnerability" : "vulnerabilities"}`;
  const where = [
    scan.repo && `**Repository:** ${inlineDiscord(scan.repo, 150)}`,
    scan.branch && `**Branch:** ${inlineDiscord(scan.branch, 150)}`,
    scan.commitSha && `**Commit:** ${inlineDiscord(scan.commitSha.slice(0, 8), 8)}`,
  ].filter(Boolean);
  const lines = [`Whole repository, from ${inlineDiscord(summary.source, 100)}`, ...where];
  if (findings.length === 0) lines.push("No vulnerabilities match this destination's filters.");
  else {
    lines.push(`**By state:** ${stateCounts(findings)}`);
    lines.push(`**By priority:** ${formatSeverityCounts(summary.bySeverity)}`);
  }
  const top = findings[0]?.finding.state ?? "unreachable";
  const embeds: DiscordEmbed[] = [{ description: truncate(lines.join("\n"), 1500), color: COLOR[top] }];
  let total = embeds[0]!.description!.length;

  // Unreachable findings are counted, not listed; the others are listed while they fit.
  const listable = findings.filter((f) => f.finding.state !== "unreachable");
  const budget = DISCORD_LIMITS.totalEmbedChars - FOOTER_RESERVE_CHARS;
  let listed = 0;
  for (const f of listable) {
    const field = fieldOf(f);
    // An embed holds 25 fields: the next finding opens a new one (one is kept for the footer).
    const newEmbed = listed % DISCORD_LIMITS.fields === 0;
    const title = newEmbed ? (listed === 0 ? "Findings" : "Findings, continued") : "";
    const cost = title.length + field.name.length + field.value.length;
    if (total + cost > budget || (newEmbed && embeds.length >= DISCORD_LIMITS.embeds - 1)) break;
    if (newEmbed) embeds.push({ title, color: COLOR[f.finding.state], fields: [] });
    embeds[embeds.length - 1]!.fields!.push(field);
    total += cost;
    listed++;
  }
  const rest = listable.slice(listed);
  const counted = rest.length + byState.unreachable;
  if (counted > 0) embeds.push(footerEmbed(rest, byState.unreachable, scan.reportUrl ?? scan.diffUrl));
  return {
    body: {
      content: `**${escapeDiscord(truncate(heading, 1800))}**`,
      embeds,
      allowed_mentions: { parse: [] },
      ...(username ? { username } : {}),
    },
    listed,
    counted,
  };
}

/** One finding: state, priority and ids as the field's name; package, range, whether in this change, the call path. */
function fieldOf({ finding: f, inChange }: Finding): { name: string; value: string } {
  const ids = [f.ghsaId, f.cveId].filter((x): x is string => !!x);
  const title = ids.length ? ids.join(" · ") : f.id;
  const state =
    f.state === "unknown" && f.rawState !== "unknown"
      ? `${LABEL[f.state]} (${truncate(f.rawState, 40)})`
      : LABEL[f.state];
  const advisory = f.advisorySeverity && f.advisorySeverity !== f.severity ? ` (advisory: ${f.advisorySeverity})` : "";
  // A field name is not markdown-rendered for links, but escaped all the same: it is untrusted text.
  const name = truncate(
    `${state} · ${SEVERITY_EMOJI[f.severity]} ${capital(f.severity)}${advisory} — ${escapeDiscord(truncate(title.replace(/\s+/g, " "), 120))}`,
    DISCORD_LIMITS.fieldName,
  );
  const pkg = [inlineDiscord(`${f.ecosystem}/${packageLabel(f)}`, 200)];
  if (f.range) pkg.push(`affected ${inlineDiscord(f.range, 80)}`);
  if (f.direct !== undefined) pkg.push(f.direct ? "direct" : "transitive");
  if (f.dev) pkg.push("dev");
  if (inChange) pkg.push("_in this change_");
  let value = pkg.join(" · ");
  if (f.state === "reachable" && f.trace) {
    const room = DISCORD_LIMITS.fieldValue - value.length - 1;
    if (room > 80) value += `\n${codeBlockDiscord(f.trace, Math.min(TRACE_MAX_CHARS, room))}`;
  }
  return { name, value: truncate(value, DISCORD_LIMITS.fieldValue) };
}

/** `🎯 1 reachable · ❓ 2 unknown · ⚠️ 1 analysis failed · ✓ 1 unreachable` */
function stateCounts(findings: readonly Finding[]): string {
  const n = (s: State) => findings.filter((f) => f.finding.state === s).length;
  const parts: string[] = [];
  if (n("reachable")) parts.push(`🎯 ${n("reachable")} reachable`);
  if (n("unknown")) parts.push(`❓ ${n("unknown")} unknown`);
  if (n("error")) parts.push(`⚠️ ${n("error")} analysis failed`);
  if (n("unreachable")) parts.push(`✓ ${n("unreachable")} unreachable`);
  return parts.join(" · ");
}

function footerEmbed(rest: readonly Finding[], unreachable: number, url: string | undefined): DiscordEmbed {
  const count = rest.length + unreachable;
  const lines: string[] = [];
  if (unreachable) lines.push(`${unreachable} unreachable`);
  if (rest.length) lines.push(`${rest.length} more that did not fit Discord's limits: ${stateCounts(rest)}`);
  const link = safeUrl(url);
  if (link && link.length <= 300) lines.push(linkDiscord(link, "See all of them in the Socket report"));
  return {
    title: `➕ ${count} finding${count === 1 ? "" : "s"} not shown`,
    description: truncate(lines.join("\n"), FOOTER_RESERVE_CHARS - 60),
    color: COLOR.unreachable,
  };
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
