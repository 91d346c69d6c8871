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

/** One alert, normalised from whatever Socket format it came in. */
export interface Alert {
  /** Identity for de-duplication: ecosystem, namespace, name, version and alert type. */
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
}

export interface ScanInput {
  format: "enable-json-report" | "scan-diff";
  alerts: Alert[];
  context: ScanContext;
  /** How many alerts were dropped as exact duplicates (the Socket CLI repeats them: B10). */
  duplicatesMerged: number;
  /** Alerts in `unchanged_alerts` that were not included because strict blocking is off. */
  unchangedIgnored: number;
  scanFailed?: boolean;
}

/** `namespace/name@version`, the way Socket shows a package. */
export function packageLabel(a: Pick<Alert, "namespace" | "name" | "version">): string {
  const base = a.namespace ? `${a.namespace}/${a.name}` : a.name;
  return a.version ? `${base}@${a.version}` : base;
}
