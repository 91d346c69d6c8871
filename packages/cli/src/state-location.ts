/**
 * Where the state store is (SOCKET_NOTIFY_STATE, else the config's `state`) and how a run's state
 * report reads. Kept apart from @socket-notify/state, which a run without state never loads.
 */
import { isAbsolute, resolve } from "node:path";
import { type PluginHost, Secret } from "@socket-notify/core";
import { type SecretRef } from "@socket-notify/core/internal";
// `import type`: a plain import would load the store (and its dependencies) on every send.
import type { StateReport } from "./state-send.js";

function isDatabaseUrl(raw: string): boolean {
  return /^postgres(ql)?:\/\//i.test(raw.trim());
}

export const STATE_ENV = "SOCKET_NOTIFY_STATE";
/** Where the state is: SOCKET_NOTIFY_STATE, else the config's `state`; undefined when neither says. */
export interface StateLocation {
  value: Secret;
  /** For messages: the path, or the URL without its password. */
  shown: string;
  from: string;
}

function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = "****";
    u.search = "";
    return u.toString();
  } catch {
    return "postgres://(not a valid URL)";
  }
}

/** The state location from the environment, or from a loaded config's `state` (paths relative to the config). */
export function stateLocation(
  env: Record<string, string | undefined>,
  cwd: string,
  config?: { state?: unknown; baseDir: string; host: PluginHost },
): StateLocation | undefined {
  const fromEnv = env[STATE_ENV]?.trim();
  if (fromEnv) return located(fromEnv, cwd, STATE_ENV);
  if (config?.state === undefined) return undefined;
  const secret = config.host.secret(config.state as string | SecretRef, {
    path: "state",
    redact: (raw) => (isDatabaseUrl(raw) ? redactUrl(raw) : raw),
  });
  if (secret.missing) return undefined;
  return located(secret.reveal(), config.baseDir, "config state");
}

function located(raw: string, base: string, from: string): StateLocation {
  if (isDatabaseUrl(raw)) return { value: new Secret(raw, redactUrl(raw)), shown: redactUrl(raw), from };
  const path = isAbsolute(raw) ? raw : resolve(base, raw);
  return { value: new Secret(path, path), shown: path, from };
}

const ACTION_TEXT: Record<string, string> = {
  post: "posted",
  update: "updated in place",
  repost: "posted again (the earlier message was deleted)",
  nothing: "nothing sent",
  full: "sent in full",
};

/** `state:` lines after the report: what state did (or, in a dry run, would do) per destination. */
export function renderStateReport(s: StateReport, dryRun: boolean): string[] {
  const hidden = [
    s.muted ? `${s.muted} muted` : "",
    s.snoozed ? `${s.snoozed} snoozed` : "",
    s.acknowledged ? `${s.acknowledged} acknowledged` : "",
  ].filter(Boolean);
  const lines = [`state (${s.engine} ${s.location})${hidden.length ? `: ${hidden.join(", ")}` : ""}`];
  for (const d of s.destinations) {
    const what = dryRun
      ? `would be ${ACTION_TEXT[d.action]}`.replace("would be nothing sent", "would send nothing")
      : ACTION_TEXT[d.action];
    const counts = d.action === "full" ? "" : ` (${d.new} new, ${d.resolved} resolved)`;
    const reply = d.thread_reply ? (dryRun ? ", with a thread reply" : ", thread reply posted") : "";
    const name = d.route === d.target ? d.route : `${d.route} → ${d.target}`;
    lines.push(`  ${name}: ${what}${counts}${reply}${d.reason ? `: ${d.reason}` : ""}`);
  }
  return lines;
}
