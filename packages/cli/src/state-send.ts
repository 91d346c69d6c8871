/**
 * `send` with a state store: what this run does differs from the stateless plan by what earlier
 * runs did. It works at the engine's plan -> deliver seam:
 *
 * 1. Decisions: muted and snoozed alerts are left out (and counted); acknowledged ones are shown
 *    as such.
 * 2. Per destination with `notify: changes` (the default) and a known repository + PR (or branch):
 *    - a webhook gets only the alerts that are new since the last run; nothing new, nothing sent;
 *    - a bot keeps one living message: posted once, then edited in place (new alerts marked,
 *      resolved ones listed, counts at the top), with a thread reply when alerts are new; a
 *      message deleted in Slack is posted again and remembered. Later pages (thread replies) are
 *      edited in place too; ones no longer needed are emptied and kept for reuse.
 * 3. Every destination's lock is held from reading its scope to recording what was sent, so two
 *    runs for one PR at once make one living message and lose no update.
 */
import { randomBytes } from "node:crypto";
import {
  type Alert,
  type DeliveryReport,
  type Destination,
  type MessageOutcome,
  type OutboundMessage,
  type Plan,
  type PlannedDestination,
  plannedMessages,
  type RunResult,
  type ScanContext,
  type ScanInput,
  type SocketNotifyEngine,
  withFields,
} from "@socket-notify/core";
import { ALERT_TITLE_MAX_CHARS, truncate } from "@socket-notify/core/internal";
import {
  alertFingerprint,
  type Decision,
  type LivingMessage,
  type ScopeRecord,
  scopeKey,
  type SeenAlert,
  seenAlert,
  type StateStore,
  targetMatches,
} from "@socket-notify/state";

/** For `send`: main.ts loads this module (and with it the store) only when state is configured. */
export { openStateStore } from "@socket-notify/state";

type RunOptions = NonNullable<Parameters<SocketNotifyEngine["run"]>[1]>;

export type StateAction = "post" | "update" | "repost" | "nothing" | "full";

export interface DestinationStateReport {
  route: string;
  target: string;
  /** post: a first (living) message; update: edited in place; repost: it was gone, posted again; nothing; full: no state used. */
  action: StateAction;
  /** A thread reply announces new alerts (bot, update). */
  thread_reply: boolean;
  new: number;
  resolved: number;
  reason?: string;
}

export interface StateReport {
  location: string;
  engine: string;
  muted: number;
  snoozed: number;
  acknowledged: number;
  destinations: DestinationStateReport[];
  warnings: string[];
}

interface Work {
  planned: PlannedDestination;
  key: string | undefined;
  living: boolean;
  report: DestinationStateReport;
  current: SeenAlert[];
  prior?: ScopeRecord;
  /** Matched alerts an earlier run already sent here and this run does not send again. */
  unchanged: number;
}

const NEW_MARK = "🆕 ";
const MAX_RESOLVED_LISTED = 10;
/** Slack's blocks per message. */
const MAX_BLOCKS = 50;

