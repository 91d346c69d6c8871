import { isVulnerability } from "../filter/AlertFilter.js";
import { withFields } from "../input/alert.js";
import { type Alert, type Reachability, type ReachabilityState, type ScanInput } from "../model.js";
import { type Facts, packageKey, type ReachabilityFinding } from "./facts.js";

export interface AppliedFacts {
  /** The input alerts, in order; vulnerability alerts found in the facts carry `reachability` (copies, the input is not changed). */
  alerts: Alert[];
  /** Every finding of the facts file: the whole repository, not only this change. */
  findings: ReachabilityFinding[];
  /** The scan's alerts each finding matched (for its policy level and "in this change"). */
  alertsByFinding: Map<ReachabilityFinding, Alert[]>;
  /** Vulnerability alerts of the scan that matched a finding. */
  matched: number;
  /** Vulnerability alerts of the scan that the facts do not mention. */
  unmatched: Alert[];
  warnings: string[];
  facts: Facts;
}

/**
 * The scan enriched with reachability facts, once, before it is planned: its vulnerability
 * alerts annotated (copies; the input is not changed) and the applied facts kept on it, so the
 * plan, a later re-plan of the same scan and its reachability summaries all read one thing.
 */
export function enrichScan(scan: ScanInput, facts: Facts): ScanInput {
  const applied = applyFacts(scan.alerts, facts);
  return { ...scan, alerts: applied.alerts, reachability: applied };
}

/** When several findings match one alert (GHSA in one, CVE in another), the most actionable wins. */
const PREFERENCE: Record<ReachabilityState, number> = { reachable: 0, error: 1, unknown: 2, unreachable: 3 };

/**
 * Annotate a scan's alerts with reachability. An alert matches a finding when ecosystem, name
 * (with namespace), version and a GHSA or CVE id agree (case-insensitive; PyPI names per PEP 503).
 * Only vulnerability alerts are annotated: an alert with no GHSA/CVE id matches nothing (the
 * Socket CLI gave such alerts every state of their package, so `envVars` on a package with a
 * reachable CVE counted as reachable: B9), and non-vulnerability alerts are left as they are.
 */
export function applyFacts(alerts: readonly Alert[], facts: Facts): AppliedFacts {
  const byPackage = new Map<string, ReachabilityFinding[]>();
  for (const f of facts.findings) {
    const k = packageKey(f.ecosystem, f.namespace, f.name, f.version);
    const list = byPackage.get(k);
    if (list) list.push(f);
    else byPackage.set(k, [f]);
  }
  const alertsByFinding = new Map<ReachabilityFinding, Alert[]>();
  const unmatched: Alert[] = [];
  let matched = 0;
  const out = alerts.map((a) => {
    const ids = [a.ghsaId, a.cveId].filter((x): x is string => !!x).map((x) => x.toUpperCase());
    if (!ids.length) {
      if (isVulnerability(a)) unmatched.push(a);
      return a;
    }
    const candidates = (byPackage.get(packageKey(a.ecosystem, a.namespace, a.name, a.version)) ?? []).filter((f) =>
      [f.ghsaId, f.cveId].some((x) => x !== undefined && ids.includes(x.toUpperCase())),
    );
    if (!candidates.length) {
      unmatched.push(a);
      return a;
    }
    const best = [...candidates].sort((x, y) => PREFERENCE[x.state] - PREFERENCE[y.state])[0]!;
    for (const f of candidates) {
      const list = alertsByFinding.get(f);
      if (list) list.push(a);
      else alertsByFinding.set(f, [a]);
    }
    matched++;
    const reachability: Reachability = { state: best.state, rawState: best.rawState, vulnerabilityId: best.id };
    if (best.trace) reachability.trace = best.trace;
    return withFields(a, { reachability });
  });

  const warnings: string[] = [];
  const vulnerabilities = matched + unmatched.length;
  if (vulnerabilities > 0 && matched === 0) {
    warnings.push(
      `${facts.source}: none of the ${vulnerabilities} vulnerability alerts in the scan is in the reachability facts (is the facts file from the same scan?); ` +
        `destinations with reachability_alerts_only will not get them`,
    );
  } else if (unmatched.length > 0) {
    warnings.push(
      `${facts.source}: ${unmatched.length} of ${vulnerabilities} vulnerability alerts are not in the reachability facts; destinations with reachability_alerts_only will not get them`,
    );
  }
  return { alerts: out, findings: facts.findings, alertsByFinding, matched, unmatched, warnings, facts };
}
