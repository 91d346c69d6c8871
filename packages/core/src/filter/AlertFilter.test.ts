import { describe, expect, it } from "vitest";
import { type FilterOptions } from "../config/schema.js";
import { type Alert, type Reachability, type ScanContext } from "../model.js";
import { type Severity } from "../severity.js";
import { AlertFilter, EXCLUDED_SAMPLE, type FilterContext, isVulnerability, repoMatches } from "./AlertFilter.js";

function alert(name: string, over: Partial<Alert> = {}): Alert {
  const a: Alert = {
    id: `npm/${name}@1.0.0#${over.type ?? "envVars"}`,
    ecosystem: "npm",
    name,
    version: "1.0.0",
    type: "envVars",
    severity: "low",
    action: "warn",
    title: name,
    description: "",
    purl: `pkg:npm/${name}@1.0.0`,
    introducedBy: [],
    manifests: [],
    origin: "new",
    ...over,
  };
  return a;
}
const reach = (state: Reachability["state"], rawState: string = state): Reachability => ({ state, rawState });

/** One alert of each kind the table talks about. */
const ALERTS: Alert[] = [
  alert("env-low", { type: "envVars", severity: "low", action: "warn" }),
  alert("eval-medium", { type: "usesEval", severity: "medium", action: "block" }),
  alert("net-high", { type: "networkAccess", severity: "high", action: "warn" }),
  alert("malware", { type: "malware", severity: "critical", action: "block" }),
  alert("cve-reachable", {
    type: "criticalCVE",
    severity: "critical",
    action: "block",
    ghsaId: "GHSA-1",
    reachability: reach("reachable"),
  }),
  alert("cve-unreachable", {
    type: "cve",
    severity: "high",
    action: "block",
    cveId: "CVE-2",
    reachability: reach("unreachable"),
  }),
  alert("cve-missing", {
    type: "mediumCVE",
    severity: "medium",
    action: "warn",
    ghsaId: "GHSA-3",
    reachability: reach("unknown", "missing_support"),
  }),
  alert("cve-nofacts", { type: "mildCVE", severity: "low", action: "warn", ghsaId: "GHSA-4" }),
  alert("monitored", { type: "unmaintained", severity: "low", action: "monitor" }),
];

const scan: ScanContext = { repo: "Acme/Web" };

type Row = [label: string, filter: FilterOptions, ctx: Partial<FilterContext>, expected: Record<string, string | null>];