export async function runWithState(
  engine: SocketNotifyEngine,
  store: StateStore,
  input: ScanInput,
  options: RunOptions,
): Promise<RunResult & { state: StateReport }> {
  const ctx: ScanContext = { ...input.context, ...definedOnly(options.context ?? {}) };
  const decisions = await store.decisions();
  const { kept, muted, snoozed, acknowledged, hiddenIds } = applyDecisions(input.alerts, decisions, ctx.repo);
  const shown: ScanInput = { ...input, alerts: kept };
  const living = engine.capabilities.update;
  const state: StateReport = {
    location: store.location,
    engine: store.engine,
    muted,
    snoozed,
    acknowledged: acknowledged.size,
    destinations: [],
    warnings: [],
  };
  const hidden = { muted, snoozed, acknowledged: acknowledged.size, ids: hiddenIds };
  // Per configured destination (plans list them in the same order, before and after `prepare`).
  const keyOf = engine.destinations.map((d) =>
    (d.filter.notify ?? "changes") === "changes"
      ? scopeKey({ destination: `${d.route}/${d.target}`, repo: ctx.repo, pr: ctx.pr, branch: ctx.branch })
      : undefined,
  );
  if (engine.destinations.some((d, i) => (d.filter.notify ?? "changes") === "changes" && !keyOf[i]))
    state.warnings.push(
      "state: the run names no repository and PR or branch, so destinations get every alert as without state",
    );
  const keys = [...new Set(keyOf.filter((k): k is string => k !== undefined))].sort();
  const dryRun = options.dryRun === true;
  let work: Work[] = [];

  /** The plan made stateful: priors read (under the locks), each destination's messages reshaped. */
  const reshape = async (plan: Plan): Promise<OutboundMessage[]> => {
    work = plan.destinations.map((planned, i) => {
      const d = engine.destinations[i] ?? planned.destination;
      const notify = d.filter.notify ?? "changes";
      const report: DestinationStateReport = {
        route: d.route,
        target: d.target,
        action: "full",
        thread_reply: false,
        new: 0,
        resolved: 0,
      };
      if (notify === "changes" && !keyOf[i])
        report.reason = "the run names no repository and PR or branch: sent in full";
      if (notify === "always") report.reason = "notify: always";
      return { planned, key: keyOf[i], living, report, current: planned.matched.map(seenAlert), unchanged: 0 };
    });
    for (const w of work.filter((x) => x.key !== undefined)) {
      w.prior = await store.getScope(w.key as string);
      shape(engine, shown, options, plan, w, acknowledged, ctx, hidden);
    }
    return plannedMessages(plan);
  };

  const body = async (): Promise<RunResult> => {
    if (dryRun) {
      const plan = engine.plan(shown, options);
      await reshape(plan);
      return {
        plan,
        outcomes: [],
        report: counted(engine.report(plan, undefined, plan.enabled ? "dry-run" : "skipped")),
      };
    }
    const result = await engine.run(shown, { ...options, select: reshape });
    const { plan } = result;
    let outcomes = result.outcomes;
    // Deleted in Slack (message_not_found): a living message is posted again (without the thread
    // reply) and remembered; so is a later page, in the thread (an emptied page is let go).
    const gone = (m: OutboundMessage) => {
      const o = outcomes.find((x) => x.message === m);
      return o !== undefined && !o.ok && o.failure?.code === "message_not_found";
    };
    const again = new Map<Work, Map<OutboundMessage, OutboundMessage>>();
    for (const w of work.filter((x) => x.report.action === "update")) {
      const [first, ...later] = w.planned.messages;
      const fresh = new Map<OutboundMessage, OutboundMessage>();
      if (first && gone(first)) {
        for (const m of w.planned.messages.filter((x) => !isReply(x) && !isCleared(x))) {
          const { updateTs: _u, threadTs: _t, ...rest } = m;
          fresh.set(m, rest as OutboundMessage);
        }
        w.report.action = "repost";
        w.report.thread_reply = false;
      } else
        for (const m of later.filter((x) => x.updateTs && !isReply(x) && !isCleared(x) && gone(x))) {
          const { updateTs: _u, ...rest } = m;
          fresh.set(m, { ...rest, threadTs: w.prior?.message?.ts } as OutboundMessage);
        }
      if (fresh.size) again.set(w, fresh);
    }
    if (again.size) {
      const prepared = await engine.prepare(options, [
        ...new Set(
          [...again.keys()].map((w) => engine.destinations[plan.destinations.indexOf(w.planned)] as Destination),
        ),
      ]);
      try {
        const retried = await engine.deliver(
          prepared,
          [...again.values()].flatMap((f) => [...f.values()]),
          options,
        );
        const replaced = new Set([...again.values()].flatMap((f) => [...f.keys()]));
        outcomes = [...outcomes.filter((o) => !replaced.has(o.message)), ...retried];
      } finally {
        prepared.close();
      }
      for (const [w, fresh] of again)
        w.planned.messages =
          w.report.action === "repost" ? [...fresh.values()] : w.planned.messages.map((m) => fresh.get(m) ?? m);
    }
    for (const w of work.filter((x) => x.key !== undefined)) await record(store, w, outcomes, ctx, state);
    return { plan, outcomes, report: counted(engine.report(plan, outcomes, "sent")) };
  };
  /**
   * Per destination state applies to, `alerts` counts what this run sends there and `unchanged`
   * the known alerts it does not send again (a webhook's old ones; a living message that already
   * shows them): the engine's report counts every matched alert, which reads as "sent".
   */
  const counted = (report: DeliveryReport): DeliveryReport => ({
    ...report,
    destinations: report.destinations.map((d, i) => {
      const w = work[i];
      if (w?.key === undefined) return d;
      const { route, target, alerts, ...rest } = d;
      return { route, target, alerts: alerts - w.unchanged, unchanged: w.unchanged, ...rest };
    }),
  });

  // Locks in one order (sorted keys), so two runs never wait on each other crosswise.
  const locked = (i: number): Promise<RunResult> =>
    i >= keys.length || dryRun ? body() : store.withLock(`living ${keys[i]}`, () => locked(i + 1), { waitMs: 300_000 });
  const result = await locked(0);
  state.destinations = work.map((w) => w.report);
  return { ...result, state };
}

