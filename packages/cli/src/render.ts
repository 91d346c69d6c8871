import { type FilterOptions, type DeliveryReport, type Plan } from "@socket-notify/core";
import { type ExclusionReason, nativeSize, packageLabel } from "@socket-notify/core/internal";

const STATUS_ICON: Record<string, string> = { sent: "✓", failed: "✗", "dry-run": "•", skipped: "–" };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * One line per destination, then warnings are already on stderr. For people; `--json` is for tools.
 * With state, a destination's known alerts not sent again (`unchanged`) are named as such: a
 * destination that got nothing new would otherwise read "no alerts matched", which is untrue.
 */
export function renderReport(report: DeliveryReport, plan?: Plan): string[] {
  const lines: string[] = [];
  const a = report.alerts;
  const where = plan
    ? [
        plan.context.repo && `repo ${plan.context.repo}`,
        plan.context.branch && `branch ${plan.context.branch}`,
        plan.context.pr && `PR ${plan.context.pr}`,
      ]
        .filter(Boolean)
        .join(" · ")
    : "";
  lines.push(
    `socket-notify: ${plural(a.total, "alert")}${a.duplicates_merged ? ` (${a.duplicates_merged} duplicates merged)` : ""}, ${a.matched} routed · mode ${report.mode}${where ? ` · ${where}` : ""}${plan && !plan.enabled ? " · enabled: false: nothing sent" : report.dry_run ? " · dry run: nothing sent" : ""}`,
  );
  if (!report.destinations.length) lines.push("  (no destinations configured)");
  for (const d of report.destinations) {
    const icon = STATUS_ICON[d.status] ?? "?";
    const known = d.unchanged ?? 0;
    const what =
      d.messages > 0
        ? `${plural(d.alerts, known ? "new alert" : "alert")} in ${plural(d.messages, "message")}${known ? `, ${known} unchanged since the last run (state)` : ""}`
        : known > 0
          ? `${plural(known, "alert")}, nothing new since the last run (state)`
          : `no alerts matched (${d.excluded} excluded)`;
    let status: string = d.status;
    if (d.status === "failed") status = `failed (${d.delivered}/${d.messages} delivered)`;
    if (d.status === "sent" && d.delivered < d.messages) status = `sent ${d.delivered}/${d.messages}`;
    const route = d.route === d.target ? d.route : `${d.route} → ${d.target}`;
    lines.push(
      `  ${icon} ${route}: ${what}${d.omitted ? `, ${d.omitted} more counted in the last message` : ""}: ${status}`,
    );
    if (d.error) {
      lines.push(`      ${d.error.code}: ${d.error.message}`);
      if (d.error.hint) lines.push(`      hint: ${d.error.hint}`);
    }
    const dup = d.message_results.filter((m) => m.possible_duplicate && m.status === "sent").length;
    if (dup)
      lines.push(
        `      note: ${plural(dup, "message")} timed out after sending and was retried: Slack may show it twice`,
      );
    const maybe = d.message_results.filter((m) => m.possible_duplicate && m.status === "failed").length;
    if (maybe)
      lines.push(
        `      note: ${plural(maybe, "undelivered message")} may already be in Slack (a request was sent and not answered): re-sending may show ${maybe === 1 ? "it" : "them"} twice`,
      );
  }
  return lines;
}

/** With state: whether a planned message edits one Slack already shows, or is posted in a thread. */
function editOrReply(m: { updateTs?: string; threadTs?: string }): string {
  if (m.updateTs) return `, edits ${m.updateTs} in place`;
  return m.threadTs ? `, posted in the thread of ${m.threadTs}` : "";
}

/** Examples of excluded alerts a dry run shows per reason (`--verbose`: all of them). */
export const EXCLUDED_EXAMPLES = 5;

/**
 * The dry-run view: each planned message with its size and the alerts it carries, then per
 * destination the excluded alerts counted by reason with a few examples of each (`verbose`: every
 * one), so 400 alerts × 2 destinations still fit on one screen.
 */
export function renderPlan(plan: Plan, verbose = false): string[] {
  const lines: string[] = [];
  for (const d of plan.destinations) {
    const route =
      d.destination.route === d.destination.target
        ? d.destination.route
        : `${d.destination.route} → ${d.destination.target}`;
    lines.push(`  ${route} (${d.destination.configPath}):`);
    if (!d.messages.length) lines.push("    nothing to send");
    for (const m of d.messages) {
      // What is sent: the notifier's own format when it has one (Discord's embeds), else Block Kit.
      const n = m.native ? nativeSize(m.native) : undefined;
      const size = n
        ? `${n.format}: ${n.summary ? `${n.summary}, ` : ""}${n.bytes} bytes`
        : `${m.payload.blocks.length} blocks, ${JSON.stringify(m.payload.blocks).length} bytes of blocks`;
      lines.push(
        `    message ${m.index}/${m.count} (${m.kind}): ${plural(m.alerts.length, "alert")}, ${size}${editOrReply(m)}`,
      );
    }
    if (!d.excluded.count) continue;
    lines.push(`    excluded: ${plural(d.excluded.count, "alert")}`);
    const ruleOf = new Map(d.excluded.reasons.map((r) => [r.reason, r.rule]));
    const byRule = new Map<string, { count: number; examples: string[] }>();
    for (const r of d.excluded.reasons) {
      const g = byRule.get(r.rule) ?? { count: 0, examples: [] };
      g.count += r.count;
      byRule.set(r.rule, g);
    }
    for (const e of d.excluded.sample)
      byRule
        .get(ruleOf.get(e.reason) ?? e.reason)
        ?.examples.push(`${packageLabel(e.alert)} ${e.alert.type}: ${e.reason}`);
    for (const [rule, g] of [...byRule].sort((a, b) => b[1].count - a[1].count)) {
      lines.push(`      ${g.count} × ${rule}`);
      const shown = verbose ? g.examples : g.examples.slice(0, EXCLUDED_EXAMPLES);
      for (const x of shown) lines.push(`        - ${x}`);
      const rest = g.count - shown.length;
      if (rest > 0) lines.push(`        … and ${rest} more${verbose ? "" : " (--verbose lists them all)"}`);
    }
  }
  return lines;
}

/**
 * The most common exclusion rules, biggest first; the rest counted. Reasons are grouped by the
 * filter rule core names for them (`rule`), so 24 alert types left out by one `alert_types`
 * read as one line.
 */
export function summariseReasons(excluded: readonly ExclusionReason[], max = 4): string {
  const byRule = new Map<string, number>();
  for (const e of excluded) byRule.set(e.rule, (byRule.get(e.rule) ?? 0) + e.count);
  const sorted = [...byRule].sort((a, b) => b[1] - a[1]);
  const shown = sorted.slice(0, max).map(([r, n]) => `${n} × ${r}`);
  const rest = sorted.slice(max).reduce((n, [, k]) => n + k, 0);
  return `${shown.join("; ")}${rest ? `; ${rest} for other reasons` : ""}`;
}

/** A destination's filter in one line, e.g. `min_severity=high alert_types=malware,cve`; `all alerts` when it has none. */
export function describeFilter(filter: FilterOptions): string {
  const parts = Object.entries(filter)
    .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : String(v)}`);
  return parts.length ? parts.join(" ") : "all alerts";
}
