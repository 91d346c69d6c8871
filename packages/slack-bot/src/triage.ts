/**
 * Interactive triage on alert messages: the contract between `send` (bot mode, which puts these
 * buttons under each alert when `interactive` is configured) and `socket-notify serve` (which
 * acts on the clicks). Action IDs say what they do. The alert a row is about travels in the
 * Acknowledge button's value (JSON, at most Slack's 2000 characters), so the receiver needs
 * nothing but the clicked message to know which alert, package version and repository it is.
 */
import { type Alert, described, type ScanContext } from "@socket-notify/core";
import { alertFingerprint, packageLabel } from "@socket-notify/core/internal";
import * as z from "zod/mini";

export const TRIAGE_ACTIONS = {
  ack: "socket_notify.ack",
  snooze: "socket_notify.snooze",
  mute: "socket_notify.mute",
  open: "socket_notify.open",
} as const;
export type TriageAction = keyof typeof TRIAGE_ACTIONS;

export const SNOOZE_CHOICES = [
  { value: "1d", days: 1, label: "1 day" },
  { value: "7d", days: 7, label: "7 days" },
  { value: "30d", days: 30, label: "30 days" },
] as const;

/** One choice is the whole decision: no dialog to fill in. */
export const MUTE_REASONS = [
  { value: "not_affected", label: "Not affected" },
  { value: "accepted_risk", label: "Accepted risk" },
  { value: "false_positive", label: "False positive" },
  { value: "will_fix", label: "Will fix" },
] as const;

/** Alert types whose mute asks "are you sure?" first (Slack's confirm dialog): malware and typosquats. */
const CONFIRM_TYPES = /^(malware|gptMalware|didYouMean|typosquat|troll|gptDidYouMean)$/i;

/** What a click is about: one alert of one package version, in one repository (when known). */
export interface TriageTarget {
  ecosystem: string;
  namespace?: string;
  name: string;
  version: string;
  type: string;
  repo?: string;
  /** The state store's alert fingerprint: package@version, type, advisory. */
  fingerprint: string;
  /** `npm/lodash@4.17.20`, for people. */
  package: string;
  title: string;
}

/** The state store's alert fingerprint (core's `alertFingerprint`): what a click decides on. */
export const triageFingerprint = alertFingerprint;

export function triageTarget(alert: Alert, scan: ScanContext): TriageTarget {
  return {
    ecosystem: alert.ecosystem,
    ...(alert.namespace ? { namespace: alert.namespace } : {}),
    name: alert.name,
    version: alert.version,
    type: alert.type,
    ...(scan.repo ? { repo: scan.repo } : {}),
    fingerprint: triageFingerprint(alert),
    package: `${alert.ecosystem}/${packageLabel(alert)}`.slice(0, 300),
    title: alert.title.slice(0, 300),
  };
}

const plain = (text: string) => ({ type: "plain_text", text, emoji: true });
const options = (choices: readonly { value: string; label: string }[]) =>
  choices.map((c) => ({ text: plain(c.label), value: c.value }));