function isReply(m: OutboundMessage): boolean {
  return (m as OutboundMessage & { stateReply?: boolean }).stateReply === true;
}

/** Muted and snoozed alerts out (counted), acknowledged ones kept and named. */
export function applyDecisions(
  alerts: Alert[],
  decisions: Decision[],
  repo: string | undefined,
): {
  kept: Alert[];
  muted: number;
  snoozed: number;
  acknowledged: Map<string, Decision>;
  /** Fingerprints of the muted and snoozed alerts: still in the report, so not "resolved". */
  hiddenIds: Set<string>;
} {
  let muted = 0;
  let snoozed = 0;
  const acknowledged = new Map<string, Decision>();
  const hiddenIds = new Set<string>();
  const kept: Alert[] = [];
  for (const a of alerts) {
    const hits = decisions.filter((d) => targetMatches(d.target, a, repo));
    if (hits.some((d) => d.kind === "mute" || d.kind === "snooze")) {
      if (hits.some((d) => d.kind === "mute")) muted++;
      else snoozed++;
      hiddenIds.add(alertFingerprint(a));
    } else {
      const ack = hits.find((d) => d.kind === "ack");
      if (ack) acknowledged.set(alertFingerprint(a), ack);
      kept.push(a);
    }
  }
  return { kept, muted, snoozed, acknowledged, hiddenIds };
}

