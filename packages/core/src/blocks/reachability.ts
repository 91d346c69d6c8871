/**
 * Reachability as Block Kit text, the one place it is written: what a scan's alert entry shows
 * of its reachability (BlockBuilder) and what the whole-repository reachability summary lists
 * (reachability/summary.ts) use the same labels and the same call-path rendering.
 */
import { type Reachability } from "../model.js";
import { codeBlock, inline } from "./mrkdwn.js";

const LABEL: Record<Reachability["state"], string> = {
  reachable: "🎯 *Reachable*",
  unreachable: "✓ *Unreachable*",
  unknown: "❓ *Reachability unknown*",
  error: "⚠️ *Reachability analysis failed*",
};

/** The most characters of a call path shown. */
export const TRACE_MAX_CHARS = 1200;

/** `🎯 *Reachable*`; an unknown state says how the facts spelled it: `❓ *Reachability unknown* (missing_support)`. */
export function reachabilityLabel(r: Pick<Reachability, "state" | "rawState">): string {
  const label = LABEL[r.state];
  return r.state === "unknown" && r.rawState !== "unknown" ? `${label} (${inline(r.rawState, 40)})` : label;
}

/** A call path as a code block of at most `max` characters: whole frames while they fit, then how many were left out. */
export function traceBlock(trace: string, max: number): string {
  return codeBlock(cutTrace(trace, max), max);
}

/** Whole frames while they fit (counting the escaping `codeBlock` adds), then how many were left out. */
function cutTrace(trace: string, max: number): string {
  const escaped = (t: string) => t.length + 4 * (t.match(/[<>]/g)?.length ?? 0) + 4 * (t.match(/&/g)?.length ?? 0);
  if (escaped(trace) <= max) return trace;
  const lines = trace.split("\n");
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const cost = escaped(line) + 1;
    if (used + cost > max - 40) break;
    kept.push(line);
    used += cost;
  }
  // Not even one frame fits: codeBlock cuts the first one.
  if (!kept.length) return trace;
  kept.push(`… ${lines.length - kept.length} more frames`);
  return kept.join("\n");
}
