// node:crypto loads on first use: it costs a dozen internal modules at start-up, and a dry run
// or a run without --outbox never signs anything (bench/README.md, cold start).
const nodeCrypto = (): typeof import("node:crypto") => process.getBuiltinModule("node:crypto");
import * as z from "zod/mini";
import { mentionToken } from "../blocks/BlockBuilder.js";
import { isSafeUrl, stripControl } from "../blocks/mrkdwn.js";
import { type Block, type SlackMessage, type TextObject } from "../blocks/types.js";
import { UserError } from "../errors.js";
import { type Destination, type OutboundMessage } from "../contract/destination.js";
import { messageKey } from "../run/plan.js";
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
  /** The message's stable key (`messageKey`) when it was planned; absent in outboxes written before keys. */
  key?: string;
  /** The destination's first message was delivered: continuation pages go into its thread. */
  thread_ts?: string;
  payload: SlackMessage;
  /**
   * The message in the notifier's own format (`OutboundMessage.native`: Discord's webhook body),
   * when it has one: what `retry` re-sends, signed with the rest. Absent in entries written
   * before it, and for Block Kit notifiers; `retry` then re-sends `payload` (Discord converts it).
   */
  native?: { format: string; body: unknown };
  error: { code: string; message: string };
  /** A request for it was sent and not answered: Slack may already show it (retrying may duplicate it). */
  possible_duplicate?: boolean;
  /**
   * HMAC-SHA256 (hex) of the entry's content, keyed from the config's secrets (webhook URLs,
   * bot token) or SOCKET_NOTIFY_OUTBOX_KEY. Someone who can write the file but does not hold
   * those secrets (a pull request committing an outbox) cannot produce it. See `OutboxSigner`.
   */
  sig?: string;
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
    key: z.optional(z.string()),
    thread_ts: z.optional(z.string()),
    payload: z.looseObject({ text: z.string(), blocks: z.array(z.looseObject({ type: z.string() })) }),
    native: z.optional(
      z.strictObject({ format: z.string().check(z.minLength(1), z.maxLength(40)), body: z.unknown() }),
    ),
    error: z.looseObject({ code: z.string(), message: z.string() }),
    possible_duplicate: z.optional(z.boolean()),
    sig: z.optional(z.string()),
  });
}

/**
 * Outbox entries for every message that was not delivered. `scrub` removes secrets from error
 * text; `signer` (when the config has secrets) signs each entry so `retry` can tell it is ours.
 */
export function outboxEntries(
  mode: string,
  outcomes: MessageOutcome[],
  scrub: (t: string) => string,
  now = new Date(),
  signer?: OutboxSigner,
): OutboxEntry[] {
  const parents = new Map<Destination, string>();
  for (const o of outcomes) if (o.ok && o.message.index === 1 && o.ts) parents.set(o.message.destination, o.ts);
  return (
    outcomes
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
          key: m.key,
          payload: m.payload,
          ...(m.native ? { native: { format: m.native.format, body: m.native.body } } : {}),
          error: { code: o.failure?.code ?? "unknown", message: scrub(o.failure?.message ?? "not delivered") },
        };
        const parent = o.threadTs ?? m.threadTs ?? (m.index > 1 ? parents.get(m.destination) : undefined);
        if (parent) e.thread_ts = parent;
        if (o.possibleDuplicate) e.possible_duplicate = true;
        if (signer) e.sig = signer.sign(e);
        return e;
      })
  );
}

export function serializeOutbox(entries: OutboxEntry[]): string {
  return entries.map((e) => `${JSON.stringify(e)}\n`).join("");
}

/** Parse an outbox file: one JSON object per line; blank lines ignored; errors name the line. */
export function parseOutbox(text: string, source: string): OutboxEntry[] {
  return parseOutboxLines(text, source).entries.map((x) => x.entry);
}

export interface ParsedOutbox {
  /** Each entry with its line exactly as in the file, so a rewrite can remove just those lines. */
  entries: { entry: OutboxEntry; line: string }[];
  /**
   * Lines that start like a record (`{"version":1,`) but are not valid JSON: a run that crashed
   * while writing one (each record is one write, so only a crash can cut one; the next append
   * ends the cut line first, so it never glues onto the next record). No complete message is in
   * them; `retry` warns and drops them.
   */
  incomplete: string[];
}

