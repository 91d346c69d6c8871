import { type Alert } from "../model.js";
import { severityRank } from "../severity.js";

const ACTION_RANK: Record<Alert["action"], number> = { block: 0, warn: 1, monitor: 2, ignore: 3 };
/** Alert types that mean "do not install this": malware and typosquats. */
const MOST_DANGEROUS = /^(malware|gptmalware|troll|didyoumean|gptdidyoumean|typosquat|protestware|obfuscated)/i;

export function isMalwareOrTyposquat(a: Alert): boolean {
  return MOST_DANGEROUS.test(a.type);
}

/**
 * Risk order: block before warn, then severity (critical first), malware and typosquats first
 * within a severity, reachable before not, then by package for a stable, readable order.
 */
export function compareRisk(a: Alert, b: Alert): number {
  return (
    ACTION_RANK[a.action] - ACTION_RANK[b.action] ||
    severityRank(b.severity) - severityRank(a.severity) ||
    Number(isMalwareOrTyposquat(b)) - Number(isMalwareOrTyposquat(a)) ||
    Number(b.reachability?.state === "reachable") - Number(a.reachability?.state === "reachable") ||
    (a.ecosystem < b.ecosystem ? -1 : a.ecosystem > b.ecosystem ? 1 : 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export function sortByRisk(alerts: readonly Alert[]): Alert[] {
  return [...alerts].sort(compareRisk);
}
