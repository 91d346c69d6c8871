/**
 * The state as one JSON document: the embedded engine's file, and what `state export` writes and
 * `state import` reads (for either engine). Versioned: `schemaVersion` says which shape it has;
 * older shapes are migrated on read, newer ones are refused (this version cannot know what a
 * newer one meant, and writing it back would lose what it added).
 */
import { describeIssues } from "@socket-notify/core/internal";
import * as z from "zod/mini";
import { StateError } from "./errors.js";
import { type SlotRecord, type StateDocument } from "./types.js";

export const FORMAT = "socket-notify-state";
/** The schema this version writes. Bump it with a migration in MIGRATIONS (and in postgres.ts). */
export const SCHEMA_VERSION = 2;

const iso = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), "expected an ISO date-time"));
const text = z.string().check(z.maxLength(10_000));

const seenAlert = z.strictObject({
  fingerprint: text,
  package: text,
  type: text,
  severity: text,
  title: text,
});

const scope = z.strictObject({
  key: text,
  alerts: z.array(seenAlert),
  message: z.optional(
    z.strictObject({ channel: text, ts: text, pages: z.optional(z.array(text)), spare: z.optional(z.array(text)) }),
  ),
  commit: z.optional(text),
  updatedAt: iso,
  version: z.number().check(z.int(), z.gte(1)),
});

const target = z.strictObject({
  ecosystem: z.optional(text),
  namespace: z.optional(text),
  name: z.optional(text),
  version: z.optional(text),
  type: z.optional(text),
  repo: z.optional(text),
  fingerprint: z.optional(text),
});

export const decisionSchema = z.strictObject({
  id: text,
  kind: z.enum(["mute", "ack", "snooze"]),
  target,
  by: text,
  at: iso,
  reason: z.optional(text),
  until: z.optional(iso),
});

const documentSchema = z.strictObject({
  format: z.literal(FORMAT),
  schemaVersion: z.number(),
  decisions: z.array(decisionSchema),
  scopes: z.array(scope),
});

/** The embedded file also keeps what export leaves out (claims, pacing slots). */
export interface FileDocument extends StateDocument {
  claims: Record<string, number>;
  slots: Record<string, SlotRecord>;
}

const fileExtras = z.object({
  claims: z.optional(z.record(z.string(), z.number())),
  slots: z.optional(
    z.record(
      z.string(),
      z.strictObject({
        next: z.number(),
        holder: z.optional(z.string()),
        heldUntil: z.optional(z.number()),
        fastest: z.optional(z.number()),
      }),
    ),
  ),
});

/** Migrations from schema N to N+1, in order; MIGRATIONS[0] turns 1 into 2, and so on. */
const MIGRATIONS: Array<(doc: Record<string, unknown>) => Record<string, unknown>> = [
  // 2: a pacing slot holds its turn's holder and the fastest round trip, not only the next time.
  (doc) => ({
    ...doc,
    slots: Object.fromEntries(
      Object.entries((doc.slots as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [k, { next: v }]),
    ),
  }),
];

export function newerVersionError(where: string, version: number): StateError {
  return new StateError(
    "state_newer_version",
    `${where}: written by a newer socket-notify (state schema ${version}; this version knows up to ${SCHEMA_VERSION})`,
    { hint: "upgrade socket-notify (every job that shares this state), or point state at another store" },
  );
}

/**
 * Validate (and migrate) a state document. `where` names it in errors (a path, never a URL with
 * a password). Throws a StateError naming the JSON path.
 */
export function parseDocument(input: unknown, where: string, file = false): FileDocument {
  if (typeof input !== "object" || input === null || (input as { format?: unknown }).format !== FORMAT)
    throw new StateError("state_invalid", `${where}: not a socket-notify state document (no "format": "${FORMAT}")`, {
      file: where,
      hint: "give a file written by `socket-notify state export`",
    });
  let doc = input as Record<string, unknown>;
  const version = doc.schemaVersion;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1)
    throw new StateError("state_invalid", `${where}: schemaVersion: expected a whole number from 1`, { file: where });
  if (version > SCHEMA_VERSION) throw newerVersionError(where, version);
  for (let v = version; v < SCHEMA_VERSION; v++) doc = (MIGRATIONS[v - 1] as (d: typeof doc) => typeof doc)(doc);
  const { claims, slots, ...rest } = doc;
  const schema = documentSchema;
  const parsed = z.safeParse(schema, { ...rest, schemaVersion: SCHEMA_VERSION });
  if (!parsed.success) {
    const r = describeIssues(parsed.error, schema, rest);
    throw new StateError("state_invalid", `${where}: ${r.path || "(top level)"}: ${r.message}`, {
      file: where,
      path: r.path,
      hint: r.hint ?? (file ? "restore it from a backup, or delete it to start with empty state" : undefined),
    });
  }
  const extras = file ? z.safeParse(fileExtras, { claims, slots }) : undefined;
  if (extras && !extras.success)
    throw new StateError("state_invalid", `${where}: claims/slots: not what socket-notify writes`, { file: where });
  return {
    ...(parsed.data as StateDocument),
    claims: (extras?.data?.claims as Record<string, number> | undefined) ?? {},
    slots: (extras?.data?.slots as Record<string, SlotRecord> | undefined) ?? {},
  };
}

export function emptyDocument(): FileDocument {
  return { format: FORMAT, schemaVersion: SCHEMA_VERSION, decisions: [], scopes: [], claims: {}, slots: {} };
}
