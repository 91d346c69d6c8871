import { type $ZodType } from "zod/v4/core";
import { SEVERITY_NAMES, parseSeverity } from "../severity.js";
import * as z from "zod/mini";

/**
 * Attach a description (shown by `socket-notify schema`) and return the same schema; zod's
 * `.meta()` would clone it.
 */
export function described<S extends $ZodType>(schema: S, description: string): S {
  z.globalRegistry.add(schema, { description });
  return schema;
}

/** What `mention` accepts: a user (`<@U…>`/`<@W…>`), a user group (`<!subteam^S…>`), `!here`, `!channel`. */
export const MENTION_TOKEN = /^(?:<@[UW][A-Z0-9]{2,20}>|<!subteam\^S[A-Z0-9]{2,20}>|!here|!channel)$/;

export const LEVELS = ["block", "warn"] as const;
export type Level = (typeof LEVELS)[number];

/** Per-destination filters. All of them must pass (AND); a missing or empty one does not filter. */
function makeFilterShape() {
  const severityName = (description: string) =>
    described(
      z.string().check(
        z.refine((s: string) => parseSeverity(s) !== undefined, {
          error: (iss) =>
            `unknown severity ${JSON.stringify(iss.input)} | hint: use one of ${SEVERITY_NAMES.join(", ")} (any case; "middle" is "medium")`,
        }),
      ),
      description,
    );
  const level = described(z.enum(LEVELS), "`block` for alerts Socket's policy marks error, `warn` for warn.");
  const stringList = (description: string) => z.optional(described(z.array(z.string()), description));
  const bool = (description: string) => z.optional(described(z.boolean(), description));
  return {
    repos: stringList("Only scans of these repositories: `owner/repo` or bare `repo`, case-insensitive."),
    severities: z.optional(
      described(
        z.array(severityName(`One of ${SEVERITY_NAMES.join(", ")}, any case. "middle" (Socket's word) is "medium".`)),
        "Only these severities.",
      ),
    ),
    min_severity: z.optional(severityName("Only this severity and above.")),
    alert_types: stringList("Only these Socket alert types (e.g. `malware`, `criticalCVE`, `didYouMean`)."),
    exclude_alert_types: stringList("Never these Socket alert types."),
    levels: z.optional(described(z.array(level), "Only these policy levels; default both.")),
    reachability_alerts_only: bool(
      "With --facts: drop vulnerability alerts that are not reachable. Other alerts (malware, …) always pass.",
    ),
    always_send_reachability: bool("With --facts: send a whole-repository reachability summary on every run."),
    max_messages: z.optional(
      described(
        z.number().check(z.int(), z.gte(1), z.lte(100)),
        "Most messages to this destination per run (default 5); the last one counts what did not fit.",
      ),
    ),
    // Trusted config only: a mention pings people, so it is never taken from the report.
    mention: z.optional(
      described(
        z.array(
          z.string().check(
            z.refine((t: string) => MENTION_TOKEN.test(t), {
              error: (iss) =>
                `not a Slack mention: ${JSON.stringify(String(iss.input).slice(0, 60))} | hint: use a user <@U…>, a user group <!subteam^S…>, or !here / !channel`,
            }),
          ),
        ),
        "Who to notify when an alert reaches `mention_min_severity`: Slack users `<@U…>`, user groups `<!subteam^S…>`, `!here` or `!channel`.",
      ),
    ),
    mention_min_severity: z.optional(severityName("Lowest severity that triggers `mention` (default critical).")),
    notify: z.optional(
      described(
        z.enum(["changes", "always"]),
        "With `state`: `changes` (default) sends a webhook only new alerts and edits a bot's living message; `always` sends every run in full, as without state.",
      ),
    ),
  };
}

/** The per-destination filter keys as a zod shape, to spread into a notifier's destination schema. */
export const filterShape = makeFilterShape();
export const FilterSchema = z.strictObject(filterShape);
/** A destination's filters (repos, severities, levels, alert types, max_messages, mentions…), as validated. */
export type FilterOptions = z.output<typeof FilterSchema>;
export const FILTER_KEYS = Object.keys(filterShape) as (keyof FilterOptions)[];

/** A secret given as a reference to an environment variable instead of a literal. */
export const SecretRefSchema = z.strictObject({
  env: described(z.string().check(z.minLength(1)), "Name of the environment variable that holds the secret."),
});
export type SecretRef = z.output<typeof SecretRefSchema>;
/** A secret: a literal string or a reference to an environment variable. */
export const secretValue = z.union([z.string().check(z.minLength(1)), SecretRefSchema]);

const positiveAtMost = (max: number, description: string) =>
  z.optional(described(z.number().check(z.positive(), z.lte(max)), description));

/** Keys every config has, whatever the mode. */
export const coreShape = {
  $schema: z.optional(z.string()),
  mode: z.optional(
    described(
      z.string().check(z.minLength(1)),
      "Which notifier sends: `webhook` (default), `bot`, or a plugin's mode.",
    ),
  ),
  enabled: z.optional(described(z.boolean(), "`false` sends nothing (exit 0).")),
  levels: z.optional(
    described(
      z.array(described(z.enum(LEVELS), "`block` for alerts Socket's policy marks error, `warn` for warn.")),
      "Policy levels to send, for every destination; default both.",
    ),
  ),
  max_messages: filterShape.max_messages,
  timeout: positiveAtMost(3600, "Whole-run time budget in seconds (default 120)."),
  request_timeout: positiveAtMost(600, "Per-request timeout in seconds (default 10)."),
  state: z.optional(
    described(
      secretValue,
      'Where runs remember what they sent: a file path (relative to this config file) or a postgres:// URL (a secret: a string or {"env": "VAR"}). SOCKET_NOTIFY_STATE overrides it. Absent: every run stands alone.',
    ),
  ),
  plugins: z.optional(
    described(
      z.array(z.string().check(z.minLength(1))),
      "Modules that add notifiers: paths (relative to the config file) or package names. Code: opt-in.",
    ),
  ),
};

export type CoreConfig = z.output<z.ZodMiniObject<typeof coreShape>>;
/** A validated config: core keys plus whatever the loaded notifiers declare. */
export type NotifyConfig = CoreConfig & Record<string, unknown>;

export function buildConfigSchema(pluginShapes: Record<string, $ZodType>[]): z.ZodMiniObject {
  const shape: Record<string, $ZodType> = { ...coreShape };
  for (const s of pluginShapes) Object.assign(shape, s);
  const schema = z.strictObject(shape);
  z.globalRegistry.add(schema, {
    title: "socket-notify config",
    description:
      "Routes Socket Security alerts to Slack and other destinations. Drop-in compatible with the Socket CLI's SOCKET_SLACK_CONFIG_JSON.",
  });
  return schema;
}