export function parseOutboxLines(text: string, source: string): ParsedOutbox {
  const out: ParsedOutbox = { entries: [], incomplete: [] };
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    const where = `${source}: line ${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      if (line.startsWith('{"version":1,')) {
        out.incomplete.push(line);
        continue;
      }
      throw new UserError("input_invalid", `${where}: not valid JSON (${(e as Error).message})`, {
        file: source,
        hint: "an outbox has one JSON object per line, as written by send --outbox",
      });
    }
    const schema = (entrySchema ??= buildEntrySchema());
    const r = schema.safeParse(json);
    if (!r.success) {
      const issue = describeIssues(r.error, schema, json);
      throw new UserError("input_invalid", `${where}: ${issue.path}: ${issue.message}`, {
        file: source,
        path: issue.path,
        hint: "pass a file written by socket-notify send --outbox",
      });
    }
    // What a notifier's own body holds is the notifier's to check when it sends; its size is capped here.
    if (r.data.native && (JSON.stringify(r.data.native.body)?.length ?? 0) > MAX_NATIVE_CHARS) {
      throw new UserError("input_invalid", `${where}: native.body: larger than ${MAX_NATIVE_CHARS} characters`, {
        file: source,
        path: "native.body",
        hint: "an outbox holds only messages socket-notify builds; pass a file written by socket-notify send --outbox",
      });
    }
    const shape = payloadShapeError(r.data.payload);
    if (shape) {
      throw new UserError("input_invalid", `${where}: payload${shape}`, {
        file: source,
        path: `payload${shape.split(":")[0]}`,
        hint: "an outbox holds only messages socket-notify builds; pass a file written by socket-notify send --outbox",
      });
    }
    out.entries.push({ entry: r.data as unknown as OutboxEntry, line });
  }
  return out;
}

/**
 * Outbox entries back to messages for the current config's destinations. Entries whose
 * destination no longer exists (renamed route, other mode) come back as `orphans`.
 *
 * Every payload is rebuilt and cleaned (`sanitizePayload`): an entry whose signature checks out
 * under `signer` keeps its links and its destination's configured mentions, and its `native`
 * body (which the notifier validates before sending); any other entry (written by someone
 * without the config's secrets, edited, or signed before a secret was rotated) is `untrusted`:
 * sent from its Block Kit record with links as text and no mentions, its `native` body ignored.
 */
export function messagesFromOutbox(
  entries: OutboxEntry[],
  mode: string,
  destinations: Destination[],
  signer?: OutboxSigner,
): {
  messages: OutboundMessage[];
  orphans: OutboxEntry[];
  untrusted: OutboxEntry[];
  changed: { entry: OutboxEntry; changes: string[] }[];
} {
  const messages: OutboundMessage[] = [];
  const orphans: OutboxEntry[] = [];
  const untrusted: OutboxEntry[] = [];
  const changed: { entry: OutboxEntry; changes: string[] }[] = [];
  for (const e of entries) {
    const d = e.mode === mode ? destinations.find((x) => x.route === e.route && x.target === e.target) : undefined;
    if (!d) {
      orphans.push(e);
      continue;
    }
    const trusted = signer?.verify(e) === true;
    if (!trusted) untrusted.push(e);
    const { payload, changes } = sanitizePayload(e.payload, {
      trusted,
      mentions: (d.filter.mention ?? []).map(mentionToken),
    });
    if (changes.length) changed.push({ entry: e, changes });
    const m: OutboundMessage = {
      payload,
      // The notifier's own body only from an entry that is ours (signed); the notifier still
      // checks it before sending. Any other entry is re-sent from its cleaned Block Kit record.
      ...(trusted && e.native ? { native: { format: e.native.format, body: e.native.body } } : {}),
      alerts: [],
      index: e.index,
      count: e.count,
      destination: d,
      kind: e.kind,
      key: e.key ?? messageKey(d, "", e.kind, e.index),
    };
    // The outbox entry travels with the message, so `retry` can keep its metadata when it fails again.
    entryOf.set(m, e);
    if (e.thread_ts) m.threadTs = e.thread_ts;
    messages.push(m);
  }
  return { messages, orphans, untrusted, changed };
}

const entryOf = new WeakMap<OutboundMessage, OutboxEntry>();

/** The outbox entry a message of `messagesFromOutbox` came from. */
export function outboxEntryOf(m: OutboundMessage): OutboxEntry | undefined {
  return entryOf.get(m);
}

/**
 * Entries for what `retry` still could not deliver: their original alert count, and flagged as a
 * possible duplicate when either run sent a request that was not answered.
 */
export function retryLeftovers(
  mode: string,
  outcomes: MessageOutcome[],
  scrub: (t: string) => string,
  signer?: OutboxSigner,
): OutboxEntry[] {
  const failed = outcomes.filter((o) => !o.ok && !o.duplicateOf);
  const fresh = outboxEntries(mode, failed, scrub, new Date());
  return fresh.map((e, i) => {
    const before = outboxEntryOf(failed[i]!.message);
    if (before) {
      e.alerts = before.alerts;
      if (before.possible_duplicate) e.possible_duplicate = true;
    }
    if (signer) e.sig = signer.sign(e);
    return e;
  });
}

// ---------------------------------------------------------------------------------------------
// Trust: who wrote this outbox?

/**
 * Signs and verifies outbox entries. The key is derived from a secret the writer and `retry`
 * share and a pull request does not: SOCKET_NOTIFY_OUTBOX_KEY when set, else the config's
 * secrets (its webhook URLs, bot token). The signature covers what is sent and where
 * (mode, route, target, kind, index, count, alerts, thread_ts, payload, key, native), not the error text.
 * Rotating the secrets makes older entries unsigned: they are still re-sent, as untrusted.
 */
export class OutboxSigner {
  private constructor(private readonly key: Buffer) {}

  /** `undefined` when there is no secret to key on (a plugin without secrets and no SOCKET_NOTIFY_OUTBOX_KEY). */
  static fromSecrets(
    secretValues: readonly string[],
    env: Record<string, string | undefined> = {},
  ): OutboxSigner | undefined {
    const explicit = env.SOCKET_NOTIFY_OUTBOX_KEY;
    const material = explicit ? [explicit] : [...new Set(secretValues.filter((v) => v.length > 0))].sort();
    if (!material.length) return undefined;
    return new OutboxSigner(
      nodeCrypto()
        .createHash("sha256")
        .update("socket-notify outbox v1\u0000")
        .update(material.join("\u0000"))
        .digest(),
    );
  }

  sign(e: OutboxEntry): string {
    return nodeCrypto()
      .createHmac("sha256", this.key)
      .update(canonicalJson(signedPart(e)))
      .digest("hex");
  }

  verify(e: OutboxEntry): boolean {
    if (typeof e.sig !== "string" || !/^[0-9a-f]{64}$/.test(e.sig)) return false;
    return nodeCrypto().timingSafeEqual(Buffer.from(e.sig, "hex"), Buffer.from(this.sign(e), "hex"));
  }
}

function signedPart(e: OutboxEntry): unknown {
  const signed = [e.version, e.mode, e.route, e.target, e.kind, e.index, e.count, e.alerts, e.thread_ts ?? null];
  // The key and the native body joined the signed part later: entries without them keep the
  // signature they had.
  const part = e.key === undefined ? [...signed, e.payload] : [...signed, e.payload, e.key];
  return e.native === undefined ? part : [...part, { native: e.native }];
}

/** JSON with object keys sorted at every level: the same bytes however the object was built or parsed. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

// ---------------------------------------------------------------------------------------------
// Content: retry never posts what socket-notify would not have produced.

const BLOCK_TYPES = new Set(["header", "section", "context", "divider"]);
const MAX_BLOCKS = 50;
const MAX_TEXT = 3000;
const MAX_FALLBACK = 40_000;
/** A notifier's own body in an outbox entry, as JSON (Discord's are under 20,000). */
const MAX_NATIVE_CHARS = 64_000;

/** The payload's structure is one socket-notify builds (block types, text objects, sizes); else where it is not, as `.blocks[2].type: …`. */
export function payloadShapeError(payload: { text: unknown; blocks: unknown[] }): string | undefined {
  if (typeof payload.text !== "string" || payload.text.length > MAX_FALLBACK)
    return `.text: expected a string of at most ${MAX_FALLBACK} characters`;
  if (payload.blocks.length > MAX_BLOCKS) return `.blocks: more than ${MAX_BLOCKS} blocks`;
  for (const [i, raw] of payload.blocks.entries()) {
    const b = raw as Record<string, unknown>;
    const at = `.blocks[${i}]`;
    if (!BLOCK_TYPES.has(b.type as string))
      return `${at}.type: ${JSON.stringify(b.type)} is not a block socket-notify sends (header, section, context, divider)`;
    if (b.type === "divider") continue;
    const texts = b.type === "context" ? b.elements : [b.text];
    if (!Array.isArray(texts) || texts.length === 0 || texts.length > 10)
      return `${at}: expected ${b.type === "context" ? "elements: 1 to 10 text objects" : "a text object"}`;
    for (const [j, t] of texts.entries()) {
      const o = t as Record<string, unknown> | null;
      const tat = b.type === "context" ? `${at}.elements[${j}]` : `${at}.text`;
      if (!o || typeof o !== "object" || (o.type !== "mrkdwn" && o.type !== "plain_text"))
        return `${tat}.type: expected mrkdwn or plain_text`;
      if (b.type === "header" && o.type !== "plain_text") return `${tat}.type: a header is plain_text`;
      if (typeof o.text !== "string" || o.text.length > MAX_TEXT)
        return `${tat}.text: expected a string of at most ${MAX_TEXT} characters`;
    }
  }
  return undefined;
}

export interface SanitizeOptions {
  /** The entry's signature checked out: links are kept (when safe), configured mentions too. */
  trusted: boolean;
  /** Mention sequences the destination's trusted config sends (`<!here>`, `<@U…>`, `<!subteam^S…>`). */
  mentions: readonly string[];
}

export interface Sanitized {
  payload: SlackMessage;
  /** What was neutralised, for a warning (empty: the payload is sent exactly as stored). */
  changes: string[];
}

/**
 * The payload rebuilt from known fields only (no `channel`, `username`, `icon_url`,
 * `link_names`, unfurling off), every text cleaned:
 * - control, C1, bidi and zero-width characters removed;
 * - `<…>` sequences: a configured mention (trusted entries only) is kept; an http(s) link is
 *   kept only in a trusted entry, with a safe URL and a label that does not show another
 *   address; anything else (`<!channel>`, `<@U…>`, `<#C…>`, `<javascript:…>`, links in an
 *   untrusted entry) becomes inert text: `label (url)`, or the escaped sequence.
 * A payload socket-notify built and signed comes out unchanged.
 */
