import { type SeverityCounts } from "./blocks/BlockBuilder.js";

/** What happened to one message; part of the delivery report. */
export interface MessageReport {
  index: number;
  count: number;
  kind: "alerts" | "reachability";
  alerts: number;
  /** Blocks of the message's Block Kit record (what a Slack notifier sends). */
  blocks: number;
  /**
   * For a notifier with its own format (Discord): what it sends instead of the blocks — the
   * format's name, its size for people (`4 embeds, 2345 characters`) and the body's JSON bytes.
   */
  native?: { format: string; summary?: string; bytes: number };
  /** `skipped`: not sent because it would duplicate another destination's message (`error.code` says why). */
  status: "sent" | "dry-run" | "failed" | "skipped";
  attempts?: number;
  channel?: string;
  ts?: string;
  /** Sent as a reply in this thread: the `ts` of the destination's first message. */
  thread_ts?: string;
  possible_duplicate?: boolean;
  error?: ReportError;
}

export interface ReportError {
  code: string;
  message: string;
  hint?: string;
}

/** One destination of a run: its status, alerts and messages, and the error (code, message, hint) if it failed. */
export interface DestinationReport {
  /** The `url_configs` / `bot_configs` (or plugin) entry name. */
  route: string;
  /** Webhook name, `#channel` or endpoint: never a secret. */
  target: string;
  /** Alerts matched by this destination's filters (with state: those this run sends it). */
  alerts: number;
  /**
   * With state (the CLI's `state`): matched alerts an earlier run already sent to this destination
   * and this run does not send again. Absent where no state applies.
   */
  unchanged?: number;
  /** Messages planned for it. */
  messages: number;
  status: "sent" | "dry-run" | "skipped" | "failed";
  /** Messages Slack accepted. */
  delivered: number;
  /** Alerts not shown because `max_messages` was reached; counted in the last message. */
  omitted: number;
  omitted_by_severity?: SeverityCounts;
  excluded: number;
  error?: ReportError;
  message_results: MessageReport[];
}

/** The outcome of a run, per destination; `--json` prints it. No secrets: every text in it is scrubbed. */
export interface DeliveryReport {
  mode: string;
  dry_run: boolean;
  destinations: DestinationReport[];
  alerts: {
    /** Alerts in the input after de-duplication. */
    total: number;
    /** Alerts that matched at least one destination. */
    matched: number;
    duplicates_merged: number;
  };
  warnings: string[];
}

/** Exit code for a report: 1 when any destination failed. */
export function reportExitCode(r: DeliveryReport): 0 | 1 {
  return r.destinations.some((d) => d.status === "failed") ? 1 : 0;
}
