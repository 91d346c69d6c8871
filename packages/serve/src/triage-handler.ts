/**
 * What a click or a slash command does. Every request is first checked: the configured team and
 * app, then the person (user ID, or a member of an allowed user group; per action). Anyone else
 * gets an ephemeral "not allowed" and nothing changes. A decision is applied once across
 * replicas (a store claim on the interaction), written to the store with the Slack user, then
 * the message is edited in place (the decided alert's buttons become who/what/when) and a thread
 * reply logs it. A click on an alert already decided shows the decision instead of a conflict.
 */
import {
  allowedFor,
  type InteractiveConfig,
  MUTE_REASONS,
  SNOOZE_CHOICES,
  TRIAGE_ACTIONS,
  type TriageAction,
  type TriageTarget,
  targetOfBlock,
} from "@socket-notify/slack-bot";
import { parseScopeKey, type ScopeRecord, seenMatches } from "@socket-notify/state";
import { errorText, type Inbound, type InboundHandler, type Reply } from "./dispatch.js";
import { type ServeLogger } from "./log.js";
import { type SlackApi } from "./slack-api.js";
import { type Decision, type DecisionStore, type DecisionTarget } from "./store.js";

const DAY_MS = 86_400_000;
/** Interaction ids are remembered for a day: Slack never redelivers one that late. */
const CLAIM_TTL_MS = DAY_MS;
const GROUP_CACHE_MS = 60_000;
export const DEFAULT_COMMAND = "/socket-notify";
export const DEFAULT_MUTE_DAYS = 90;
/** Lines per list in a slash command's answer (an ephemeral message stays readable). */
const MAX_LISTED = 25;

type Json = Record<string, unknown>;

export interface TriageOptions {
  config: InteractiveConfig;
  store: DecisionStore;
  slack: SlackApi;
  logger: ServeLogger;
  now?: () => number;
}

/** Slack mrkdwn: `&`, `<` and `>` are the control characters; report text never gets to make links or mentions. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const when = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

function reasonLabel(value: string | undefined): string | undefined {
  return MUTE_REASONS.find((r) => r.value === value)?.label.toLowerCase() ?? value;
}

/** "🔇 Muted (not affected) by <@U1> on 2026-12-02 10:00 UTC, until 2027-03-02 · mute-1a2b" */
export function describeDecision(d: Decision): string {
  const by = /^[UW][A-Z0-9]+$/.test(d.by) ? `<@${d.by}>` : esc(d.by);
  const until = d.until ? `, until ${d.until.slice(0, 10)}` : "";
  const head =
    d.kind === "ack"
      ? "✅ Acknowledged"
      : d.kind === "snooze"
        ? "💤 Snoozed"
        : `🔇 Muted${d.reason ? ` (${esc(reasonLabel(d.reason) ?? "")})` : ""}`;
  return `${head} by ${by} on ${when(d.at)}${until} · \`${esc(d.id)}\``;
}

function storeTarget(t: TriageTarget): DecisionTarget {
  return {
    ecosystem: t.ecosystem,
    ...(t.namespace ? { namespace: t.namespace } : {}),
    name: t.name,
    version: t.version,
    type: t.type,
    ...(t.repo ? { repo: t.repo } : {}),
    fingerprint: t.fingerprint,
  };
}

/** The decision in force for this alert in this repository, if any (a mute wins over a snooze over an ack). */
function decisionFor(decisions: readonly Decision[], t: TriageTarget): Decision | undefined {
  const rank = { mute: 0, snooze: 1, ack: 2 } as const;
  return decisions
    .filter(
      (d) =>
        d.target.fingerprint === t.fingerprint &&
        (d.target.repo === undefined || t.repo === undefined || d.target.repo.toLowerCase() === t.repo.toLowerCase()),
    )
    .sort((a, b) => rank[a.kind] - rank[b.kind])[0];
}

/** A living message's scope key, `<destination> <owner/repo> pr:<n>` or `… branch:<name>`, read back. */
function scopeWhere(key: string): { repo: string; where: string } | undefined {
  const k = parseScopeKey(key);
  return k && { repo: k.repo, where: k.pr !== undefined ? `PR #${k.pr}` : `(${k.branch})` };
}

interface OpenAlert {
  label: string;
  severity: string;
}

/**
 * Open alerts: what the last scan of each PR or branch showed in its living message (the store's
 * scopes), less any alert a decision in force now covers (muted, snoozed or acknowledged since).
 * An alert shown by two destinations for one PR is listed once.
 */
