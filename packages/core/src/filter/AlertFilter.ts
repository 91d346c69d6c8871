import { injectable } from "tsyringe";
import { type FilterOptions, type Level } from "../config/schema.js";
import { type Alert, packageLabel, type ScanContext } from "../model.js";
import { parseSeverity, severityRank, type Severity } from "../severity.js";

export interface ExcludedAlert {
  alert: Alert;
  /** Why, in words a user can check against their config, e.g. `severity low not in severities [high]`. */
  reason: string;
}

export interface FilterResult {
  matched: Alert[];
  excluded: ExcludedAlert[];
}

/** How many alerts one reason excluded. */
export interface ExclusionReason {
  reason: string;
  count: number;
  /**
   * The filter rule behind it, in words without the alert's own value, e.g. `severity below
   * min_severity high` for `severity low below min_severity high`: reasons group by it.
   */
  rule: string;
}

/**
 * Excluded alerts, kept cheap for large inputs (100,000 alerts × 20 destinations): counts by
 * reason and the first few alerts, instead of one object per alert and destination.
 */
export interface Exclusions {
  /** Alerts excluded, in all. */
  count: number;
  /** Every distinct reason with its count, in the order first seen (risk order for sorted input). */
  reasons: ExclusionReason[];
  /** The first excluded alerts (at most the sample size asked for), with their reason, in input order. */
  sample: ExcludedAlert[];
}

/** Result of `AlertFilter.partition`. */
export interface FilterSummary {
  matched: Alert[];
  excluded: Exclusions;
}

/** Excluded alerts kept with their reason by `partition` by default. */
export const EXCLUDED_SAMPLE = 20;

export interface FilterContext {
  scan: ScanContext;
  /** Whether reachability facts were loaded; without them reachability filters pass everything. */
  factsLoaded: boolean;
  /** Config-wide `levels`, applied together with the destination's own. */
  globalLevels?: Level[] | undefined;
}

/** Socket alert types that are vulnerabilities (the ones reachability analysis speaks about). */
const CVE_TYPES = new Set(["criticalcve", "cve", "mediumcve", "mildcve", "vulnerability", "potentialvulnerability"]);

export function isVulnerability(a: Alert): boolean {
  return a.ghsaId !== undefined || a.cveId !== undefined || CVE_TYPES.has(a.type.toLowerCase());
}

/** Compare a filter entry with the scan's repo: `owner/repo` or bare `repo`, any case (B8). */
export function repoMatches(entry: string, repo: string): boolean {
  const e = entry
    .trim()
    .toLowerCase()
    .replace(/\.git$/, "");
  const r = repo
    .trim()
    .toLowerCase()
    .replace(/\.git$/, "");
  if (e === r) return true;
  const bare = (s: string) => s.slice(s.lastIndexOf("/") + 1);
  // One side bare: compare bare names. Both qualified but different owners: no match.
  if (!e.includes("/") || !r.includes("/")) return bare(e) === bare(r);
  return false;
}

const list = (xs: readonly string[]) => `[${xs.join(", ")}]`;

/**
 * A reason that depends on one field with few distinct values (severity, type, action): each
 * string is built once and shared, not once per alert and destination.
 */
/** Reason text → the rule that produced it; filled while a filter is compiled and used. */
type RuleBook = Map<string, string>;

function interned(rules: RuleBook, rule: string, make: (value: string) => string): (value: string) => string {
  const cache = new Map<string, string>();
  return (value) => {
    let r = cache.get(value);
    if (r === undefined) {
      cache.set(value, (r = make(value)));
      rules.set(r, rule);
    }
    return r;
  };
}

/**
 * Decides which alerts go to a destination. Filters compose with AND; a missing or empty
 * filter does not filter. Every excluded alert gets the reason of the first check it failed.
 * Differences from the Socket CLI: `alert_types` no longer overrides `severities` (both apply),
 * `medium`/`middle` are one severity (B6), `repos` accepts `owner/repo` or `repo` (B8), `levels`
 * is applied (B3), and reachability never hides non-vulnerability alerts (B9).
 */
@injectable()
export class AlertFilter {
  apply(alerts: readonly Alert[], filter: FilterOptions, ctx: FilterContext): FilterResult {
    const check = this.compile(filter, ctx);
    const matched: Alert[] = [];
    const excluded: ExcludedAlert[] = [];
    for (const a of alerts) {
      const reason = check(a);
      if (reason === undefined) matched.push(a);
      else excluded.push({ alert: a, reason });
    }
    return { matched, excluded };
  }

  /**
   * Like `apply`, but excluded alerts are counted by reason, and only the first `sample` are kept
   * with their reason: memory stays proportional to the matched alerts, whatever the input size.
   * `marks`, when given (one byte per alert), gets a 1 at the index of each matched alert, so a
   * caller can count the alerts matched by any of several filters without a set of ids.
   * `perRule`, when given, keeps at most that many sample alerts per filter rule.
   */
  partition(
    alerts: readonly Alert[],
    filter: FilterOptions,
    ctx: FilterContext,
    sample = EXCLUDED_SAMPLE,
    marks?: Uint8Array,
    perRule?: number,
  ): FilterSummary {
    const rules: RuleBook = new Map();
    const check = this.compileWithRules(filter, ctx, rules);
    // Matches are flagged first and copied into an array of the exact size: an array grown by
    // push leaves its outgrown copies behind, and 20 destinations × 100,000 alerts made ~10 MB
    // of such garbage at the peak (bench figure 6).
    const hit = new Uint8Array(alerts.length);
    const counts = new Map<string, number>();
    const kept: ExcludedAlert[] = [];
    const keptByRule = new Map<string, number>();
    let count = 0;
    for (let k = 0; k < alerts.length; k++) {
      const a = alerts[k]!;
      const reason = check(a);
      if (reason === undefined) {
        hit[k] = 1;
        continue;
      }
      count++;
      counts.set(reason, (counts.get(reason) ?? 0) + 1);
      if (kept.length >= sample) continue;
      if (perRule !== undefined) {
        // A few examples of every rule, not the first N of whichever rule comes first.
        const rule = rules.get(reason) ?? reason;
        const n = keptByRule.get(rule) ?? 0;
        if (n >= perRule) continue;
        keptByRule.set(rule, n + 1);
      }
      kept.push({ alert: a, reason });
    }
    const matched = new Array<Alert>(alerts.length - count);
    for (let k = 0, j = 0; k < alerts.length; k++) {
      if (hit[k]) {
        matched[j++] = alerts[k]!;
        if (marks) marks[k] = 1;
      }
    }
    return {
      matched,
      excluded: {
        count,
        reasons: [...counts].map(([reason, n]) => ({ reason, count: n, rule: rules.get(reason) ?? reason })),
        sample: kept,
      },
    };
  }