/** expected: alert name → exclusion reason, or null when it passes. Names left out pass. */
const none = { monitored: "action monitor is neither block nor warn" };
const TABLE: Row[] = [
  ["no filter: block and warn pass, monitor does not", {}, {}, { ...none }],
  [
    "empty lists filter nothing",
    { repos: [], severities: [], alert_types: [], exclude_alert_types: [], levels: [] },
    {},
    { ...none },
  ],
  ["repos: owner/repo, any case (B8)", { repos: ["acme/web"] }, {}, { ...none }],
  ["repos: bare repo name (B8)", { repos: ["WEB"] }, {}, { ...none }],
  [
    "repos: another repo excludes all, with the reason",
    { repos: ["acme/api", "other/web"] },
    {},
    Object.fromEntries(ALERTS.map((a) => [a.name, "repo Acme/Web not in repos [acme/api, other/web]"])),
  ],
  [
    "repos: unknown repo says to pass --repo",
    { repos: ["acme/web"] },
    { scan: {} },
    Object.fromEntries(ALERTS.map((a) => [a.name, "repo unknown, repos is [acme/web] (pass --repo)"])),
  ],
  [
    'severities: "middle" is medium (B6), case-insensitive',
    { severities: ["MIDDLE", "High"] },
    {},
    {
      "env-low": "severity low not in severities [medium, high]",
      malware: "severity critical not in severities [medium, high]",
      "cve-reachable": "severity critical not in severities [medium, high]",
      "cve-nofacts": "severity low not in severities [medium, high]",
      monitored: "severity low not in severities [medium, high]",
    },
  ],
  [
    "min_severity: this and above",
    { min_severity: "high" },
    {},
    {
      "env-low": "severity low below min_severity high",
      "eval-medium": "severity medium below min_severity high",
      "cve-missing": "severity medium below min_severity high",
      "cve-nofacts": "severity low below min_severity high",
      monitored: "severity low below min_severity high",
    },
  ],
  [
    "alert_types: case-insensitive",
    { alert_types: ["Malware", "usesEval"] },
    {},
    {
      "env-low": "type envVars not in alert_types [Malware, usesEval]",
      "net-high": "type networkAccess not in alert_types [Malware, usesEval]",
      "cve-reachable": "type criticalCVE not in alert_types [Malware, usesEval]",
      "cve-unreachable": "type cve not in alert_types [Malware, usesEval]",
      "cve-missing": "type mediumCVE not in alert_types [Malware, usesEval]",
      "cve-nofacts": "type mildCVE not in alert_types [Malware, usesEval]",
      monitored: "type unmaintained not in alert_types [Malware, usesEval]",
    },
  ],
  [
    "alert_types AND severities (the Socket CLI let alert_types override severities)",
    { alert_types: ["malware", "usesEval"], severities: ["critical"] },
    {},
    {
      "env-low": "severity low not in severities [critical]",
      "eval-medium": "severity medium not in severities [critical]",
      "net-high": "severity high not in severities [critical]",
      "cve-reachable": "type criticalCVE not in alert_types [malware, usesEval]",
      "cve-unreachable": "severity high not in severities [critical]",
      "cve-missing": "severity medium not in severities [critical]",
      "cve-nofacts": "severity low not in severities [critical]",
      monitored: "severity low not in severities [critical]",
    },
  ],
  [
    "exclude_alert_types",
    { exclude_alert_types: ["ENVVARS", "malware"] },
    {},
    { "env-low": "type envVars in exclude_alert_types", malware: "type malware in exclude_alert_types", ...none },
  ],
  [
    "levels: block only (B3: the Socket CLI never applied levels)",
    { levels: ["block"] },
    {},
    {
      "env-low": "level warn not in levels [block]",
      "net-high": "level warn not in levels [block]",
      "cve-missing": "level warn not in levels [block]",
      "cve-nofacts": "level warn not in levels [block]",
      monitored: "level monitor not in levels [block]",
    },
  ],
  [
    "top-level levels apply with the destination's",
    { levels: ["block", "warn"] },
    { globalLevels: ["warn"] },
    {
      "eval-medium": "level block not in top-level levels [warn]",
      malware: "level block not in top-level levels [warn]",
      "cve-reachable": "level block not in top-level levels [warn]",
      "cve-unreachable": "level block not in top-level levels [warn]",
      monitored: "level monitor not in levels [block, warn]",
    },
  ],
  [
    "reachability_alerts_only without facts: everything passes",
    { reachability_alerts_only: true },
    { factsLoaded: false },
    { ...none },
  ],
  [
    "reachability_alerts_only with facts: only reachable vulnerabilities; malware and other alerts always pass (B9)",
    { reachability_alerts_only: true },
    { factsLoaded: true },
    {
      "cve-unreachable": "vulnerability is unreachable (reachability_alerts_only)",
      "cve-missing": "vulnerability is missing_support (reachability_alerts_only)",
      "cve-nofacts": "vulnerability not found in the reachability facts (reachability_alerts_only)",
      ...none,
    },
  ],
  [
    "the first failing check gives the reason: repos, severities, min_severity, types, excluded types, reachability, levels",
    {
      repos: ["acme/web"],
      severities: ["low", "medium", "high", "critical"],
      min_severity: "medium",
      exclude_alert_types: ["networkAccess"],
      reachability_alerts_only: true,
      levels: ["block"],
    },
    { factsLoaded: true },
    {
      "env-low": "severity low below min_severity medium",
      "net-high": "type networkAccess in exclude_alert_types",
      "cve-unreachable": "vulnerability is unreachable (reachability_alerts_only)",
      "cve-missing": "vulnerability is missing_support (reachability_alerts_only)",
      "cve-nofacts": "severity low below min_severity medium",
      monitored: "severity low below min_severity medium",
    },
  ],
];