export function sanitizePayload(payload: SlackMessage, options: SanitizeOptions): Sanitized {
  const changes = new Set<string>();
  const mrk = (t: string) => cleanMrkdwn(t, options, changes);
  const plain = (t: string) => {
    const c = cleanChars(t);
    if (c !== t) changes.add("control characters removed");
    return c;
  };
  const textObject = (o: TextObject): TextObject =>
    o.type === "plain_text"
      ? { type: "plain_text", text: plain(o.text), ...(typeof o.emoji === "boolean" ? { emoji: o.emoji } : {}) }
      : { type: "mrkdwn", text: mrk(o.text), verbatim: true };
  const blocks: Block[] = payload.blocks.map((b): Block => {
    switch (b.type) {
      case "header":
        return { type: "header", text: textObject(b.text) };
      case "section":
        return { type: "section", text: textObject(b.text) };
      case "context":
        return { type: "context", elements: b.elements.map(textObject) };
      default:
        return { type: "divider" };
    }
  });
  return {
    payload: { text: mrk(payload.text), blocks, unfurl_links: false, unfurl_media: false },
    changes: [...changes],
  };
}

// C0/C1 controls (tab and newline kept), bidi overrides and isolates, zero-width characters.
const UNSAFE_CHARS =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;

function cleanChars(t: string): string {
  return stripControl(t).replace(UNSAFE_CHARS, "");
}

