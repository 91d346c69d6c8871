import * as z from "../zod.js";
import { type SlackMessage } from "../blocks/types.js";
import { UserError } from "../errors.js";
import { type Destination, type OutboundMessage } from "../notifier.js";
import { describeIssues } from "../zod-issues.js";
import { type MessageOutcome } from "./DeliveryEngine.js";

/**
 * One undelivered message, as a JSON line of an outbox file. It names its destination by the
 * config entry (`route`) and its non-secret `target`, never by URL or token: `retry` looks the
 * address up again in the current config, so a rotated webhook or token just works.
 */
export interface OutboxEntry {
  version: 1;
  /** When the message failed, ISO 8601. */
  created: string;
  mode: string;
  route: string;
  target: string;
  kind: "alerts" | "reachability";
  index: number;
  count: number;
  alerts: number;
  /** The destination's first message was delivered: continuation pages go into its thread. */
  thread_ts?: string;
  payload: SlackMessage;
  error: { code: string; message: string };
}

// Built on first use (`retry` only), not at import: zod schemas cost start-up time (bench figure 5).
let entrySchema: ReturnType<typeof buildEntrySchema> | undefined;

function buildEntrySchema() {
  return z.looseObject({
    version: z.literal(1),
    created: z.string(),
    mode: z.string().check(z.minLength(1)),
    route: z.string(),
    target: z.string(),
    kind: z.enum(["alerts", "reachability"]),
    index: z.number().check(z.int(), z.gte(1)),
    count: z.number().check(z.int(), z.gte(1)),
    alerts: z.number().check(z.int(), z.gte(0)),
    thread_ts: z.optional(z.string()),
    payload: z.looseObject({ text: z.string(), blocks: z.array(z.looseObject({ type: z.string() })) }),
    error: z.looseObject({ code: z.string(), message: z.string() }),
  });
}

/** Outbox entries for every message that was not delivered. `scrub` removes secrets from error text. */
export function outboxEntries(mode: string, outcomes: MessageOutcome[], scrub: (t: string) => string, now = new Date()): OutboxEntry[] {
  const parents = new Map<Destination, string>();
  for (const o of outcomes) if (o.ok && o.message.index === 1 && o.ts) parents.set(o.message.destination, o.ts);
  return outcomes
    // A duplicate destination's message is written once, by the destination that sent it.
    .filter((o) => !o.ok && !o.duplicateOf)
    .map((o) => {
      const m = o.message;
      const e: OutboxEntry = {
        version: 1,
        created: now.toISOString(),
        mode,
        route: m.destination.route,
        target: m.destination.target,
        kind: m.kind,
        index: m.index,
        count: m.count,
        alerts: m.alerts.length,
        payload: m.payload,
        error: { code: o.failure?.code ?? "unknown", message: scrub(o.failure?.message ?? "not delivered") },
      };
      const parent = o.threadTs ?? m.threadTs ?? (m.index > 1 ? parents.get(m.destination) : undefined);
      if (parent) e.thread_ts = parent;
      return e;
    });
}

export function serializeOutbox(entries: OutboxEntry[]): string {
  return entries.map((e) => `${JSON.stringify(e)}\n`).join("");
}

/** Parse an outbox file: one JSON object per line; blank lines ignored; errors name the line. */
export function parseOutbox(text: string, source: string): OutboxEntry[] {
  const out: OutboxEntry[] = [];
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    const where = `${source}: line ${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw new UserError("input_invalid", `${where}: not valid JSON (${(e as Error).message})`, { file: source, hint: "an outbox has one JSON object per line, as written by send --outbox" });
    }
    const schema = (entrySchema ??= buildEntrySchema());
    const r = schema.safeParse(json);
    if (!r.success) {
      const issue = describeIssues(r.error, schema, json);
      throw new UserError("input_invalid", `${where}: ${issue.path}: ${issue.message}`, { file: source, path: issue.path, hint: "pass a file written by socket-notify send --outbox" });
    }
    out.push(r.data as unknown as OutboxEntry);
  }
  return out;
}

/**
 * Outbox entries back to messages for the current config's destinations. Entries whose
 * destination no longer exists (renamed route, other mode) come back as `orphans`.
 */
export function messagesFromOutbox(entries: OutboxEntry[], mode: string, destinations: Destination[]): { messages: OutboundMessage[]; orphans: OutboxEntry[] } {
  const messages: OutboundMessage[] = [];
  const orphans: OutboxEntry[] = [];
  for (const e of entries) {
    const d = e.mode === mode ? destinations.find((x) => x.route === e.route && x.target === e.target) : undefined;
    if (!d) {
      orphans.push(e);
      continue;
    }
    const m: OutboundMessage = { payload: e.payload, alerts: [], index: e.index, count: e.count, destination: d, kind: e.kind };
    if (e.thread_ts) m.threadTs = e.thread_ts;
    messages.push(m);
  }
  return { messages, orphans };
}
