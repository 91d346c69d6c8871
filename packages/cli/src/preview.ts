import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Plan, type ScanContext } from "@socket-notify/core";
import { type PreviewGroup, type PreviewMessage, renderPage } from "@socket-notify/preview";
import { describeFilter, summariseReasons } from "./render.js";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * The preview page of a plan: per destination, exactly the payloads `send` would post, in
 * order, continuation pages as thread replies where the notifier threads them (as the delivery
 * engine does: pages after the first reply to the destination's last first page), and beside
 * them the route, filter and what it left out.
 */
export function previewPage(plan: Plan, shown: { input: string; config: string }, warnings: readonly string[]): string {
  const threads = plan.capabilities.threads;
  const groups: PreviewGroup[] = plan.destinations.map((d) => {
    const dest = d.destination;
    const details = [`route ${dest.route} (${dest.configPath})`, `filter: ${describeFilter(dest.filter)}`];
    details.push(
      d.messages.length
        ? `${plural(d.matched.length, "alert")} routed here, in ${plural(d.messages.length, "message")}`
        : "no alerts matched: nothing is sent here",
    );
    if (d.build.omitted) details.push(`${d.build.omitted} more than fit counted in the last message`);
    details.push(
      d.excluded.count
        ? `${plural(d.excluded.count, "alert")} excluded: ${summariseReasons(d.excluded.reasons)}`
        : "0 alerts excluded",
    );
    if (threads && d.messages.length > 1) details.push("pages after the first are sent as thread replies");
    const messages: PreviewMessage[] = [];
    let parent: PreviewMessage | undefined;
    for (const m of d.messages) {
      const shown: PreviewMessage = {
        payload: m.payload,
        // What the notifier sends when it has its own format (Discord), not its Block Kit record.
        ...(m.native ? { native: m.native } : {}),
        label: `message ${m.index} of ${m.count}${m.kind === "reachability" ? " · reachability summary" : ""} · ${plural(m.alerts.length, "alert")}`,
      };
      if (threads && m.index > 1 && parent) (parent.replies ??= []).push(shown);
      else messages.push(shown);
      if (m.index === 1) parent = shown;
    }
    return {
      title: dest.route === dest.target ? dest.route : `${dest.route} → ${dest.target}`,
      details,
      empty: "Nothing is sent to this destination.",
      messages,
    };
  });
  const a = plan.alerts;
  const total = plan.destinations.reduce((n, d) => n + d.messages.length, 0);
  return renderPage({
    title: "socket-notify preview",
    summary: [
      `${shown.input}: ${plural(a.total, "alert")}${a.duplicatesMerged ? ` (${a.duplicatesMerged} duplicates merged)` : ""}, ${a.matched} routed · mode ${plan.mode} · config ${shown.config}`,
      [where(plan.context), `${plural(total, "message")} to ${plural(plan.destinations.length, "destination")}`]
        .filter(Boolean)
        .join(" · "),
      plan.enabled
        ? "Nothing has been sent: this is what socket-notify send would post."
        : "enabled is false: send would post nothing; shown is what it would post if enabled.",
    ],
    warnings,
    groups,
  });
}

function where(c: ScanContext): string {
  return [c.repo && `repo ${c.repo}`, c.branch && `branch ${c.branch}`, c.pr && `PR #${c.pr}`]
    .filter(Boolean)
    .join(" · ");
}

/** A fresh private directory for `--open`'s page (mode 0700: other users can't swap the file). */
export function openTarget(): string {
  return join(mkdtempSync(join(tmpdir(), "socket-notify-preview-")), "preview.html");
}

/**
 * Opens the page in the desktop's browser (xdg-open on Linux and BSD, open on macOS); false
 * when there is no opener or it fails to start, so the caller prints the path instead.
 */
export function openInBrowser(path: string, env: Record<string, string | undefined>): Promise<boolean> {
  const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? undefined : "xdg-open";
  if (opener === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(opener, [path], { stdio: "ignore", detached: true, env: env as NodeJS.ProcessEnv });
    child.once("error", () => resolve(false));
    child.once("spawn", () => {
      child.unref();
      resolve(true);
    });
  });
}
