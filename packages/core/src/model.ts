import { type AppliedFacts } from "./reachability/apply.js";
import { type Severity } from "./severity.js";

/** What Socket's policy said to do with an alert: `error` → block, `warn` → warn. */
export type AlertAction = "block" | "warn" | "monitor" | "ignore";

export type ReachabilityState = "reachable" | "unreachable" | "unknown" | "error";

export interface Reachability {
  /** Normalised state; states we do not know (`missing_support`, `pending`, …) are `unknown`. */
  state: ReachabilityState;
  /** The state as the facts file spelled it, e.g. `missing_support`. */
  rawState: string;
  /** Call path for reachable vulnerabilities, one frame per line. */
  trace?: string;
  /** The vulnerability id the facts matched on. */
  vulnerabilityId?: string;
}

export interface IntroducedBy {
  /** `direct`, or `<type>/<name>@<version>` of the top-level dependency that pulls it in. */
  source: string;
  manifest: string;
}

/**
 * One alert, normalised from whatever Socket format it came in.
 *
 * A parsed alert's `url` and `purl` are computed on read (to keep 100,000 alerts small) but are
 * own enumerable properties, so `{ ...alert }` is a plain copy with both; `withFields(alert,
 * changes)` copies and keeps the parsed (small) form.
 */
export interface Alert {
  /**
   * Identity for de-duplication: ecosystem, namespace, name, version, alert type, and Socket's
   * alert `key` (else the GHSA/CVE id) when the report has one.
   */
  id: string;
  ecosystem: string;
  name: string;
  namespace?: string;
  version: string;
  type: string;
  severity: Severity;
  action: AlertAction;
  title: string;
  description: string;
  /** What to do about it (the Socket CLI's `suggestion`, SDK per-type metadata), when the report has it. */
  suggestion?: string;
  /** Socket's next-step heading for this alert type (`next_step_title`), when the report has it. */
  nextStep?: string;
  /** Socket page of the package, when the input gave one. */
  url?: string;
  /** A real package URL: `pkg:<ecosystem>/<namespace>/<name>@<version>`. */
  purl: string;
  introducedBy: IntroducedBy[];
  manifests: string[];
  ghsaId?: string;
  cveId?: string;
  /** `new` alerts come from `new_alerts`; `unchanged` ones only under `--strict-blocking`. */
  origin: "new" | "unchanged";
  /** Set when reachability facts were given and matched this alert. */
  reachability?: Reachability;
}

/** Where the scan ran; every field optional because every input omits some. */
export interface ScanContext {
  repo?: string;
  branch?: string;
  pr?: string;
  commitSha?: string;
  diffUrl?: string;
  reportUrl?: string;
  scanId?: string;
  /**
   * The forge that hosts `repo` (from the CI environment, or a repository URL), so the repository,
   * PR and commit can be linked. Only http(s) base URLs are used.
   */
  forge?: Forge;
  /** The CI run or job that produced the scan (http(s) only). */
  runUrl?: string;
}

export interface Forge {
  kind: "github" | "gitlab" | "bitbucket";
  /** Base URL of the forge, e.g. `https://github.com` or a self-hosted GitLab. */
  url: string;
}

/** A parsed Socket scan (`parseScan`/`readScanFile`): its alerts and where they come from. */
export interface ScanInput {
  format: "enable-json-report" | "scan-diff";
  alerts: Alert[];
  context: ScanContext;
  /** How many alerts were dropped as exact duplicates (the Socket CLI repeats them: B10). */
  duplicatesMerged: number;
  /** Alerts in `unchanged_alerts` that were not included because strict blocking is off. */
  unchangedIgnored: number;
  scanFailed?: boolean;
  /**
   * Reachability facts applied to `alerts` (`enrichScan`, before planning): the plan reads
   * them for `reachability_alerts_only` and the `always_send_reachability` summaries.
   */
  reachability?: AppliedFacts;
}

/**
 * An alert's fingerprint: stable across runs and readable in `state export`. It is made of the
 * ecosystem, namespace, name, version and alert type, plus the advisory (GHSA, else CVE) so two
 * vulnerabilities of one package stay two alerts. Socket's per-report alert key is left out on
 * purpose: it is not promised to be the same in the next scan. The repository scopes it (each
 * scope key contains the repository), so it is not part of the fingerprint itself.
 */
export function alertFingerprint(
  a: Pick<Alert, "ecosystem" | "namespace" | "name" | "version" | "type" | "ghsaId" | "cveId">,
): string {
  const pkg = `${a.ecosystem.toLowerCase()}/${a.namespace ? `${a.namespace}/` : ""}${a.name}@${a.version}`;
  const advisory = (a.ghsaId ?? a.cveId)?.toUpperCase();
  return advisory ? `${pkg} ${a.type} ${advisory}` : `${pkg} ${a.type}`;
}

/** `namespace/name@version`, the way Socket shows a package. */
export function packageLabel(a: Pick<Alert, "namespace" | "name" | "version">): string {
  const base = a.namespace ? `${a.namespace}/${a.name}` : a.name;
  return a.version ? `${base}@${a.version}` : base;
}
