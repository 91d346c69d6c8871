/**
 * Stage 3 of a run: the report. Pure: the plan and what delivery did with each of its
 * messages in, the `DeliveryReport` (what the CLI prints, `--json` writes and the Action
 * outputs) out. Every text that reaches it from outside goes through `scrub`.
 */
import { type NativeMessage } from "../contract/layout.js";
import { type MessageOutcome } from "../delivery/DeliveryEngine.js";
import { type DeliveryReport, type DestinationReport, type MessageReport } from "../report.js";
import { type Plan } from "./plan.js";

/**
 * How the run ended: `sent` (delivery ran; a planned message it was not given is `skipped`),
 * `dry-run` (nothing was sent), `skipped` (the config is disabled).
 */
export type RunMode = "sent" | "dry-run" | "skipped";

/** A native body's format and size, as the report and the dry run show it. */
export function nativeSize(n: NativeMessage): { format: string; summary?: string; bytes: number } {
  return {
    format: n.format,
    ...(n.summary ? { summary: n.summary } : {}),
    bytes: Buffer.byteLength(JSON.stringify(n.body) ?? ""),
  };
}

/** Stage 3: the report of a plan and its outcomes (none for a dry run). */
export function reportRun(
  plan: Plan,
  outcomes: readonly MessageOutcome[] | undefined,
  mode: RunMode,
  scrub: (text: string) => string,
): DeliveryReport {
  const byMessage = new Map(outcomes?.map((o) => [o.message, o]));
  const destinations: DestinationReport[] = plan.destinations.map((p) => {
    const results: MessageReport[] = p.messages.map((m) => {
      const o = byMessage.get(m);
      const r: MessageReport = {
        index: m.index,
        count: m.count,
        kind: m.kind,
        alerts: m.alerts.length,
        blocks: m.payload.blocks.length,
        ...(m.native ? { native: nativeSize(m.native) } : {}),
        status: o === undefined ? (mode === "sent" ? "skipped" : "dry-run") : o.ok ? "sent" : "failed",
      };
      if (o) {
        r.attempts = o.attempts;
        if (o.channel) r.channel = o.channel;
        if (o.ts) r.ts = o.ts;
        if (o.threadTs) r.thread_ts = o.threadTs;
        if (o.possibleDuplicate) r.possible_duplicate = true;
        if (o.duplicateOf) {
          // Sent once, to the destination it duplicates: not a failure, not a second message.
          r.status = "skipped";
          r.error = {
            code: "duplicate_destination",
            message: scrub(
              `same channel as ${o.duplicateOf.target} in ${o.duplicateOf.route}: sent once, reported there`,
            ),
          };
        } else if (o.failure) {
          r.error = { code: o.failure.code, message: scrub(o.failure.message) };
          if (o.failure.hint) r.error.hint = scrub(o.failure.hint);
        }
      }
      return r;
    });
    const failed = results.find((r) => r.status === "failed");
    const skipped = results.length > 0 && results.every((r) => r.status === "skipped") ? results[0] : undefined;
    const status: DestinationReport["status"] =
      mode === "skipped" || p.messages.length === 0 || skipped
        ? "skipped"
        : mode === "dry-run"
          ? "dry-run"
          : failed
            ? "failed"
            : "sent";
    const d: DestinationReport = {
      route: p.destination.route,
      target: p.destination.target,
      alerts: p.matched.length,
      messages: p.messages.length,
      status,
      delivered: results.filter((r) => r.status === "sent").length,
      omitted: p.build.omitted,
      excluded: p.excluded.count,
      message_results: results,
    };
    if (p.build.omitted) d.omitted_by_severity = p.build.omittedBySeverity;
    if (failed?.error) d.error = failed.error;
    else if (skipped?.error) d.error = skipped.error;
    return d;
  });
  return {
    mode: plan.mode,
    dry_run: mode !== "sent",
    destinations,
    alerts: {
      total: plan.alerts.total,
      matched: plan.alerts.matched,
      duplicates_merged: plan.alerts.duplicatesMerged,
    },
    warnings: plan.warnings.map(scrub),
  };
}