/** The row of buttons under one alert. */
export function triageBlock(
  alert: Alert,
  scan: ScanContext,
): { type: "actions"; block_id: string; elements: Record<string, unknown>[] } {
  const target = triageTarget(alert, scan);
  let value = JSON.stringify(target);
  // Slack's limit for a button value; long titles are what gets cut.
  if (value.length > 2000)
    value = JSON.stringify({ ...target, title: target.title.slice(0, 80), package: target.package.slice(0, 200) });
  const mute: Record<string, unknown> = {
    type: "static_select",
    action_id: TRIAGE_ACTIONS.mute,
    placeholder: plain("Mute…"),
    options: options(MUTE_REASONS),
  };
  if (CONFIRM_TYPES.test(alert.type))
    mute["confirm"] = {
      title: plain("Mute this alert?"),
      text: {
        type: "mrkdwn",
        text: `This is a *${alert.type}* alert: muting hides it from every scan of this version.`,
      },
      confirm: plain("Mute"),
      deny: plain("Cancel"),
      style: "danger",
    };
  const elements: Record<string, unknown>[] = [
    { type: "button", action_id: TRIAGE_ACTIONS.ack, text: plain("Acknowledge"), value },
    {
      type: "static_select",
      action_id: TRIAGE_ACTIONS.snooze,
      placeholder: plain("Snooze…"),
      options: options(SNOOZE_CHOICES),
    },
    mute,
  ];
  if (alert.url !== undefined && /^https:\/\//.test(alert.url))
    elements.push({ type: "button", action_id: TRIAGE_ACTIONS.open, text: plain("Open in Socket"), url: alert.url });
  // Unique per alert in a message; Slack allows 255 characters.
  return { type: "actions", block_id: `socket_notify:${target.fingerprint}`.slice(0, 255), elements };
}

/** The target carried by a triage row of a message (the block the click came from), if it is one of ours. */
export function targetOfBlock(block: unknown): TriageTarget | undefined {
  if (typeof block !== "object" || block === null) return undefined;
  const elements = (block as { elements?: unknown }).elements;
  if (!Array.isArray(elements)) return undefined;
  const ack = elements.find(
    (e): e is { value: string } =>
      typeof e === "object" && e !== null && (e as { action_id?: unknown }).action_id === TRIAGE_ACTIONS.ack,
  );
  if (typeof ack?.value !== "string") return undefined;
  try {
    const t = JSON.parse(ack.value) as Partial<TriageTarget>;
    if (typeof t.fingerprint !== "string" || typeof t.name !== "string" || typeof t.ecosystem !== "string")
      return undefined;
    return t as TriageTarget;
  } catch {
    return undefined;
  }
}

const ID_LIST = z
  .array(
    z.string().check(
      z.refine((s: string) => /^[UWS][A-Z0-9]{2,20}$/.test(s), {
        error: (iss) =>
          `not a Slack user or user-group ID: ${JSON.stringify(String(iss.input).slice(0, 40))} | hint: user IDs look like U0123ABCD, user groups like S0123ABCD (not names or @handles)`,
      }),
    ),
  )
  .check(z.minLength(1));

/** `interactive`: buttons on alert messages and who may use them (`socket-notify serve` acts on them). */
export const interactiveSchema = z.strictObject({
  team_id: described(
    z.string().check(z.regex(/^[TE][A-Z0-9]{2,20}$/)),
    "The Slack workspace (team) ID; requests from any other team are refused.",
  ),
  app_id: described(
    z.string().check(z.regex(/^A[A-Z0-9]{2,20}$/)),
    "The Slack app's ID (api_app_id); requests for any other app are refused.",
  ),
  allow: described(
    z.union([
      ID_LIST,
      z.strictObject({
        default: ID_LIST,
        ack: z.optional(ID_LIST),
        snooze: z.optional(ID_LIST),
        mute: z.optional(ID_LIST),
      }),
    ]),
    "Who may decide: Slack user IDs (U…) and user-group IDs (S…); or per action {default, ack, snooze, mute}.",
  ),
  command: z.optional(
    described(z.string().check(z.regex(/^\/[a-z0-9_-]{1,31}$/)), "The slash command's name (default /socket-notify)."),
  ),
  mute_days: z.optional(
    described(
      z.number().check(z.int(), z.gte(1), z.lte(3650)),
      "How long a mute from a button lasts (default 90 days).",
    ),
  ),
});
export type InteractiveConfig = z.output<typeof interactiveSchema>;

/** Who may take `action`: its own list, else the default list. */
export function allowedFor(config: InteractiveConfig, action: TriageAction | "unmute"): readonly string[] {
  const allow = config.allow;
  if (Array.isArray(allow)) return allow;
  const per = action === "unmute" ? allow.mute : action === "open" ? undefined : allow[action];
  return per ?? allow.default;
}