/** Replaces a stateful destination's planned messages with what state makes of them. */
function shape(
  engine: SocketNotifyEngine,
  shown: ScanInput,
  options: RunOptions,
  plan: Plan,
  w: Work,
  acknowledged: Map<string, Decision>,
  ctx: ScanContext,
  hidden: ExtraCounts,
): void {
  const index = plan.destinations.indexOf(w.planned);
  const before = new Set((w.prior?.alerts ?? []).map((a) => a.fingerprint));
  const now = new Set(w.current.map((a) => a.fingerprint));
  const fresh = w.planned.matched.filter((a) => !before.has(alertFingerprint(a)));
  // A muted or snoozed alert left the message but not the report: it is counted, not resolved.
  const resolved = (w.prior?.alerts ?? []).filter((a) => !now.has(a.fingerprint) && !hidden.ids.has(a.fingerprint));
  w.report.new = w.prior ? fresh.length : w.current.length;
  w.report.resolved = resolved.length;
  const replan = (alerts: Alert[]) =>
    engine.plan(
      { ...shown, alerts },
      options,
      plan.destinations.map((x) => x.destination),
    ).destinations[index] as PlannedDestination;

  if (!w.living) {
    // Webhooks cannot edit: only what is new since the last run for this repository and PR.
    if (w.prior && !fresh.length) {
      w.planned.messages = [];
      w.unchanged = w.planned.matched.length;
      w.report.action = "nothing";
      w.report.reason = "no new alerts since the last run";
      return;
    }
    if (w.prior) {
      // Only the new ones: their messages, and what max_messages left out of those.
      const only = replan(fresh);
      w.planned.messages = only.messages;
      w.planned.build = only.build;
      w.unchanged = w.planned.matched.length - fresh.length;
    }
    w.report.action = w.planned.messages.length ? "post" : "nothing";
    if (!w.planned.messages.length) w.report.reason = "no alerts";
    return;
  }

  const message = w.prior?.message;
  // Decided since the last run (serve's buttons, mute): shown last time, hidden now, or acknowledged since.
  const since = Date.parse(w.prior?.updatedAt ?? "");
  const decided =
    w.prior?.alerts.some((a) => hidden.ids.has(a.fingerprint)) ||
    w.current.some((a) => Date.parse(acknowledged.get(a.fingerprint)?.at ?? "") > since);
  // A new commit with the same alerts still edits the message: it names the commit it shows.
  const sameCommit = !ctx.commitSha || w.prior?.commit === ctx.commitSha;
  const unchanged = w.prior && !fresh.length && !resolved.length && !decided && sameCommit;
  if (!message && !w.current.length) {
    w.planned.messages = [];
    w.report.action = "nothing";
    w.report.reason = "no alerts";
    return;
  }
  const freshIds = new Set(fresh.map(alertFingerprint));
  const mention = randomBytes(6).toString("hex");
  const marked = w.planned.matched.map((a) => {
    const fp = alertFingerprint(a);
    const ack = acknowledged.get(fp);
    let title = a.title;
    if (message && freshIds.has(fp)) title = `${NEW_MARK}${title}`;
    if (ack) title = withNote(title, ` (acknowledged by ${ackedBy(ack.by, mention)})`);
    return title === a.title ? a : withFields(a, { title });
  });
  let messages = marked.length ? replan(marked).messages : [allResolvedMessage(w, resolved, ctx)];
  // Unchanged, and every page is there (a page reply missing since the last run is posted now).
  if (message && unchanged && (message.pages?.length ?? 0) === messages.length - 1) {
    w.planned.messages = [];
    w.unchanged = w.planned.matched.length;
    w.report.action = "nothing";
    w.report.reason = "the living message already shows these alerts";
    return;
  }
  const counts = countsLine(w.current.length, message ? fresh.length : 0, resolved.length, hidden);
  messages = messages.map((m, i) => withMentions(i === 0 ? decorate(m, counts, resolved) : m, mention));
  if (message) {
    messages[0] = { ...(messages[0] as OutboundMessage), updateTs: message.ts };
    // Later pages are thread replies earlier runs posted: edit them in place too (spare ones
    // next, then a page no reply holds yet is posted), and empty the ones this run no longer needs.
    const pages = message.pages ?? [];
    const replies = [...pages, ...(message.spare ?? [])];
    messages = messages.map((m, i) => (i > 0 && replies[i - 1] ? { ...m, updateTs: replies[i - 1] as string } : m));
    for (let i = messages.length - 1; i < pages.length; i++)
      messages.push(clearedPage(w, pages[i] as string, i + 2, message.ts));
    w.report.action = "update";
    if (fresh.length) {
      const commit = ctx.commitSha ? ` in ${ctx.commitSha.slice(0, 7)}` : "";
      const text = `${fresh.length} new alert${fresh.length === 1 ? "" : "s"}${commit}: ${fresh
        .slice(0, 5)
        .map((a) => `${a.ecosystem}/${a.namespace ? `${a.namespace}/` : ""}${a.name}@${a.version} (${a.type})`)
        .join(", ")}${fresh.length > 5 ? ", …" : ""}`;
      const reply: OutboundMessage & { stateReply: true } = {
        key: `${baseKey(w)}/state-reply`,
        destination: w.planned.destination,
        kind: "alerts",
        alerts: fresh,
        index: 1,
        count: 1,
        threadTs: message.ts,
        payload: {
          text: plain(text),
          blocks: [{ type: "section", text: { type: "mrkdwn", text: escapeMrkdwn(text) } }],
          unfurl_links: false,
          unfurl_media: false,
        },
        stateReply: true,
      };
      messages.push(reply);
      w.report.thread_reply = true;
    }
  } else w.report.action = "post";
  w.planned.messages = messages;
}

interface ExtraCounts {
  muted: number;
  snoozed: number;
  acknowledged: number;
  ids: Set<string>;
}

function countsLine(total: number, fresh: number, resolved: number, e: ExtraCounts): string {
  const parts = [`${total} alert${total === 1 ? "" : "s"}`];
  if (fresh) parts.push(`${fresh} new`);
  if (resolved) parts.push(`${resolved} resolved`);
  if (e.muted) parts.push(`${e.muted} muted`);
  if (e.snoozed) parts.push(`${e.snoozed} snoozed`);
  if (e.acknowledged) parts.push(`${e.acknowledged} acknowledged`);
  return parts.join(" · ");
}

function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function plain(s: string): string {
  return s.slice(0, 3000);
}