describe("AlertFilter", () => {
  const filter = new AlertFilter();

  it.each(TABLE)("%s", (_label, f, ctx, expected) => {
    const r = filter.apply(ALERTS, f, { scan, factsLoaded: false, ...ctx });
    const got = Object.fromEntries(ALERTS.map((a) => [a.name, null as string | null]));
    for (const x of r.excluded) got[x.alert.name] = x.reason;
    const want = Object.fromEntries(ALERTS.map((a) => [a.name, expected[a.name] ?? null]));
    expect(got).toEqual(want);
    // Every alert is either matched or excluded, once, in input order.
    expect(r.matched.length + r.excluded.length).toBe(ALERTS.length);
    expect(r.matched.map((a) => a.name)).toEqual(ALERTS.filter((a) => want[a.name] === null).map((a) => a.name));
  });

  it("scales linearly: 100,000 alerts through a compiled filter", () => {
    const many = Array.from({ length: 100_000 }, (_, i) =>
      alert(`p${i}`, { severity: (["low", "medium", "high", "critical"] as Severity[])[i % 4]! }),
    );
    const r = filter.apply(many, { min_severity: "high" }, { scan, factsLoaded: false });
    expect(r.matched).toHaveLength(50_000);
    expect(r.excluded).toHaveLength(50_000);
  });

  it.each(TABLE)("partition (counts by reason, a bounded sample) says the same as apply: %s", (_label, f, ctx) => {
    const c = { scan, factsLoaded: false, ...ctx };
    const full = filter.apply(ALERTS, f, c);
    const p = filter.partition(ALERTS, f, c);
    expect(p.matched).toEqual(full.matched);
    expect(p.excluded.count).toBe(full.excluded.length);
    const counts = new Map<string, number>();
    for (const x of full.excluded) counts.set(x.reason, (counts.get(x.reason) ?? 0) + 1);
    expect(p.excluded.reasons.map(({ reason, count }) => ({ reason, count }))).toEqual(
      [...counts].map(([reason, count]) => ({ reason, count })),
    );
    for (const r of p.excluded.reasons) expect(r.rule.length).toBeGreaterThan(0);
    expect(p.excluded.sample).toEqual(full.excluded.slice(0, EXCLUDED_SAMPLE));
  });

  it("partition keeps counts by reason and only the first excluded alerts, however many are excluded", () => {
    const many = Array.from({ length: 100_000 }, (_, i) =>
      alert(`p${i}`, { severity: (["low", "medium", "high", "critical"] as Severity[])[i % 4]! }),
    );
    const p = filter.partition(many, { min_severity: "high" }, { scan, factsLoaded: false });
    expect(p.matched).toHaveLength(50_000);
    expect(p.excluded.count).toBe(50_000);
    expect(p.excluded.reasons).toEqual([
      { reason: "severity low below min_severity high", count: 25_000, rule: "severity below min_severity high" },
      { reason: "severity medium below min_severity high", count: 25_000, rule: "severity below min_severity high" },
    ]);
    expect(p.excluded.sample).toHaveLength(EXCLUDED_SAMPLE);
    expect(p.excluded.sample.slice(0, 2).map((x) => [x.alert.name, x.reason])).toEqual([
      ["p0", "severity low below min_severity high"],
      ["p1", "severity medium below min_severity high"],
    ]);
    expect(filter.partition(many, { min_severity: "high" }, { scan, factsLoaded: false }, 0).excluded.sample).toEqual(
      [],
    );
  });
});

describe("exclusion rules", () => {
  it("names the filter rule behind each reason, so reasons that differ only by the alert's value group together", () => {
    const f = new AlertFilter();
    const p = f.partition(ALERTS, { alert_types: ["malware"], levels: ["block"] }, { scan, factsLoaded: false });
    const rules = new Set(p.excluded.reasons.map((r) => r.rule));
    expect(rules).toEqual(new Set(["type not in alert_types [malware]"]));
    expect(p.excluded.reasons.length).toBeGreaterThan(1);
    const q = f.partition(ALERTS, { exclude_alert_types: ["envVars"] }, { scan, factsLoaded: false });
    expect(q.excluded.reasons.map((r) => r.rule)).toEqual([
      "type in exclude_alert_types",
      "action is neither block nor warn",
    ]);
  });
});

describe("repoMatches", () => {
  it.each([
    ["acme/web", "acme/web", true],
    ["ACME/Web", "acme/web", true],
    ["web", "acme/web", true],
    ["acme/web", "web", true],
    ["acme/web.git", "acme/web", true],
    [" acme/web ", "acme/web", true],
    ["other/web", "acme/web", false],
    ["acme/webapp", "acme/web", false],
    ["web", "acme/webapp", false],
    ["basic-python", "test_org/basic-python", true],
  ])("%s vs %s → %s", (entry, repo, expected) => {
    expect(repoMatches(entry, repo)).toBe(expected);
  });
});

describe("isVulnerability", () => {
  it("CVE types and alerts with ids are vulnerabilities; malware and capabilities are not", () => {
    expect(ALERTS.filter(isVulnerability).map((a) => a.name)).toEqual([
      "cve-reachable",
      "cve-unreachable",
      "cve-missing",
      "cve-nofacts",
    ]);
    expect(isVulnerability(alert("x", { type: "potentialVulnerability" }))).toBe(true);
  });
});
