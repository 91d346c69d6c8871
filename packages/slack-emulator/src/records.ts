/**
 * The log of every request the emulator answered (or deliberately did not answer), in order.
 * Payloads are scrubbed on the way in: `token` fields are dropped and any workspace token or
 * hook secret inside a string is replaced, so a record can be printed or snapshotted safely.
 */
import { type FaultKind } from "./faults.js";

export interface EmulatorRecord {
  /** 1, 2, 3… in the order requests were answered; restarts after reset(). */
  seq: number;
  /** When the request was answered (ISO 8601 with milliseconds). */
  at: string;
  /** `response`: a POST to an interaction's response_url. */
  kind: "api" | "webhook" | "response";
  /** Web API method, e.g. `chat.postMessage` (API records only). */
  method?: string;
  /** Hook name (webhook records for a known hook only). */
  hook?: string;
  /** Channel ID: the resolved `channel` argument, or the hook's bound channel. */
  channel?: string;
  channelName?: string;
  /** HTTP status sent; 0 when a `reset` or `hang` fault sent none. */
  status: number;
  /** True when the request was accepted (HTTP 200 and, for the API, `ok: true`). */
  ok: boolean;
  /** Slack error string, e.g. `channel_not_found`, `ratelimited`, `invalid_blocks`. */
  error?: string;
  /** Message ts of an accepted chat.postMessage / chat.update / webhook post. */
  ts?: string;
  threadTs?: string;
  /** Parsed request body (query for GET), `blocks` decoded to arrays; never a token. */
  payload: Record<string, unknown>;
  /** True when top-level `text` was over 40,000 characters and was cut (payload holds the cut text). */
  truncated?: boolean;
  /** Ephemeral message (chat.postEphemeral, or a response_url answer without in_channel): only `user` sees it. */
  ephemeral?: boolean;
  /** Who an ephemeral message is for (user ID). */
  user?: string;
  /** What a response_url request did to the original message. */
  action?: "replace_original" | "delete_original" | "post";
  /** Seconds sent in Retry-After with a 429. */
  retryAfter?: number;
  /** The injected fault that shaped this answer, if any. */
  fault?: FaultKind;
}

/** A record before it gets its place in the log. */
export type RecordDraft = Omit<EmulatorRecord, "seq" | "at">;

const REDACTED = "[REDACTED]";

const RECORD_KEYS: readonly (keyof EmulatorRecord)[] = [
  "seq",
  "at",
  "kind",
  "method",
  "hook",
  "channel",
  "channelName",
  "status",
  "ok",
  "error",
  "ts",
  "threadTs",
  "payload",
  "truncated",
  "ephemeral",
  "user",
  "action",
  "retryAfter",
  "fault",
];

function scrub(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === "string") {
    return secrets.reduce((text, secret) => (text.includes(secret) ? text.split(secret).join(REDACTED) : text), value);
  }
  if (Array.isArray(value)) return value.map((item) => scrub(item, secrets));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (key.toLowerCase() === "token") continue;
      out[key] = scrub(item, secrets);
    }
    return out;
  }
  return value;
}

/** Drops `token` fields and masks known secrets anywhere in a payload. */
export function sanitizePayload(payload: Record<string, unknown>, secrets: readonly string[]): Record<string, unknown> {
  return scrub(payload, secrets) as Record<string, unknown>;
}

export class RecordLog {
  private entries: EmulatorRecord[] = [];
  private seq = 0;

  constructor(
    private readonly secrets: readonly string[],
    /** Called after every change (the live view re-renders). */
    private readonly onChange: () => void = () => undefined,
  ) {}

  add(draft: RecordDraft): EmulatorRecord {
    const full: EmulatorRecord = {
      ...draft,
      seq: ++this.seq,
      at: new Date().toISOString(),
      payload: sanitizePayload(draft.payload, this.secrets),
    };
    // Fixed key order and no undefined fields, so records print and compare cleanly.
    const record = {} as EmulatorRecord;
    for (const key of RECORD_KEYS) {
      if (full[key] !== undefined) Object.assign(record, { [key]: full[key] });
    }
    this.entries.push(record);
    this.onChange();
    return record;
  }

  /** Copies, so callers cannot change the log. */
  all(): EmulatorRecord[] {
    return structuredClone(this.entries);
  }

  clear(): void {
    this.entries = [];
    this.seq = 0;
    this.onChange();
  }
}