/** Counts right under the header; the resolved alerts listed at the end (bounded by Slack's 50 blocks). */
function decorate(m: OutboundMessage, counts: string, resolved: SeenAlert[]): OutboundMessage {
  const blocks = [...(m.payload.blocks ?? [])];
  const at = blocks[0] && (blocks[0] as { type?: string }).type === "header" ? 1 : 0;
  const elements: unknown[] = [{ type: "mrkdwn", text: escapeMrkdwn(counts) }];
  // A full page (one block per package entry) has no room for another block: the counts then
  // share one small-text line with the page's type keys (a context block holds up to 10 elements).
  const last = blocks.length - 1;
  const tail = blocks[last] as { type?: string; elements?: unknown[] } | undefined;
  if (blocks.length >= MAX_BLOCKS && tail?.type === "context" && (tail.elements?.length ?? 10) < 10) {
    elements.push(...(tail.elements as unknown[]));
    blocks.splice(last, 1);
  }
  blocks.splice(at, 0, { type: "context", elements } as unknown as (typeof blocks)[number]);
  if (resolved.length && blocks.length < MAX_BLOCKS) {
    const list = resolved
      .slice(0, MAX_RESOLVED_LISTED)
      .map((a) => `• ~${escapeMrkdwn(`${a.package} ${a.type}`)}~`)
      .join("\n");
    const more = resolved.length > MAX_RESOLVED_LISTED ? `\n…and ${resolved.length - MAX_RESOLVED_LISTED} more` : "";
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: `*✅ Resolved since the last run (${resolved.length})*\n${list}${more}`.slice(0, 3000),
      },
    } as (typeof blocks)[number]);
  }
  return { ...m, payload: { ...m.payload, text: `${counts} · ${m.payload.text}`.slice(0, 4000), blocks } };
}

/** A stable key for a message state adds: the scope's, which names destination, repository and PR. */
function baseKey(w: Work): string {
  return (w.key ?? w.planned.destination.route).replace(/[%/]/g, (c) => (c === "%" ? "%25" : "%2F"));
}

function allResolvedMessage(w: Work, resolved: SeenAlert[], ctx: ScanContext): OutboundMessage {
  const where = `${ctx.repo ?? ""}${ctx.pr ? ` PR #${ctx.pr}` : ctx.branch ? ` (${ctx.branch})` : ""}`;
  const text = `✅ All Socket alerts resolved in ${where}`;
  return {
    key: `${baseKey(w)}/all-resolved`,
    destination: w.planned.destination,
    kind: "alerts",
    alerts: [],
    index: 1,
    count: 1,
    payload: {
      text: `${text} (${resolved.length} since the last run)`,
      blocks: [{ type: "section", text: { type: "mrkdwn", text: `*${escapeMrkdwn(text)}*` } }],
      unfurl_links: false,
      unfurl_media: false,
    },
  };
}

/**
 * A title with a note after it, both within the layout's title length: the title part is cut
 * (ending in "…"), never the note, so "(acknowledged by …)" is not lost on a long title. The
 * layout still escapes both. Whitespace runs count as one, as the layout shows them.
 */
function withNote(title: string, note: string): string {
  const squash = (s: string) => s.replace(/\s+/g, " ");
  const n = squash(note);
  return `${truncate(squash(title).trim(), ALERT_TITLE_MAX_CHARS - n.length)}${n}`;
}

/** Room for the title beside an acknowledgement: a longer `--by` name is cut. */
const MAX_BY_CHARS = 60;

/**
 * Who acknowledged: a Slack user ID (what serve records) becomes a mention, as serve shows it.
 * The title is report text the layout escapes, so the ID goes in as a marker only this run knows
 * (a report's own text cannot forge one) and `withMentions` turns it into `<@U…>` after rendering.
 * Anything else (`--by octocat`) stays plain, escaped text.
 */
function ackedBy(by: string, nonce: string): string {
  return SLACK_USER_ID.test(by) ? `${MARK}${nonce}:${by}${MARK}` : truncate(by, MAX_BY_CHARS);
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;
/** U+2063 INVISIBLE SEPARATOR: brackets the marker; never shown (a marker is always replaced). */
const MARK = "\u2063";

/** Markers to mentions in mrkdwn text (and the notification text); any other string gets the bare ID. */
function withMentions(m: OutboundMessage, nonce: string): OutboundMessage {
  const whole = new RegExp(`${MARK}${nonce}:([UW][A-Z0-9]+)${MARK}`, "g");
  // A marker a layout cut short (one that cuts titles shorter than core's) is dropped, never shown half.
  const cut = new RegExp(`${MARK}${nonce}[^${MARK}]*(${MARK}|$)`, "g");
  const fix = (text: string, mrkdwn: boolean) =>
    text.includes(MARK) ? text.replace(whole, mrkdwn ? "<@$1>" : "$1").replace(cut, "") : text;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    const mrkdwn = o["type"] === "mrkdwn";
    return Object.fromEntries(
      // Every string: a button's value carries the title too (bare ID there, as in plain text).
      Object.entries(o).map(([k, x]) => [k, typeof x === "string" ? fix(x, mrkdwn && k === "text") : walk(x)]),
    );
  };
  const { payload } = m;
  if (!JSON.stringify(payload).includes(nonce)) return m;
  return {
    ...m,
    payload: {
      ...payload,
      ...(payload.blocks ? { blocks: walk(payload.blocks) as typeof payload.blocks } : {}),
      ...(typeof payload.text === "string" ? { text: fix(payload.text, true) } : {}),
    },
  };
}

