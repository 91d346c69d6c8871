/** Test support for this package's tests (not built, not exported): Socket CLI reports of any size. */
import { parseScan, type ScanInput } from "@socket-notify/core";

const TYPES = ["malware", "criticalCVE", "cve", "didYouMean", "installScripts", "networkAccess", "envVars", "usesEval"];
const SEVERITIES = ["critical", "high", "middle", "low"];

/** The `--enable-json` text of a Socket CLI report with `count` distinct alerts. */
export function scanJson(count: number, repo = "acme/widgets"): string {
  const alerts = Array.from({ length: count }, (_, i) => {
    const name = `pkg-${String(i).padStart(4, "0")}`;
    return {
      pkg_type: "npm",
      pkg_name: name,
      pkg_version: "1.0.0",
      pkg_id: `id${i}`,
      key: `alert-${i}`,
      type: TYPES[i % TYPES.length],
      severity: SEVERITIES[i % SEVERITIES.length],
      title: `Alert ${i} in ${name}`,
      description: `Description of alert ${i}: ${"lorem ipsum ".repeat(i % 7 === 0 ? 40 : 3)}`,
      introduced_by: [["direct", "package.json"]],
      purl: `${name}@1.0.0`,
      url: `https://socket.dev/npm/package/${name}/overview/1.0.0`,
      manifests: "package.json",
      error: i % 3 === 0,
      warn: i % 3 !== 0,
      monitor: false,
      ignore: false,
    };
  });
  return JSON.stringify({
    scan_failed: true,
    full_scan_id: "scan-1",
    repo,
    branch: "main",
    commit_sha: "0123456789abcdef0123456789abcdef01234567",
    diff_url: "https://socket.dev/dashboard/org/acme/diff/1/2",
    report_url: "https://socket.dev/dashboard/org/acme/sbom/scan-1",
    new_alerts: alerts,
  });
}

export function scan(count: number, repo?: string): ScanInput {
  return parseScan(scanJson(count, repo), { source: `synthetic-${count}.json` });
}
