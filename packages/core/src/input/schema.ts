import { z } from "zod";
import { SEVERITY_NAMES, parseSeverity } from "../severity.js";

/**
 * Socket CLI `Issue` objects (reference §2.1). Unknown fields are tolerated: Socket adds
 * fields over time and a notifier must not break on them. Types are checked, because a
 * wrong type means the file is not what the user thinks it is.
 */
export const IssueSchema = z.looseObject({
  pkg_type: z.string(),
  pkg_name: z.string(),
  pkg_version: z.string().nullish(),
  pkg_id: z.string().nullish(),
  props: z.record(z.string(), z.unknown()).nullish(),
  key: z.string().nullish(),
  type: z.string(),
  severity: z.string().refine((s) => parseSeverity(s) !== undefined, {
    error: (iss) =>
      `unknown severity ${JSON.stringify(iss.input)} | hint: Socket severities are ${SEVERITY_NAMES.join(", ")}`,
  }),
  description: z.string().nullish(),
  title: z.string().nullish(),
  suggestion: z.string().nullish(),
  next_step_title: z.string().nullish(),
  introduced_by: z.array(z.array(z.string())).nullish(),
  purl: z.string().nullish(),
  url: z.string().nullish(),
  manifests: z.string().nullish(),
  error: z.boolean().nullish(),
  warn: z.boolean().nullish(),
  monitor: z.boolean().nullish(),
  ignore: z.boolean().nullish(),
});
export type Issue = z.output<typeof IssueSchema>;

const urlish = z.string().nullish();

/** Both the `--enable-json` report (§2.3) and a scan diff (§2.2) carry `new_alerts`. */
export const ScanSchema = z.looseObject({
  // --enable-json report
  scan_failed: z.boolean().nullish(),
  full_scan_id: z.string().nullish(),
  repo: z.string().nullish(),
  branch: z.string().nullish(),
  commit_sha: z.string().nullish(),
  pr_number: z.union([z.string(), z.number()]).nullish(),
  legal_mode: z.boolean().nullish(),
  // diff
  id: z.string().nullish(),
  new_scan_id: z.string().nullish(),
  // both
  diff_url: urlish,
  report_url: urlish,
  new_alerts: z.array(IssueSchema),
  unchanged_alerts: z.array(IssueSchema).nullish(),
  removed_alerts: z.array(IssueSchema).nullish(),
});
export type ScanJson = z.output<typeof ScanSchema>;