/** An earlier run's later page this run no longer needs: edited to say so (the bot cannot delete it). */
function clearedPage(w: Work, ts: string, index: number, parent: string): OutboundMessage {
  const text = "(This page is no longer needed: the message above shows every alert.)";
  const m: OutboundMessage & { stateCleared: true } = {
    key: `${baseKey(w)}/cleared-${index}`,
    destination: w.planned.destination,
    kind: "alerts",
    alerts: [],
    index,
    count: index,
    threadTs: parent,
    updateTs: ts,
    payload: {
      text,
      blocks: [{ type: "context", elements: [{ type: "mrkdwn", text: `_${text}_` }] }],
      unfurl_links: false,
      unfurl_media: false,
    },
    stateCleared: true,
  };
  return m;
}

function isCleared(m: OutboundMessage): boolean {
  return (m as OutboundMessage & { stateCleared?: boolean }).stateCleared === true;
}

/** What this destination now shows, written after delivery (a failed first message records nothing). */
async function record(
  store: StateStore,
  w: Work,
  outcomes: MessageOutcome[],
  ctx: ScanContext,
  state: StateReport,
): Promise<void> {
  const key = w.key as string;
  if (w.report.action === "nothing" && w.prior) return;
  const first = w.planned.messages[0];
  const outcome = first && outcomes.find((o) => o.message === first);
  if (first && !outcome?.ok) return; // not delivered: the next run tries again from the same state
  let message = w.prior?.message;
  if (w.living && outcome?.ok && outcome.ts && (w.report.action === "post" || w.report.action === "repost"))
    message = {
      channel: outcome.channel ?? (w.planned.destination.address as { channel?: string }).channel ?? "",
      ts: outcome.ts,
    };
  if (w.living && message && first) message = withPages(message, w, outcomes);
  const write = {
    key,
    alerts: w.current,
    ...(message ? { message } : {}),
    ...(ctx.commitSha ? { commit: ctx.commitSha } : {}),
  };
  const r = await store.putScope(write, w.prior?.version ?? 0);
  if (!r.ok)
    state.warnings.push(`state: ${w.report.route} → ${w.report.target}: another run changed it meanwhile; kept theirs`);
}

/**
 * Which replies now show the later pages, in page order, and which are spare (emptied, or left
 * over after a page failed): a reply is remembered while it is there, one Slack says is gone is not.
 */
function withPages(message: LivingMessage, w: Work, outcomes: MessageOutcome[]): LivingMessage {
  const pages: string[] = [];
  const spare: string[] = [];
  const used = new Set<string>();
  let complete = true;
  for (const m of w.planned.messages.slice(1).filter((x) => !isReply(x))) {
    const o = outcomes.find((x) => x.message === m);
    if (m.updateTs) used.add(m.updateTs);
    const ts = o?.ok ? (o.ts ?? m.updateTs) : o?.failure?.code === "message_not_found" ? undefined : m.updateTs;
    const shown = o?.ok === true && !isCleared(m);
    // A page that failed breaks the run of pages shown: the ones after it are reused next run.
    if (!shown && !isCleared(m)) complete = false;
    if (ts && shown && complete) pages.push(ts);
    else if (ts) spare.push(ts);
  }
  // A reposted message starts a new thread: the old one's replies are not ours to reuse.
  if (w.report.action === "update") spare.push(...(message.spare ?? []).filter((ts) => !used.has(ts)));
  const { pages: _p, spare: _s, ...rest } = message;
  return { ...rest, ...(pages.length ? { pages } : {}), ...(spare.length ? { spare } : {}) };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== "")) as Partial<T>;
}
