/** The four severities, lowest first. */
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
/** An alert's severity, lowest to highest: low, medium, high, critical. */
export type Severity = (typeof SEVERITIES)[number];

const RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/** Names accepted in config and input. Socket's API says `middle` where people say `medium`. */
export const SEVERITY_NAMES = ["low", "medium", "middle", "high", "critical"] as const;

/** Case-insensitive; `middle` and `moderate` are `medium`. Undefined for anything else. */
export function parseSeverity(value: string): Severity | undefined {
  const v = value.trim().toLowerCase();
  if (v === "middle" || v === "moderate") return "medium";
  return (SEVERITIES as readonly string[]).includes(v) ? (v as Severity) : undefined;
}

export function severityRank(s: Severity): number {
  return RANK[s];
}

/** The coloured dot each severity is shown with (Slack, Discord, summaries). */
export const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: "🔴",
  high: "🟠",
  medium: "🟡",
  low: "⚪",
};

/** How many alerts of each severity. */
export type SeverityCounts = Record<Severity, number>;

/** Count alerts by severity (every severity present, 0 when none). */
export function countBySeverity(alerts: Iterable<{ severity: Severity }>): SeverityCounts {
  const c: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const a of alerts) addSeverity(c, a.severity);
  return c;
}

// A switch, not `c[severity]++`: a store under a computed key takes V8's generic path, and this
// runs for every matched alert of every destination (bench figure 6: it was a quarter of the time).
function addSeverity(c: SeverityCounts, s: Severity): void {
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
