// Deterministic synthetic Socket CLI `--enable-json` reports for the benchmark.
// Same seed → same bytes, so runs on different machines measure the same workload.

/** mulberry32: a small seeded PRNG. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ECOSYSTEMS = ["npm", "pypi", "maven", "golang", "gem"];
const TYPES = [
  ["malware", "Known malware", "critical", true],
  ["didYouMean", "Possible typosquat attack", "critical", true],
  ["criticalCVE", "Critical CVE", "critical", true],
  ["cve", "High CVE", "high", true],
  ["mediumCVE", "Medium CVE", "middle", false],
  ["installScripts", "Install scripts", "middle", false],
  ["networkAccess", "Network access", "middle", false],
  ["shellAccess", "Shell access", "middle", false],
  ["envVars", "Environment variable access", "low", false],
  ["filesystemAccess", "Filesystem access", "low", false],
  ["copyleftLicense", "Copyleft License", "low", false],
  ["unmaintained", "Unmaintained", "low", false],
];
const WORDS =
  "left pad yaml parse request fetch core util stream tiny fast secure json http crypto glob path color log chalk async".split(
    " ",
  );
const MANIFESTS = [
  "package.json",
  "package-lock.json",
  "requirements.txt",
  "pom.xml",
  "go.mod",
  "Gemfile.lock",
  "services/api/package.json",
];
const DESCRIPTIONS = [
  "This package accesses the network at install time and downloads a binary.",
  "A vulnerable version: upgrade to the patched release listed in the advisory.",
  "The package runs a postinstall script that executes shell commands.",
  "",
  "",
];

function pick(r, list) {
  return list[Math.floor(r() * list.length)];
}

/** One Socket CLI `Issue` (reference §2.1), unique per `i`. */
export function issue(r, i) {
  const eco = pick(r, ECOSYSTEMS);
  const [type, title, severity, isError] = pick(r, TYPES);
  const name = `${pick(r, WORDS)}-${pick(r, WORDS)}-${i.toString(36)}`;
  const version = `${1 + Math.floor(r() * 9)}.${Math.floor(r() * 30)}.${Math.floor(r() * 30)}`;
  const scoped = eco === "npm" && r() < 0.3;
  const namespace = scoped ? `@${pick(r, WORDS)}` : undefined;
  const sources = Math.floor(r() * 3) + 1;
  const introduced = [];
  for (let s = 0; s < sources; s++) {
    introduced.push([
      s === 0 && r() < 0.5 ? "direct" : `${eco}/${pick(r, WORDS)}-${pick(r, WORDS)}@${1 + Math.floor(r() * 5)}.0.0`,
      pick(r, MANIFESTS),
    ]);
  }
  const props = {};
  if (type.toLowerCase().includes("cve")) {
    props.cveId = `CVE-2024-${10000 + Math.floor(r() * 89999)}`;
    props.ghsaId = `GHSA-${Math.floor(r() * 1e4)
      .toString(36)
      .padStart(4, "x")}-abcd-efgh`;
  }
  const label = `${namespace ? `${namespace}/` : ""}${name}`;
  return {
    pkg_type: eco,
    pkg_name: name,
    pkg_version: version,
    pkg_id: `p${i}`,
    props,
    key: `k${i}`,
    type,
    severity,
    description: pick(r, DESCRIPTIONS),
    title,
    suggestion: "",
    next_step_title: "",
    introduced_by: introduced,
    purl: `${label}@${version}`,
    url: `https://socket.dev/${eco}/package/${label}/overview/${version}`,
    manifests: [...new Set(introduced.map((x) => x[1]))].join(";"),
    error: isError || r() < 0.1,
    warn: !isError,
    monitor: false,
    ignore: false,
  };
}

const HEADER = {
  scan_failed: true,
  full_scan_id: "c2d9b98b-bf42-47af-b011-e32613eced13",
  repo: "acme/webapp",
  branch: "feature/bench",
  commit_sha: "5efacb1a6270c3c446fd54af652599400872c52c",
  pr_number: 42,
  diff_url: "https://socket.dev/dashboard/org/acme/diff/e2b84cde/c2d9b98b",
  report_url: "https://socket.dev/dashboard/org/acme/sbom/c2d9b98b",
};

/** A whole report as an object: `n` new alerts. */
export function report(n, seed = 7) {
  const r = rng(seed);
  const new_alerts = [];
  for (let i = 0; i < n; i++) new_alerts.push(issue(r, i));
  return { ...HEADER, new_alerts, unchanged_alerts: [], removed_alerts: [] };
}

/** The same report as JSON text, built in chunks (200,000 alerts is ~140 MB of objects otherwise). */
export function reportText(n, seed = 7) {
  const r = rng(seed);
  const head = JSON.stringify({ ...HEADER, unchanged_alerts: [], removed_alerts: [] });
  const parts = [head.slice(0, -1), ',"new_alerts":['];
  for (let i = 0; i < n; i++) parts.push((i ? "," : "") + JSON.stringify(issue(r, i)));
  parts.push("]}");
  return parts.join("");
}

/**
 * The 2.3 MB raw stream diff fixture's 4,805 artifact alerts rewritten as a Socket CLI report
 * (what the Python CLI would put in `new_alerts`), so core's parser has a real-sized input.
 */
export function reportFromStreamDiff(stream) {
  const r = rng(11);
  const new_alerts = [];
  const artifacts = stream.data?.artifacts ?? {};
  for (const list of Object.values(artifacts)) {
    for (const a of list) {
      for (const al of a.alerts ?? []) {
        const [, , severity, isError] = pick(r, TYPES);
        const type = `type${al.type}`;
        new_alerts.push({
          pkg_type: a.type,
          pkg_name: a.name,
          pkg_version: a.version,
          pkg_id: a.id,
          props: al.props ?? {},
          key: al.key,
          type,
          severity,
          description: al.file ?? al.props?.source ?? "",
          title: "",
          suggestion: "",
          next_step_title: "",
          introduced_by: [
            [
              a.head?.direct ? "direct" : `${a.type}/${a.head?.toplevelAncestors?.[0] ?? "unknown"}`,
              "requirements.txt",
            ],
          ],
          purl: `${a.name}@${a.version}`,
          url: `https://socket.dev/${a.type}/package/${a.name}/overview/${a.version}`,
          manifests: "requirements.txt",
          error: isError,
          warn: !isError,
          monitor: false,
          ignore: false,
        });
      }
    }
  }
  return { ...HEADER, new_alerts };
}
