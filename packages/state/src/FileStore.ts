/**
 * The embedded engine: the whole state in one JSON file (see README.md for why this one).
 *
 * - Every change happens under `FILE.lock` (lock-file.ts): read the file, change it, write a temp
 *   file beside it, fsync it, rename it over the file, fsync the directory. A reader (which takes
 *   no lock) sees the old file or the new one, never half of one; kill -9 at any moment loses
 *   nothing that was committed (returned) before.
 * - Named locks (`withLock`) are files in `FILE.locks/`, held for as long as a run updates one
 *   living message, so the data lock itself is only ever held for milliseconds.
 * - One host: the locks rely on pids and on O_EXCL, which network file systems do not all honour.
 *   Jobs on several machines share PostgreSQL instead.
 */
import { createHash, randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { emptyDocument, type FileDocument, FORMAT, parseDocument, SCHEMA_VERSION } from "./document.js";
import { StateError } from "./errors.js";
import { acquireFileLock } from "./lock-file.js";
import { scopeInRepo } from "./identity.js";
import {
  type Decision,
  type ImportResult,
  type LockOptions,
  type NewDecision,
  type PutResult,
  type ScopeRecord,
  type ScopeWrite,
  type StateDocument,
  type StateStore,
  type TurnTaken,
} from "./types.js";

export interface StoreOptions {
  /** Milliseconds since the epoch; tests pass a fake clock. */
  now?: () => number;
}

const DEFAULT_LOCK_WAIT_MS = 120_000;
const DATA_LOCK_WAIT_MS = 30_000;
/** A pacing slot idle this long forgets its fastest round trip (and the file forgets the slot). */
export const FASTEST_IDLE_MS = 60_000;

export function decisionId(kind: string): string {
  return `${kind}-${randomBytes(4).toString("hex")}`;
}

export function inForce(d: Decision, now: number): boolean {
  return d.until === undefined || Date.parse(d.until) > now;
}

export class FileStore implements StateStore {
  readonly engine = "embedded" as const;
  readonly #now: () => number;

  constructor(
    readonly location: string,
    options: StoreOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** Opens (and validates) the file; creates its directory. The file itself appears on first write. */
  static open(path: string, options: StoreOptions = {}): FileStore {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (e) {
      throw new StateError("state_unusable", `state ${path}: cannot create its directory (${errorCode(e)})`, {
        file: path,
        hint: "set state to a path in a writable directory",
      });
    }
    const store = new FileStore(path, options);
    store.#read();
    return store;
  }

  #read(): FileDocument {
    let text: string;
    try {
      text = readFileSync(this.location, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return emptyDocument();
      throw new StateError("state_unusable", `state ${this.location}: cannot read it (${errorCode(e)})`, {
        file: this.location,
        hint: "check the path and its permissions",
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new StateError("state_unusable", `state ${this.location}: not valid JSON`, {
        file: this.location,
        hint: "restore it from a backup (`state export` writes one), or delete it to start with empty state",
      });
    }
    return parseDocument(json, `state ${this.location}`, true);
  }

  #write(doc: FileDocument): void {
    const tmp = `${this.location}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    const body = `${JSON.stringify({ ...doc, format: FORMAT, schemaVersion: SCHEMA_VERSION }, null, 1)}\n`;
    try {
      const fd = openSync(tmp, "w", 0o600);
      try {
        const bytes = Buffer.from(body, "utf8");
        for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.location);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        /* never made */
      }
      throw new StateError("state_unusable", `state ${this.location}: cannot write it (${errorCode(e)})`, {
        file: this.location,
        hint: "check free space and permissions",
      });
    }
    try {
      // The rename is durable once the directory is synced (best effort: not every FS allows it).
      const d = openSync(dirname(this.location), "r");
      try {
        fsyncSync(d);
      } finally {
        closeSync(d);
      }
    } catch {
      /* not supported here */
    }
  }

  /** Read-modify-write under the data lock. `change` returns the result and whether to write. */
  async #change<T>(change: (doc: FileDocument, now: number) => { result: T; write: boolean }): Promise<T> {
    const release = await acquireFileLock(`${this.location}.lock`, {
      waitMs: DATA_LOCK_WAIT_MS,
      what: `state ${this.location}`,
    });
    try {
      const doc = this.#read();
      const now = this.#now();
      const { result, write } = change(doc, now);
      if (write) {
        // Forget claims and pacing slots that no longer matter, so the file does not grow with them.
        for (const [id, exp] of Object.entries(doc.claims)) if (exp <= now) delete doc.claims[id];
        for (const [k, slot] of Object.entries(doc.slots))
          if (slot.holder === undefined && slot.next <= now - FASTEST_IDLE_MS) delete doc.slots[k];
        this.#write(doc);
      }
      return result;
    } finally {
      release();
    }
  }

  async getScope(key: string): Promise<ScopeRecord | undefined> {
    return this.#read().scopes.find((s) => s.key === key);
  }

  async scopes(options: { repo?: string } = {}): Promise<ScopeRecord[]> {
    const { repo } = options;
    return this.#read()
      .scopes.filter((s) => repo === undefined || scopeInRepo(s.key, repo))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  putScope(record: ScopeWrite, expectedVersion: number): Promise<PutResult> {
    return this.#change<PutResult>((doc, now) => {
      const i = doc.scopes.findIndex((s) => s.key === record.key);
      const current = i >= 0 ? doc.scopes[i] : undefined;
      if ((current?.version ?? 0) !== expectedVersion) return { result: { ok: false, current }, write: false };
      const next: ScopeRecord = { ...record, updatedAt: new Date(now).toISOString(), version: expectedVersion + 1 };
      if (i >= 0) doc.scopes[i] = next;
      else doc.scopes.push(next);
      return { result: { ok: true, record: next }, write: true };
    });
  }

  async withLock<T>(name: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
    const dir = `${this.location}.locks`;
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${createHash("sha256").update(name).digest("hex").slice(0, 40)}.lock`);
    const release = await acquireFileLock(file, {
      waitMs: options.waitMs ?? DEFAULT_LOCK_WAIT_MS,
      what: `state ${this.location} (${name})`,
    });
    try {
      return await fn();
    } finally {
      release();
    }
  }

  claim(id: string, ttlMs: number): Promise<boolean> {
    return this.#change((doc, now) => {
      const exp = doc.claims[id];
      if (exp !== undefined && exp > now) return { result: false, write: false };
      doc.claims[id] = now + ttlMs;
      return { result: true, write: true };
    });
  }

  takeTurn(key: string, leaseMs: number): Promise<TurnTaken | { busyMs: number }> {
    return this.#change<TurnTaken | { busyMs: number }>((doc, now) => {
      const slot = doc.slots[key];
      if (slot?.holder !== undefined && (slot.heldUntil ?? 0) > now)
        return { result: { busyMs: Math.max(0, slot.next - now) }, write: false };
      const token = randomBytes(8).toString("hex");
      const next = Math.max(slot?.next ?? now, now);
      // An idle key forgets its fastest round trip: the network may have changed since.
      const fastest = slot && slot.next > now - FASTEST_IDLE_MS ? slot.fastest : undefined;
      doc.slots[key] = {
        next,
        holder: token,
        heldUntil: next + leaseMs,
        ...(fastest === undefined ? {} : { fastest }),
      };
      return {
        result: { token, waitMs: next - now, ...(fastest === undefined ? {} : { fastestMs: fastest }) },
        write: true,
      };
    });
  }

  endTurn(key: string, token: string, end: { nextInMs: number; rttMs?: number }): Promise<void> {
    return this.#change((doc, now) => {
      const slot = doc.slots[key] ?? { next: now };
      const fastest = Math.min(slot.fastest ?? Infinity, end.rttMs ?? Infinity);
      const mine = slot.holder === token;
      doc.slots[key] = {
        next: Math.max(slot.next, now + end.nextInMs),
        ...(mine || slot.holder === undefined ? {} : { holder: slot.holder, heldUntil: slot.heldUntil }),
        ...(Number.isFinite(fastest) ? { fastest } : {}),
      };
      return { result: undefined, write: true };
    });
  }

  addDecision(d: NewDecision): Promise<Decision> {
    return this.#change((doc, now) => {
      const decision: Decision = { ...d, id: d.id ?? decisionId(d.kind), at: d.at ?? new Date(now).toISOString() };
      doc.decisions = doc.decisions.filter((x) => x.id !== decision.id);
      doc.decisions.push(decision);
      return { result: decision, write: true };
    });
  }

  removeDecision(id: string): Promise<Decision | undefined> {
    return this.#change((doc) => {
      const found = doc.decisions.find((d) => d.id === id);
      if (found) doc.decisions = doc.decisions.filter((d) => d.id !== id);
      return { result: found, write: found !== undefined };
    });
  }

  async decisions(options: { includeExpired?: boolean; now?: number } = {}): Promise<Decision[]> {
    const now = options.now ?? this.#now();
    const all = this.#read().decisions;
    return options.includeExpired ? all : all.filter((d) => inForce(d, now));
  }

  async exportDocument(): Promise<StateDocument> {
    const { format, schemaVersion, decisions, scopes } = this.#read();
    return { format, schemaVersion, decisions, scopes };
  }

  async importDocument(document: StateDocument, mode: "merge" | "replace" = "merge"): Promise<ImportResult> {
    const incoming = parseDocument(document, "import");
    return this.#change((doc) => {
      if (mode === "replace") {
        doc.decisions = [];
        doc.scopes = [];
      }
      const ids = new Set(incoming.decisions.map((d) => d.id));
      doc.decisions = [...doc.decisions.filter((d) => !ids.has(d.id)), ...incoming.decisions];
      const keys = new Set(incoming.scopes.map((s) => s.key));
      doc.scopes = [...doc.scopes.filter((s) => !keys.has(s.key)), ...incoming.scopes];
      return { result: { decisions: incoming.decisions.length, scopes: incoming.scopes.length }, write: true };
    });
  }

  async close(): Promise<void> {
    /* nothing held between calls */
  }
}

function errorCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? "error";
}
