/**
 * The state store contract. Both engines (the embedded file and PostgreSQL) implement it and run
 * the same conformance suite (src/testing/conformance.ts).
 *
 * What it holds:
 * - scopes: per living-message key (destination + repository + PR or branch), the alerts the last
 *   run showed and, in bot mode, the message that shows them (channel + ts), with a version for
 *   compare-and-swap;
 * - decisions: mutes, acknowledgements and snoozes, each with who, when, why and an expiry;
 * - claims: "applied once" markers for ids (a Slack interaction applied by one replica only);
 * - pacing slots: the next free send time per channel or webhook, shared by every process.
 */

/** A summary of one alert, enough to list it as resolved after it is gone from the report. */
export interface SeenAlert {
  fingerprint: string;
  /** `npm/lodash@4.17.20`, for people. */
  package: string;
  type: string;
  severity: string;
  title: string;
}

/** The message a destination keeps up to date for one repository + PR (bot mode). */
export interface LivingMessage {
  channel: string;
  ts: string;
  /** The thread replies showing pages 2, 3, … of a report too long for one message, in page order. */
  pages?: string[];
  /** Earlier page replies this report no longer needs (edited to say so): reused, in order, when it grows. */
  spare?: string[];
}

/** What the store remembers for one living-message key. */
export interface ScopeRecord {
  key: string;
  /** The alerts the last run showed (after mutes), in its order. */
  alerts: SeenAlert[];
  /** Bot mode: the message that shows them. Absent for webhooks, which cannot edit. */
  message?: LivingMessage;
  /** Commit the last run was for, when known (thread replies name it). */
  commit?: string;
  /** ISO time of the last write. */
  updatedAt: string;
  /** 1 after the first write, +1 on each; compare-and-swap compares it. */
  version: number;
}

export type ScopeWrite = Omit<ScopeRecord, "updatedAt" | "version">;

export type PutResult = { ok: true; record: ScopeRecord } | { ok: false; current: ScopeRecord | undefined };

export type DecisionKind = "mute" | "ack" | "snooze";
export const DECISION_KINDS: readonly DecisionKind[] = ["mute", "ack", "snooze"];

/**
 * Which alerts a decision applies to. Every field given must match; absent fields match anything.
 * `ecosystem` + `name` (+ `namespace`, `version`) name a package; `fingerprint` names one alert
 * exactly (what the receiver's buttons send).
 */
export interface DecisionTarget {
  ecosystem?: string;
  namespace?: string;
  name?: string;
  version?: string;
  type?: string;
  /** `owner/name`; absent: every repository. */
  repo?: string;
  fingerprint?: string;
}

export interface Decision {
  id: string;
  kind: DecisionKind;
  target: DecisionTarget;
  /** Who decided: `--by`, the CI actor, the OS user, or a Slack user id. */
  by: string;
  /** ISO time it was made. */
  at: string;
  reason?: string;
  /** ISO time it stops applying (mute `--for`/`--until`, snooze); absent: until removed. */
  until?: string;
}

export type NewDecision = Omit<Decision, "id" | "at"> & { id?: string; at?: string };

/** `state export` / `state import`: the whole store as one reviewable JSON document. */
export interface StateDocument {
  format: "socket-notify-state";
  schemaVersion: number;
  decisions: Decision[];
  scopes: ScopeRecord[];
}

export interface ImportResult {
  decisions: number;
  scopes: number;
}

export interface LockOptions {
  /** How long to wait for another holder before failing. Default 120 s. */
  waitMs?: number;
}

export interface TurnTaken {
  token: string;
  waitMs: number;
  fastestMs?: number;
}

/** A pacing slot: the next send time of one channel or webhook, and who holds its turn. */
export interface SlotRecord {
  /** Epoch ms: the next request may leave then. */
  next: number;
  holder?: string;
  /** Epoch ms: a holder that has not given the turn back loses it then. */
  heldUntil?: number;
  /** The fastest round trip recorded (ms), forgotten when the key was idle a while. */
  fastest?: number;
}

export interface StateStore {
  /** `embedded` (a file) or `postgres`. */
  readonly engine: "embedded" | "postgres";
  /** Where it is, for people: the file path, or the URL without its password. */
  readonly location: string;

  getScope(key: string): Promise<ScopeRecord | undefined>;
  /**
   * The scopes (each PR's or branch's last recorded run), in key order; with `repo` (owner/name,
   * any case), only those about that repository. Reads no decisions.
   */
  scopes(options?: { repo?: string }): Promise<ScopeRecord[]>;
  /**
   * Compare-and-swap: writes when the stored version is `expectedVersion` (0: no record yet).
   * Otherwise changes nothing and returns what is stored now.
   */
  putScope(record: ScopeWrite, expectedVersion: number): Promise<PutResult>;

  /**
   * Runs `fn` holding the named lock, across processes (and hosts, on PostgreSQL). A holder that
   * dies (kill -9, a lost connection) releases it. Not re-entrant.
   */
  withLock<T>(name: string, fn: () => Promise<T>, options?: LockOptions): Promise<T>;

  /**
   * "Applied once": true for the first caller with this id, false for every later one (until
   * `ttlMs` has passed, after which the claim is forgotten).
   */
  claim(id: string, ttlMs: number): Promise<boolean>;

  /**
   * Shared pacing (core's SharedPace, shared-pace.ts): takes `key`'s turn when nobody holds it
   * (or its holder's `leaseMs` ran out), on the store's clock. `waitMs`: until the slot the last
   * holder left; `fastestMs`: the fastest round trip recorded for the key. `busyMs`: held, ask
   * again in about that long.
   */
  takeTurn(key: string, leaseMs: number): Promise<TurnTaken | { busyMs: number }>;
  /**
   * Gives the turn back (when `token` still holds it) and moves the key's next slot to at least
   * `nextInMs` from now; `rttMs` lowers the key's fastest round trip.
   */
  endTurn(key: string, token: string, end: { nextInMs: number; rttMs?: number }): Promise<void>;

  addDecision(decision: NewDecision): Promise<Decision>;
  /** Removes and returns it; undefined when there is no such id. */
  removeDecision(id: string): Promise<Decision | undefined>;
  /** Decisions in force at `now` (default: the store's clock); `includeExpired` lists all. */
  decisions(options?: { includeExpired?: boolean; now?: number }): Promise<Decision[]>;

  exportDocument(): Promise<StateDocument>;
  /** `merge`: add or replace by id/key; `replace`: the store becomes the document. */
  importDocument(document: StateDocument, mode?: "merge" | "replace"): Promise<ImportResult>;

  close(): Promise<void>;
}
