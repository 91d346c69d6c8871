import { z } from "zod";
import { SEVERITY_NAMES, parseSeverity } from "../severity.js";

const severityName = z
  .string()
  .refine((s) => parseSeverity(s) !== undefined, {
    error: (iss) =>
      `unknown severity ${JSON.stringify(iss.input)} | hint: use one of ${SEVERITY_NAMES.join(", ")} (any case; "middle" is "medium")`,
  })
  .meta({ description: `One of ${SEVERITY_NAMES.join(", ")}, any case. "middle" (Socket's word) is "medium".` });

export const LEVELS = ["block", "warn"] as const;
export type Level = (typeof LEVELS)[number];
const level = z.enum(LEVELS).meta({ description: "`block` for alerts Socket's policy marks error, `warn` for warn." });

const stringList = (description: string) => z.array(z.string()).meta({ description });

/** Per-destination filters. All of them must pass (AND); a missing or empty one does not filter. */
export const filterShape = {
  repos: stringList("Only scans of these repositories: `owner/repo` or bare `repo`, case-insensitive.").optional(),
  severities: z.array(severityName).meta({ description: "Only these severities." }).optional(),
  min_severity: severityName.meta({ description: "Only this severity and above." }).optional(),
  alert_types: stringList("Only these Socket alert types (e.g. `malware`, `criticalCVE`, `didYouMean`).").optional(),
  exclude_alert_types: stringList("Never these Socket alert types.").optional(),
  levels: z.array(level).meta({ description: "Only these policy levels; default both." }).optional(),
  reachability_alerts_only: z
    .boolean()
    .meta({ description: "With --facts: drop vulnerability alerts that are not reachable. Other alerts (malware, …) always pass." })
    .optional(),
  always_send_reachability: z
    .boolean()
    .meta({ description: "With --facts: send a whole-repository reachability summary on every run." })
    .optional(),
  max_messages: z.number().int().min(1).max(100).meta({ description: "Most messages to this destination per run (default 5); the last one counts what did not fit." }).optional(),
};
export const FilterSchema = z.strictObject(filterShape);
export type FilterOptions = z.output<typeof FilterSchema>;
export const FILTER_KEYS = Object.keys(filterShape) as (keyof FilterOptions)[];

/** A secret given as a reference to an environment variable instead of a literal. */
export const SecretRefSchema = z.strictObject({ env: z.string().min(1).meta({ description: "Name of the environment variable that holds the secret." }) });
export type SecretRef = z.output<typeof SecretRefSchema>;
export const secretValue = z.union([z.string().min(1), SecretRefSchema]);

/** Keys every config has, whatever the mode. */
export const coreShape = {
  $schema: z.string().optional(),
  mode: z.string().min(1).meta({ description: "Which notifier sends: `webhook` (default), `bot`, or a plugin's mode." }).optional(),
  enabled: z.boolean().meta({ description: "`false` sends nothing (exit 0)." }).optional(),
  levels: z.array(level).meta({ description: "Policy levels to send, for every destination; default both." }).optional(),
  max_messages: filterShape.max_messages,
  timeout: z.number().positive().max(3600).meta({ description: "Whole-run time budget in seconds (default 120)." }).optional(),
  request_timeout: z.number().positive().max(600).meta({ description: "Per-request timeout in seconds (default 10)." }).optional(),
  plugins: z.array(z.string().min(1)).meta({ description: "Modules that add notifiers: paths (relative to the config file) or package names. Code: opt-in." }).optional(),
};

export type CoreConfig = z.output<z.ZodObject<typeof coreShape>>;
/** A validated config: core keys plus whatever the loaded notifiers declare. */
export type NotifyConfig = CoreConfig & Record<string, unknown>;

export function buildConfigSchema(pluginShapes: Record<string, z.ZodType>[]): z.ZodObject {
  const shape: Record<string, z.ZodType> = { ...coreShape };
  for (const s of pluginShapes) Object.assign(shape, s);
  return z.strictObject(shape).meta({
    title: "socket-notify config",
    description: "Routes Socket Security alerts to Slack and other destinations. Drop-in compatible with the Socket CLI's SOCKET_SLACK_CONFIG_JSON.",
  });
}
