import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AlertFilter } from "../filter/AlertFilter.js";
import { parseScan } from "../input/parse.js";
import { type Alert } from "../model.js";
import { applyFacts } from "./apply.js";
import { parseFacts } from "./facts.js";

const facts = parseFacts(readFileSync(`${process.env.SOCKET_FIXTURES}/synthetic__socket_facts.json`, "utf8"), {
  source: ".socket.facts.json",
});

/** A Socket CLI Issue (reference §2.1): `purl` is `[namespace/]name@version`. */
function issue(
  type: string,
  pkg: string,
  version: string,
  props: Record<string, string> = {},
  over: Record<string, unknown> = {},
) {
  const slash = pkg.lastIndexOf("/");
  return {
    pkg_type: "npm",
    pkg_name: slash > 0 ? pkg.slice(slash + 1) : pkg,
    pkg_version: version,
    type,
    severity: "high",
    title: `${type} in ${pkg}`,
    props,
    purl: `${pkg}@${version}`,
    introduced_by: [["direct", "package.json"]],
    manifests: "package.json",
    error: false,
    warn: true,
    ...over,
  };
}

/** The scan of a repository whose facts are the synthetic fixture. */
function scan(): Alert[] {
  return parseScan(
    JSON.stringify({
      scan_failed: false,
      repo: "acme/web",
      new_alerts: [
        issue(
          "criticalCVE",
          "@babel/traverse",
          "7.22.5",
          { ghsaId: "GHSA-67hx-6x53-jw92", cveId: "CVE-2023-45133" },
          { severity: "critical", error: true, warn: false },
        ),
        issue("cve", "lodash", "4.17.20", { ghsaId: "GHSA-35jh-r3h4-6jhm" }),
        issue("mediumCVE", "lodash", "4.17.20", { cveId: "CVE-2020-28500" }, { severity: "middle" }),
        issue("envVars", "lodash", "4.17.20", {}, { severity: "low" }),
        issue(
          "cve",
          "requests",
          "2.19.0",
          { ghsa_id: "ghsa-x84v-xcm2-53pg" },
          { pkg_type: "pypi", pkg_name: "Requests" },
        ),
        issue("malware", "evil-pkg", "1.0.0", {}, { severity: "critical", error: true, warn: false }),
        issue("didYouMean", "lodahs", "4.17.20", {}, { severity: "critical" }),
        issue("cve", "lodash", "4.17.21", { ghsaId: "GHSA-35jh-r3h4-6jhm" }),
        issue("cve", "other", "2.0.0", { ghsaId: "GHSA-not-in-facts" }),
      ],
    }),
  ).alerts;
}
const byName = (alerts: Alert[]) =>
  Object.fromEntries(alerts.map((a) => [`${a.name}@${a.version}:${a.type}`, a.reachability?.rawState ?? null]));