function openAlerts(
  scopes: readonly ScopeRecord[],
  decisions: readonly Decision[],
  repo: string | undefined,
): OpenAlert[] {
  const seen = new Set<string>();
  const open: OpenAlert[] = [];
  for (const scope of scopes) {
    const at = scopeWhere(scope.key);
    if (at === undefined || (repo !== undefined && at.repo.toLowerCase() !== repo)) continue;
    for (const a of scope.alerts) {
      const id = `${at.repo.toLowerCase()} ${at.where} ${a.fingerprint}`;
      if (seen.has(id) || decisions.some((d) => seenMatches(d.target, a, at.repo))) continue;
      seen.add(id);
      open.push({ label: `${a.package} ${a.type} (${a.severity}) in ${at.repo} ${at.where}`, severity: a.severity });
    }
  }
  return open;
}

export class TriageHandler implements InboundHandler {
  private readonly groups = new Map<string, { at: number; users: Set<string> }>();
  private readonly now: () => number;
  private readonly command: string;

  constructor(private readonly o: TriageOptions) {
    this.now = o.now ?? Date.now;
    this.command = o.config.command ?? DEFAULT_COMMAND;
  }

  handle(inbound: Inbound): Reply | Promise<Reply> {
    const p = inbound.payload;
    if (inbound.kind === "slash_commands") return this.slash(p).then((ack) => ({ ack }));
    if (inbound.kind !== "interactive" || p["type"] !== "block_actions") return {};
    const action = (p["actions"] as Json[] | undefined)?.[0];
    const id = typeof action?.["action_id"] === "string" ? action["action_id"] : "";
    const kind = (Object.keys(TRIAGE_ACTIONS) as TriageAction[]).find((k) => TRIAGE_ACTIONS[k] === id);
    // Not ours, or the link button (Slack still sends it once interactivity is on): ack, nothing else.
    if (kind === undefined || kind === "open" || action === undefined) return {};
    return { after: () => this.decide(inbound, p, kind, action) };
  }

  /** The configured team and app, and the person on the action's allow-list; else why not. */
  private async refusal(p: Json, user: string, action: TriageAction | "unmute" | "read"): Promise<string | undefined> {
    const team = (p["team"] as Json | undefined)?.["id"] ?? p["team_id"];
    if (team !== this.o.config.team_id || p["api_app_id"] !== this.o.config.app_id) return "wrong team or app";
    const lists =
      action === "read"
        ? (["ack", "snooze", "mute"] as const).flatMap((a) => allowedFor(this.o.config, a))
        : allowedFor(this.o.config, action);
    if (lists.includes(user)) return undefined;
    for (const id of lists) if (id.startsWith("S") && (await this.groupMembers(id)).has(user)) return undefined;
    return "not on the allow-list";
  }

  private async groupMembers(group: string): Promise<Set<string>> {
    const cached = this.groups.get(group);
    if (cached !== undefined && this.now() - cached.at < GROUP_CACHE_MS) return cached.users;
    try {
      const r = await this.o.slack.call("usergroups.users.list", { usergroup: group });
      const users = new Set((r["users"] as string[] | undefined) ?? []);
      this.groups.set(group, { at: this.now(), users });
      return users;
    } catch (e) {
      // Fail closed: an unreadable group admits nobody (and says so in the log).
      this.o.logger.log("warn", "usergroup_unreadable", { group, error: errorText(e) });
      return new Set();
    }
  }

  private async tell(p: Json, text: string): Promise<void> {
    const url = p["response_url"];
    if (typeof url !== "string") return;
    try {
      await this.o.slack.respond(url, { response_type: "ephemeral", replace_original: false, text });
    } catch (e) {
      this.o.logger.log("warn", "respond_failed", { error: errorText(e) });
    }
  }