  /** One closure per destination, so 100,000 alerts × 20 destinations stays linear and cheap. */
  compile(filter: FilterOptions, ctx: FilterContext): (a: Alert) => string | undefined {
    return this.compileWithRules(filter, ctx, new Map());
  }

  private compileWithRules(
    filter: FilterOptions,
    ctx: FilterContext,
    rules: RuleBook,
  ): (a: Alert) => string | undefined {
    const checks: ((a: Alert) => string | undefined)[] = [];

    const repos = filter.repos ?? [];
    if (repos.length) {
      const repo = ctx.scan.repo;
      const ok = repo !== undefined && repos.some((r) => repoMatches(r, repo));
      const reason =
        repo === undefined
          ? `repo unknown, repos is ${list(repos)} (pass --repo)`
          : `repo ${repo} not in repos ${list(repos)}`;
      // The repo is the same for every alert: decide once.
      if (!ok) checks.push(() => reason);
    }

    const severities = (filter.severities ?? [])
      .map((s) => parseSeverity(s))
      .filter((s): s is Severity => s !== undefined);
    if (severities.length) {
      const set = new Set(severities);
      const shown = list([...set]);
      const reason = interned(
        rules,
        `severity not in severities ${shown}`,
        (v) => `severity ${v} not in severities ${shown}`,
      );
      checks.push((a) => (set.has(a.severity) ? undefined : reason(a.severity)));
    }

    const min = filter.min_severity ? parseSeverity(filter.min_severity) : undefined;
    if (min) {
      const rank = severityRank(min);
      const reason = interned(
        rules,
        `severity below min_severity ${min}`,
        (v) => `severity ${v} below min_severity ${min}`,
      );
      checks.push((a) => (severityRank(a.severity) >= rank ? undefined : reason(a.severity)));
    }

    const types = filter.alert_types ?? [];
    if (types.length) {
      const set = new Set(types.map((t) => t.toLowerCase()));
      const shown = list(types);
      const reason = interned(
        rules,
        `type not in alert_types ${shown}`,
        (v) => `type ${v} not in alert_types ${shown}`,
      );
      checks.push((a) => (set.has(a.type.toLowerCase()) ? undefined : reason(a.type)));
    }

    const excludedTypes = filter.exclude_alert_types ?? [];
    if (excludedTypes.length) {
      const set = new Set(excludedTypes.map((t) => t.toLowerCase()));
      const reason = interned(rules, "type in exclude_alert_types", (v) => `type ${v} in exclude_alert_types`);
      checks.push((a) => (set.has(a.type.toLowerCase()) ? reason(a.type) : undefined));
    }

    if (filter.reachability_alerts_only && ctx.factsLoaded) {
      // "error" is the analysis failing, not a state of the code: say it in words.
      const notReachable = interned(rules, "vulnerability not reachable (reachability_alerts_only)", (v) =>
        v === "error"
          ? "reachability analysis failed (reachability_alerts_only)"
          : `vulnerability is ${v} (reachability_alerts_only)`,
      );
      checks.push((a) => {
        if (!isVulnerability(a)) return undefined; // malware, typosquats, … always pass (B9)
        const state = a.reachability?.state;
        if (state === "reachable") return undefined;
        return state === undefined
          ? "vulnerability not found in the reachability facts (reachability_alerts_only)"
          : notReachable(a.reachability!.rawState);
      });
    }

    // Levels last (B3): the destination's own, then the config-wide ones.
    for (const [levels, key] of [
      [filter.levels, "levels"],
      [ctx.globalLevels, "top-level levels"],
    ] as const) {
      if (levels?.length) {
        const set = new Set<string>(levels);
        const shown = list(levels);
        const reason = interned(rules, `level not in ${key} ${shown}`, (v) => `level ${v} not in ${key} ${shown}`);
        checks.push((a) => (set.has(a.action) ? undefined : reason(a.action)));
      }
    }
    if (!filter.levels?.length && !ctx.globalLevels?.length) {
      // Socket's monitor/ignore actions are not alerts anyone asked to be told about.
      const reason = interned(
        rules,
        "action is neither block nor warn",
        (v) => `action ${v} is neither block nor warn`,
      );
      checks.push((a) => (a.action === "block" || a.action === "warn" ? undefined : reason(a.action)));
    }

    return (a) => {
      for (const c of checks) {
        const r = c(a);
        if (r !== undefined) return r;
      }
      return undefined;
    };
  }
}

export function describeAlert(a: Alert): string {
  return `${a.ecosystem}/${packageLabel(a)} ${a.type} (${a.severity}, ${a.action})`;
}
