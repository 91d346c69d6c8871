import { SEVERITY_NAMES, parseSeverity } from "../severity.js";
import * as z from "zod/mini";

// One instance per optional primitive, shared by every field (zod schemas are immutable): each
// schema built costs start-up time (bench figure 5).
const str = z.nullish(z.string());
const bool = z.nullish(z.boolean());

/**
 * Socket CLI `Issue` objects (reference §2.1). Unknown fields are tolerated: Socket adds
 * fields over time and a notifier must not break on them. Types are checked, because a
 * wrong type means the file is not what the user thinks it is.
 */
export const IssueSchema = z.looseObject({
  pkg_type: z.string(),
  pkg_name: z.string(),
  pkg_version: str,
  pkg_id: str,
  props: z.nullish(z.record(z.string(), z.unknown())),
  key: str,
  type: z.string(),
  severity: z.string().check(
    z.refine((s) => parseSeverity(s) !== undefined, {
      error: (iss) =>
        `unknown severity ${JSON.stringify(iss.input)} | hint: Socket severities are ${SEVERITY_NAMES.join(", ")}`,
    }),
  ),
  description: str,
  title: str,
  suggestion: str,
  next_step_title: str,
  introduced_by: z.nullish(z.array(z.array(z.string()))),
  purl: str,
  url: str,
  manifests: str,
  error: bool,
  warn: bool,
  monitor: bool,
  ignore: bool,
});
export type Issue = z.output<typeof IssueSchema>;

/** Both the `--enable-json` report (§2.3) and a scan diff (§2.2) carry `new_alerts`. */
export const ScanSchema = z.looseObject({
  // --enable-json report
  scan_failed: bool,
  full_scan_id: str,
  repo: str,
  branch: str,
  commit_sha: str,
  pr_number: z.nullish(z.union([z.string(), z.number()])),
  legal_mode: bool,
  // diff
  id: str,
  new_scan_id: str,
  // both
  diff_url: str,
  report_url: str,
  new_alerts: z.array(IssueSchema),
  unchanged_alerts: z.nullish(z.array(IssueSchema)),
  removed_alerts: z.nullish(z.array(IssueSchema)),
});
export type ScanJson = z.output<typeof ScanSchema>;