function cleanMrkdwn(text: string, options: SanitizeOptions, changes: Set<string>): string {
  const t = cleanChars(text);
  if (t !== text) changes.add("control characters removed");
  let out = "";
  let from = 0;
  for (const m of t.matchAll(/<([^<>]*)>/g)) {
    out += inertBrackets(t.slice(from, m.index), changes);
    from = m.index + m[0].length;
    const inner = m[1]!;
    if (options.trusted && options.mentions.includes(m[0])) {
      out += m[0];
      continue;
    }
    if (/^https?:\/\//i.test(inner)) {
      const bar = inner.indexOf("|");
      const url = (bar === -1 ? inner : inner.slice(0, bar)).replace(/&amp;/g, "&");
      const label = bar === -1 ? "" : inner.slice(bar + 1);
      if (options.trusted && isSafeUrl(url) && !disguises(label, url)) {
        out += m[0];
        continue;
      }
      changes.add(options.trusted ? "an unsafe or disguised link shown as text" : "links shown as text");
      out += label ? `${label} (${inertUrl(url)})` : inertUrl(url);
      continue;
    }
    changes.add(/^[!@#]/.test(inner) ? "mentions disabled" : "markup shown as text");
    out += `&lt;${inner}&gt;`;
  }
  return out + inertBrackets(t.slice(from), changes);
}

/** A URL as plain text: Slack sees no `<`, `>` or `|` to build a link from, and we send `verbatim`. */
function inertUrl(url: string): string {
  return url.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\|/g, "\u2223");
}

function inertBrackets(s: string, changes: Set<string>): string {
  if (!/[<>]/.test(s)) return s;
  changes.add("markup shown as text");
  return s.replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A label that reads as an address (`https://…`, `www.…`) other than the link's host disguises the link. */
function disguises(label: string, url: string): boolean {
  const shown = label.replace(/&amp;/g, "&").match(/(?:[a-z][a-z0-9+.-]*:\/\/|www\.)[^\s/|]+/gi);
  if (!shown) return false;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return true;
  }
  return shown.some((s) => {
    const h = s
      .replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
      .replace(/:\d+$/, "")
      .toLowerCase();
    return h !== host;
  });
}