  private async decide(inbound: Inbound, p: Json, kind: TriageAction, action: Json): Promise<void> {
    const user = String((p["user"] as Json | undefined)?.["id"] ?? "");
    const fields = { action: kind, user, transport: inbound.transport };
    const refused = await this.refusal(p, user, kind);
    if (refused !== undefined) {
      this.o.logger.log("warn", "action_refused", { ...fields, reason: refused });
      await this.tell(p, "🚫 You are not allowed to do that here: nothing was changed.");
      return;
    }
    const message = p["message"] as Json | undefined;
    const blocks = (message?.["blocks"] as Json[] | undefined) ?? [];
    const blockId = action["block_id"];
    const target = targetOfBlock(blocks.find((b) => b["block_id"] === blockId));
    const container = p["container"] as Json | undefined;
    const channel = String(container?.["channel_id"] ?? (p["channel"] as Json | undefined)?.["id"] ?? "");
    const ts = String(container?.["message_ts"] ?? message?.["ts"] ?? "");
    if (target === undefined || !channel || !ts) {
      this.o.logger.log("warn", "action_unknown_target", fields);
      await this.tell(p, "This button is not on a socket-notify alert row: nothing was changed.");
      return;
    }
    // Applied once: the same click delivered twice, or to two replicas, passes here only once.
    if (!(await this.o.store.claim(`slack-interaction ${inbound.key}`, CLAIM_TTL_MS))) {
      this.o.logger.log("info", "action_duplicate", fields);
      return;
    }
    const choice = (action["selected_option"] as Json | undefined)?.["value"];
    await this.o.store.withLock(`message ${channel} ${ts}`, async () => {
      const existing = decisionFor(await this.o.store.decisions(), target);
      if (existing !== undefined) {
        this.o.logger.log("info", "action_already_decided", { ...fields, decision: existing.id });
        await this.refresh(channel, ts, message, blocks);
        await this.tell(p, `Already decided: ${describeDecision(existing)}`);
        return;
      }
      const now = this.now();
      let decision: Decision;
      if (kind === "ack")
        decision = await this.o.store.addDecision({
          kind: "ack",
          target: storeTarget(target),
          by: user,
          at: new Date(now).toISOString(),
        });
      else if (kind === "snooze") {
        const c = SNOOZE_CHOICES.find((s) => s.value === choice);
        if (c === undefined) return this.tell(p, "Unknown snooze choice: nothing was changed.");
        decision = await this.o.store.addDecision({
          kind: "snooze",
          target: storeTarget(target),
          by: user,
          at: new Date(now).toISOString(),
          reason: `snoozed for ${c.label}`,
          until: new Date(now + c.days * DAY_MS).toISOString(),
        });
      } else {
        const r = MUTE_REASONS.find((m) => m.value === choice);
        if (r === undefined) return this.tell(p, "Unknown mute reason: nothing was changed.");
        decision = await this.o.store.addDecision({
          kind: "mute",
          target: storeTarget(target),
          by: user,
          at: new Date(now).toISOString(),
          reason: r.value,
          until: new Date(now + (this.o.config.mute_days ?? DEFAULT_MUTE_DAYS) * DAY_MS).toISOString(),
        });
      }
      this.o.logger.log("info", "decided", { ...fields, decision: decision.id, kind: decision.kind });
      const updated = await this.refresh(channel, ts, message, blocks);
      const line = `${describeDecision(decision)}: ${esc(target.package)} ${esc(target.type)}${target.repo ? ` in ${esc(target.repo)}` : ""}`;
      const note = updated ? line : `${line}\n⚠️ The alert message could not be updated; the decision is saved.`;
      try {
        await this.o.slack.call("chat.postMessage", { channel, thread_ts: ts, text: note });
      } catch (e) {
        this.o.logger.log("warn", "thread_reply_failed", { ...fields, error: errorText(e) });
      }
    });
  }

  /**
   * Rewrites the message from the store: every triage row whose alert has a decision becomes a
   * line saying who decided what and when (its buttons gone). Rows are matched by the store, not
   * by this click, so two clicks on one message never undo each other. False when chat.update failed.
   */
  private async refresh(channel: string, ts: string, message: Json | undefined, blocks: Json[]): Promise<boolean> {
    const decisions = await this.o.store.decisions();
    let changed = false;
    const next = blocks.map((b) => {
      const t = targetOfBlock(b);
      const d = t === undefined ? undefined : decisionFor(decisions, t);
      if (d === undefined) return b;
      changed = true;
      return { type: "context", elements: [{ type: "mrkdwn", text: describeDecision(d) }] };
    });
    if (!changed) return true;
    try {
      await this.o.slack.call("chat.update", { channel, ts, text: String(message?.["text"] ?? ""), blocks: next });
      return true;
    } catch (e) {
      this.o.logger.log("warn", "message_update_failed", { channel, error: errorText(e) });
      return false;
    }
  }