describe("applyFacts: matching by ecosystem, name with namespace, version and GHSA/CVE id", () => {
  const input = scan();
  const applied = applyFacts(input, facts);

  it("annotates exactly the vulnerability alerts the facts mention", () => {
    expect(byName(applied.alerts)).toEqual({
      "traverse@7.22.5:criticalCVE": "reachable", // npm scope as namespace
      "lodash@4.17.20:cve": "unreachable",
      "lodash@4.17.20:mediumCVE": "missing_support", // matched by CVE id alone
      "lodash@4.17.20:envVars": null, // not a vulnerability: no state borrowed from the package (B9)
      "Requests@2.19.0:cve": "error", // ghsa_id prop, any case; PyPI name case
      "evil-pkg@1.0.0:malware": null,
      "lodahs@4.17.20:didYouMean": null,
      "lodash@4.17.21:cve": null, // another version
      "other@2.0.0:cve": null, // not in the facts
    });
    expect(applied.matched).toBe(4);
    expect(applied.unmatched.map((a) => `${a.name}@${a.version}`)).toEqual(["lodash@4.17.21", "other@2.0.0"]);
  });

  it("reachable alerts carry their trace and the id they matched on; unknown ones say unknown", () => {
    const t = applied.alerts.find((a) => a.name === "traverse")!;
    expect(t.reachability).toEqual({
      state: "reachable",
      rawState: "reachable",
      vulnerabilityId: "GHSA-67hx-6x53-jw92",
      trace:
        "src/build.js 12:4-14:2\n  -> @babel/core 88:10\n  -> @babel/traverse 400:7\nsrc/other.js 3:1\n  -> traverse@7.22.5",
    });
    expect(applied.alerts.find((a) => a.type === "mediumCVE")!.reachability).toMatchObject({
      state: "unknown",
      rawState: "missing_support",
    });
  });

  it("does not change the input alerts, keeps their order, and returns every finding of the repository", () => {
    expect(input.every((a) => a.reachability === undefined)).toBe(true);
    expect(applied.alerts.map((a) => a.id)).toEqual(input.map((a) => a.id));
    expect(applied.findings).toHaveLength(6);
    expect(applied.alertsByFinding.get(facts.findings[0]!)!.map((a) => a.name)).toEqual(["traverse"]);
  });

  it("warns about vulnerability alerts the facts do not mention", () => {
    expect(applied.warnings).toEqual([
      ".socket.facts.json: 2 of 6 vulnerability alerts are not in the reachability facts; destinations with reachability_alerts_only will not get them",
    ]);
  });
});

describe("reachability_alerts_only with facts applied (B9 fixed)", () => {
  const filter = new AlertFilter();
  const { matched, excluded } = filter.apply(
    applyFacts(scan(), facts).alerts,
    { reachability_alerts_only: true },
    { scan: { repo: "acme/web" }, factsLoaded: true },
  );

  it("keeps every non-vulnerability alert (malware, typosquat, install scripts…) and only the reachable vulnerabilities", () => {
    expect(matched.map((a) => `${a.name}:${a.type}`)).toEqual([
      "traverse:criticalCVE",
      "lodash:envVars",
      "evil-pkg:malware",
      "lodahs:didYouMean",
    ]);
  });

  it("says why each vulnerability was left out", () => {
    expect(
      Object.fromEntries(excluded.map((e) => [`${e.alert.name}@${e.alert.version}:${e.alert.type}`, e.reason])),
    ).toEqual({
      "lodash@4.17.20:cve": "vulnerability is unreachable (reachability_alerts_only)",
      "lodash@4.17.20:mediumCVE": "vulnerability is missing_support (reachability_alerts_only)",
      "Requests@2.19.0:cve": "reachability analysis failed (reachability_alerts_only)",
      "lodash@4.17.21:cve": "vulnerability not found in the reachability facts (reachability_alerts_only)",
      "other@2.0.0:cve": "vulnerability not found in the reachability facts (reachability_alerts_only)",
    });
  });
});

describe("facts without matches", () => {
  it("a facts file about other packages annotates nothing and says so", () => {
    const other = parseFacts(
      JSON.stringify({
        components: [
          {
            id: "x",
            type: "npm",
            name: "unrelated",
            version: "1",
            vulnerabilities: [{ ghsaId: "GHSA-67hx-6x53-jw92" }],
          },
        ],
      }),
      {
        source: "f.json",
      },
    );
    const applied = applyFacts(scan(), other);
    expect(applied.alerts.every((a) => a.reachability === undefined)).toBe(true);
    expect(applied.matched).toBe(0);
    expect(applied.warnings).toEqual([
      "f.json: none of the 6 vulnerability alerts in the scan is in the reachability facts (is the facts file from the same scan?); destinations with reachability_alerts_only will not get them",
    ]);
  });

  it("a scan without vulnerability alerts: no warning", () => {
    const applied = applyFacts(
      scan().filter((a) => a.type === "malware"),
      facts,
    );
    expect(applied.warnings).toEqual([]);
    expect(applied.alerts[0]!.reachability).toBeUndefined();
  });
});
