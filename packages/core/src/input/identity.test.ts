import { describe, expect, it } from "vitest";
import { parseScan } from "./parse.js";

const issue = (over: Record<string, unknown> = {}) => ({
  pkg_type: "npm",
  pkg_name: "lodash",
  pkg_version: "4.17.20",
  type: "criticalCVE",
  severity: "critical",
  props: {},
  purl: "lodash@4.17.20",
  ...over,
});
const scan = (newAlerts: unknown[], unchanged: unknown[] = []) =>
  JSON.stringify({ new_alerts: newAlerts, unchanged_alerts: unchanged });

describe("alert identity: what makes an alert distinct", () => {
  it("different GHSA or CVE ids on one package and type are distinct alerts (any key spelling, any case)", () => {
    const r = parseScan(
      scan([
        issue({ props: { ghsaId: "GHSA-aaaa-aaaa-aaaa" } }),
        issue({ props: { ghsa_id: "GHSA-bbbb-bbbb-bbbb" } }),
        issue({ props: { cveId: "CVE-2020-0001" } }),
        issue({ props: { cve_id: "CVE-2020-0002" } }),
        issue({ props: { ghsaId: "ghsa-aaaa-aaaa-aaaa" } }), // the first, lower-cased: the same advisory
      ]),
    );
    expect(r.alerts).toHaveLength(4);
    expect(r.duplicatesMerged).toBe(1);
  });

  it("Socket's alert key wins over the vulnerability id: two keys are two alerts, one key listed twice is one", () => {
    const r = parseScan(
      scan([
        issue({ key: "k1", props: { ghsaId: "GHSA-aaaa-aaaa-aaaa" } }),
        issue({ key: "k2", props: { ghsaId: "GHSA-aaaa-aaaa-aaaa" } }),
        issue({ key: "k1", props: { ghsaId: "GHSA-aaaa-aaaa-aaaa" } }),
      ]),
    );
    expect(r.alerts).toHaveLength(2);
    expect(r.duplicatesMerged).toBe(1);
  });

  it("without key or id, package + type is the identity (the Socket CLI's duplicates merge, across new and unchanged too)", () => {
    const a = issue({ type: "envVars", severity: "low" });
    const r = parseScan(scan([a, a], [a]), { strictBlocking: true });
    expect(r.alerts).toHaveLength(1);
    expect(r.duplicatesMerged).toBe(2);
  });

  it("the same ids on different versions or types stay apart", () => {
    const p = { ghsaId: "GHSA-aaaa-aaaa-aaaa" };
    const r = parseScan(
      scan([
        issue({ props: p }),
        issue({ props: p, pkg_version: "4.17.21", purl: "lodash@4.17.21" }),
        issue({ props: p, type: "cve", severity: "high" }),
      ]),
    );
    expect(r.alerts).toHaveLength(3);
  });
});