  /** `/socket-notify help | status [owner/repo] | mutes | unmute ID | expire ID <days>d`: ephemeral answers. */
  private async slash(p: Json): Promise<Json> {
    const reply = (text: string) => ({ response_type: "ephemeral", text });
    const user = String(p["user_id"] ?? "");
    const cmd = String(p["command"] ?? "");
    if (cmd !== this.command) return reply(`Unknown command ${esc(cmd)}: this app answers ${this.command}.`);
    const [sub = "help", ...args] = String(p["text"] ?? "")
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    const write = sub === "unmute" || sub === "expire";
    if (sub !== "help") {
      const refused = await this.refusal(p, user, write ? "unmute" : "read");
      if (refused !== undefined) {
        this.o.logger.log("warn", "command_refused", { sub, user, reason: refused });
        return reply("🚫 You are not allowed to do that here: nothing was changed.");
      }
    }
    this.o.logger.log("info", "command", { sub, user });
    switch (sub) {
      case "status": {
        const repo = args[0]?.toLowerCase();
        const all = await this.o.store.decisions();
        const ds = all.filter(
          (d) => repo === undefined || d.target.repo === undefined || d.target.repo.toLowerCase() === repo,
        );
        // Only the scopes it lists (the repository's, when one is named), not the whole store.
        const open = openAlerts(await this.o.store.scopes(repo === undefined ? {} : { repo }), all, repo);
        const openHead = open.length
          ? `*Open alerts${repo ? ` in ${esc(repo)}` : ""}: ${open.length}* (as of each PR's or branch's last scan; not muted, snoozed or acknowledged)`
          : `No open alerts${repo ? ` in ${esc(repo)}` : ""} (as of each PR's or branch's last scan).`;
        const openLines = open.slice(0, MAX_LISTED).map((a) => `• ${esc(a.label)}`);
        if (open.length > MAX_LISTED) openLines.push(`…and ${open.length - MAX_LISTED} more.`);
        const count = (k: string) => ds.filter((d) => d.kind === k).length;
        const head = `*Decisions in force${repo ? ` for ${esc(repo)}` : ""}:* ${count("mute")} muted, ${count("snooze")} snoozed, ${count("ack")} acknowledged.`;
        return reply([openHead, ...openLines, "", head, ...this.lines(ds)].join("\n"));
      }
      case "mutes": {
        const mutes = (await this.o.store.decisions()).filter((d) => d.kind === "mute");
        return reply(mutes.length ? ["Mutes in force:", ...this.lines(mutes)].join("\n") : "No mutes in force.");
      }
      case "unmute": {
        const id = args[0];
        if (id === undefined) return reply(`Usage: ${this.command} unmute ID (the IDs are in ${this.command} mutes).`);
        const found = (await this.o.store.decisions({ includeExpired: true })).find((d) => d.id === id);
        if (found === undefined || found.kind !== "mute")
          return reply(`No mute ${esc(id)}: see ${this.command} mutes.`);
        await this.o.store.removeDecision(id);
        this.o.logger.log("info", "unmuted", { decision: id, user });
        return reply(`Unmuted \`${esc(id)}\` (${esc(this.targetText(found))}): the next scan shows it again.`);
      }
      case "expire": {
        const [id, span] = args;
        const days = /^(\d{1,4})d$/.exec(span ?? "")?.[1];
        if (id === undefined || days === undefined || Number(days) < 1)
          return reply(`Usage: ${this.command} expire ID <days>d, e.g. expire mute-1a2b 30d`);
        const found = (await this.o.store.decisions()).find((d) => d.id === id);
        if (found === undefined || found.kind !== "mute")
          return reply(`No mute ${esc(id)}: see ${this.command} mutes.`);
        const until = new Date(this.now() + Number(days) * DAY_MS).toISOString();
        await this.o.store.removeDecision(id);
        await this.o.store.addDecision({ ...found, until });
        this.o.logger.log("info", "mute_expiry_changed", { decision: id, user, until });
        return reply(`Mute \`${esc(id)}\` now ends ${day(Date.parse(until))}.`);
      }
      default:
        return reply(
          [
            `${this.command} status [owner/repo]: open alerts (as of the last scan) and the decisions in force`,
            `${this.command} mutes: the mutes in force, with their IDs`,
            `${this.command} unmute ID: remove a mute; the next scan shows the alert again`,
            `${this.command} expire ID <days>d: change when a mute ends (buttons mute for ${this.o.config.mute_days ?? DEFAULT_MUTE_DAYS} days)`,
            `${this.command} help: this list`,
          ].join("\n"),
        );
    }
  }

  private targetText(d: Decision): string {
    const t = d.target;
    const pkg = t.name
      ? `${t.ecosystem ?? ""}/${t.namespace ? `${t.namespace}/` : ""}${t.name}${t.version ? `@${t.version}` : ""}`
      : (t.fingerprint ?? "?");
    return `${pkg}${t.type ? ` ${t.type}` : ""}${t.repo ? ` in ${t.repo}` : ""}`;
  }

  private lines(ds: readonly Decision[]): string[] {
    const shown = ds.slice(0, MAX_LISTED).map((d) => `• ${esc(this.targetText(d))}: ${describeDecision(d)}`);
    if (ds.length > shown.length)
      shown.push(`…and ${ds.length - shown.length} more (socket-notify mutes / state export list all).`);
    return shown;
  }
}
