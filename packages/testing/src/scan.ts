import { parseScan, type ScanInput } from "@socket-notify/core";

const TYPES = [
  "malware",
  "criticalCVE",
  "cve",
  "didYouMean",
  "installScripts",
  "networkAccess",
  "envVars",
  "copyleftLicense",
] as const;
const SEVERITIES = ["critical", "high", "middle", "low"] as const;

export interface SyntheticScanOptions {
  repo?: string;
  branch?: string;
  /** Make some alerts large (long titles and descriptions, markup characters) to stress message limits. @default true */
  large?: boolean;
}

/** The raw `--enable-json` report a Socket CLI would print for `count` distinct alerts. */
export function syntheticScanJson(count: number, options: SyntheticScanOptions = {}): Record<string, unknown> {
  const large = options.large ?? true;
  const alerts = Array.from({ length: count }, (_, i) => {
    const type = TYPES[i % TYPES.length]!;
    const severity = SEVERITIES[(i * 7) % SEVERITIES.length]!;
    const name = `pkg-${i}`;
    const ecosystem = i % 3 === 0 ? "pypi" : "npm";
    const namespace = ecosystem === "npm" && i % 5 === 0 ? `@scope-${i % 11}/` : "";
    const big = large && i % 9 === 0;
    return {
      pkg_type: ecosystem,
      pkg_name: name,
      pkg_version: `1.${i}.0`,
      pkg_id: `id${i}`,
      key: `alert-${i}`,
      type,
      severity,
      title: big ? `Title with <markup> & *stars* _under_ ${"x".repeat(300)} #${i}` : `${type} in ${name}`,
      description: big ? `Description <b>&amp;</b> \`code\` ${"lorem ipsum ".repeat(250)}` : `Alert ${i} of ${count}`,
      introduced_by: [["direct", i % 2 ? "package.json" : "requirements.txt"]],
      // The Socket CLI's "purl" is not a real purl: `<name>@<version>` (reference §2.1).
      purl: `${namespace}${name}@1.${i}.0`,
      url: `https://socket.dev/${ecosystem}/package/${namespace}${name}/overview/1.${i}.0`,
      manifests: i % 2 ? "package.json" : "requirements.txt",
      error: i % 4 === 0,
      warn: i % 4 !== 0,
      monitor: false,
      ignore: false,
    };
  });
  return {
    scan_failed: alerts.some((a) => a.error),
    full_scan_id: "scan-synthetic",
    repo: options.repo ?? "acme/widgets",
    branch: options.branch ?? "main",
    commit_sha: "0123456789abcdef0123456789abcdef01234567",
    pr_number: 42,
    diff_url: "https://socket.dev/dashboard/org/acme/diff/1/2",
    report_url: "https://socket.dev/dashboard/org/acme/sbom/scan-synthetic",
    new_alerts: alerts,
    unchanged_alerts: [],
  };
}

/** A parsed scan with `count` distinct alerts of mixed types, severities and sizes. */
export function syntheticScan(count: number, options: SyntheticScanOptions = {}): ScanInput {
  return parseScan(JSON.stringify(syntheticScanJson(count, options)), { source: "synthetic scan" });
}
