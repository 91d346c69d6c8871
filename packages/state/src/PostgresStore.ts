/**
 * The shared engine: PostgreSQL through `pg`. Many CI jobs on many machines (and the receiver's
 * replicas) use one database at once:
 *
 * - compare-and-swap is one `UPDATE … WHERE version = $expected` (or `INSERT … ON CONFLICT DO
 *   NOTHING` for the first write), atomic in PostgreSQL;
 * - `withLock` is a session advisory lock on a connection of its own: a process that dies closes
 *   its connection, and PostgreSQL releases the lock. Those connections come from a pool of their
 *   own, and callers in one process waiting for the same lock queue in memory: otherwise a burst
 *   of them (serve's clicks on one message) holds every connection while polling, and the holder
 *   cannot get one for its own queries;
 * - claims are `INSERT … ON CONFLICT … WHERE expired`; a pacing slot's turn is one atomic
 *   `INSERT … ON CONFLICT … WHERE free or lease over` per channel or webhook, on the database's
 *   clock (so runners whose clocks disagree still space their sends);
 * - the schema is versioned in `socket_notify_meta`; migrations run under an advisory lock, and a
 *   database written by a newer version is refused.
 *
 * The URL is a secret: `location` and every error show it without the password.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { newerVersionError, parseDocument, SCHEMA_VERSION } from "./document.js";
import { StateError } from "./errors.js";
import { decisionId, FASTEST_IDLE_MS, type StoreOptions } from "./FileStore.js";
import { scopeInRepo } from "./identity.js";
import {
  type Decision,
  type DecisionKind,
  type DecisionTarget,
  type ImportResult,
  type LivingMessage,
  type LockOptions,
  type NewDecision,
  type PutResult,
  type ScopeRecord,
  type ScopeWrite,
  type SeenAlert,
  type StateDocument,
  type StateStore,
  type TurnTaken,
} from "./types.js";

/** Migrations: MIGRATIONS[n] brings the schema from version n to n + 1. */
const MIGRATIONS: string[] = [
  `CREATE TABLE socket_notify_scopes (
     key text PRIMARY KEY,
     alerts jsonb NOT NULL,
     message jsonb,
     commit text,
     updated_at timestamptz NOT NULL,
     version integer NOT NULL
   );
   CREATE TABLE socket_notify_decisions (
     id text PRIMARY KEY,
     kind text NOT NULL,
     target jsonb NOT NULL,
     decided_by text NOT NULL,
     decided_at timestamptz NOT NULL,
     reason text,
     until timestamptz
   );
   CREATE TABLE socket_notify_claims (id text PRIMARY KEY, expires_ms double precision NOT NULL);
   CREATE INDEX socket_notify_claims_expiry ON socket_notify_claims (expires_ms);
   CREATE TABLE socket_notify_slots (key text PRIMARY KEY, next_ms double precision NOT NULL);`,
  // 2: shared pacing takes turns: who holds a key's turn, until when, and its fastest round trip.
  `ALTER TABLE socket_notify_slots ADD COLUMN holder text, ADD COLUMN held_until_ms double precision,
     ADD COLUMN fastest_ms double precision;`,
];
if (MIGRATIONS.length !== SCHEMA_VERSION) throw new Error("PostgresStore: MIGRATIONS and SCHEMA_VERSION disagree");

const DEFAULT_LOCK_WAIT_MS = 120_000;
/** Expired claims each `claim` removes at most (more than the one row it may add). */
export const CLAIM_SWEEP = 100;
/** Advisory-lock key space of socket-notify's migrations (any constant other apps are unlikely to use). */
const MIGRATION_LOCK = "socket-notify:migrations";

/** `postgres://user:****@host:5432/db`: what may be shown. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "****";
    u.search = "";
    return u.toString();
  } catch {
    return "postgres://(not a valid URL)";
  }
}

function describeConnectError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  // pg's messages name users, hosts and databases but never the password; still keep to the code
  // and PostgreSQL's own short text.
  if (err.code && /^[0-9A-Z]{5}$/.test(err.code)) return `${err.code}: ${err.message ?? ""}`.trim();
  return err.code ?? (err.message?.includes("timeout") ? "connection timeout" : "cannot connect");
}

interface ScopeRow {
  key: string;
  alerts: SeenAlert[];
  message: LivingMessage | null;
  commit: string | null;
  updated_at: Date;
  version: number;
}

interface DecisionRow {
  id: string;
  kind: DecisionKind;
  target: DecisionTarget;
  decided_by: string;
  decided_at: Date;
  reason: string | null;
  until: Date | null;
}

function scopeOf(r: ScopeRow): ScopeRecord {
  return {
    key: r.key,
    alerts: r.alerts,
    ...(r.message ? { message: r.message } : {}),
    ...(r.commit !== null ? { commit: r.commit } : {}),
    updatedAt: r.updated_at.toISOString(),
    version: r.version,
  };
}

function decisionOf(r: DecisionRow): Decision {
  return {
    id: r.id,
    kind: r.kind,
    target: r.target,
    by: r.decided_by,
    at: r.decided_at.toISOString(),
    ...(r.reason !== null ? { reason: r.reason } : {}),
    ...(r.until !== null ? { until: r.until.toISOString() } : {}),
  };
}

export class PostgresStore implements StateStore {
  readonly engine = "postgres" as const;
  readonly #pool: pg.Pool;
  /** withLock's connections, apart from the queries' (a lock is held while its holder queries). */
  readonly #locks: pg.Pool;
  /** Per lock name: settles when this process's last caller for it is done. */
  readonly #queued = new Map<string, Promise<void>>();
  readonly #now: (() => number) | undefined;

  private constructor(
    readonly location: string,
    pool: pg.Pool,
    locks: pg.Pool,
    options: StoreOptions,
  ) {
    this.#pool = pool;
    this.#locks = locks;
    this.#now = options.now;
  }

  /** Connects, migrates (or refuses a newer schema), and returns the store. */
  static async open(url: string, options: StoreOptions = {}): Promise<PostgresStore> {
    const location = redactDatabaseUrl(url);
    const [pool, locks] = [4, 8].map((max) => {
      const p = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 15_000, idleTimeoutMillis: 5_000 });
      // An idle connection the server closes must not crash the process; the next query reconnects.
      p.on("error", () => {});
      return p;
    }) as [pg.Pool, pg.Pool];
    const store = new PostgresStore(location, pool, locks, options);
    try {
      await store.#migrate();
    } catch (e) {
      await Promise.all([pool.end().catch(() => {}), locks.end().catch(() => {})]);
      if (e instanceof StateError) throw e;
      throw new StateError("state_unusable", `state ${location}: ${describeConnectError(e)}`, {
        hint: "check that PostgreSQL is running and the URL's host, port, user, password and database are right",
      });
    }
    return store;
  }

  /**
   * A connection of our own (a lock, a transaction). A connection the server drops while it is
   * checked out emits 'error', which would end the process if nobody listened: the query in
   * progress fails instead, and release() discards the connection.
   */
  async #connect(pool: pg.Pool = this.#pool): Promise<pg.PoolClient> {
    let c: pg.PoolClient;
    try {
      c = await pool.connect();
    } catch (e) {
      throw new StateError("state_unusable", `state ${this.location}: ${describeConnectError(e)}`, {
        hint: "check that PostgreSQL is reachable",
      });
    }
    if (!c.listenerCount("error")) c.on("error", () => {});
    return c;
  }

  #clock(): number {
    return (this.#now ?? Date.now)();
  }

  async #migrate(): Promise<void> {
    const c = await this.#connect();
    try {
      await c.query("BEGIN");
      await c.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [MIGRATION_LOCK]);
      await c.query("CREATE TABLE IF NOT EXISTS socket_notify_meta (key text PRIMARY KEY, value text NOT NULL)");
      const r = await c.query<{ value: string }>("SELECT value FROM socket_notify_meta WHERE key = 'schema_version'");
      const current = r.rows[0] ? Number(r.rows[0].value) : 0;
      if (current > SCHEMA_VERSION) throw newerVersionError(`state ${this.location}`, current);
      for (let v = current; v < SCHEMA_VERSION; v++) await c.query(MIGRATIONS[v] as string);
      if (current < SCHEMA_VERSION)
        await c.query(
          `INSERT INTO socket_notify_meta (key, value) VALUES ('schema_version', $1)
           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
          [String(SCHEMA_VERSION)],
        );
      await c.query("COMMIT");
    } catch (e) {
      await c.query("ROLLBACK").catch(() => {});
      throw e;
    } finally {
      c.release();
    }
  }

  async #query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.#pool.query<R>(sql, params);
    } catch (e) {
      throw new StateError("state_unusable", `state ${this.location}: ${describeConnectError(e)}`, {
        hint: "check that PostgreSQL is reachable",
      });
    }
  }

  async getScope(key: string): Promise<ScopeRecord | undefined> {
    const r = await this.#query<ScopeRow>("SELECT * FROM socket_notify_scopes WHERE key = $1", [key]);
    return r.rows[0] ? scopeOf(r.rows[0]) : undefined;
  }

  async scopes(options: { repo?: string } = {}): Promise<ScopeRecord[]> {
    const { repo } = options;
    if (repo === undefined)
      return (await this.#query<ScopeRow>("SELECT * FROM socket_notify_scopes ORDER BY key")).rows.map(scopeOf);
    // The database narrows by the repository as a word of the key (LIKE, its wildcards escaped);
    // the key's parse decides, as a destination name could hold the same word.
    const word = `% ${repo.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)} %`;
    const r = await this.#query<ScopeRow>(
      "SELECT * FROM socket_notify_scopes WHERE lower(key) LIKE $1 ESCAPE '\\' ORDER BY key",
      [word],
    );
    return r.rows.map(scopeOf).filter((s) => scopeInRepo(s.key, repo));
  }

  async putScope(record: ScopeWrite, expectedVersion: number): Promise<PutResult> {
    const at = new Date(this.#clock());
    const params = [
      record.key,
      JSON.stringify(record.alerts),
      record.message ? JSON.stringify(record.message) : null,
      record.commit ?? null,
      at,
    ];
    const r =
      expectedVersion === 0
        ? await this.#query<ScopeRow>(
            `INSERT INTO socket_notify_scopes (key, alerts, message, commit, updated_at, version)
             VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT (key) DO NOTHING RETURNING *`,
            params,
          )
        : await this.#query<ScopeRow>(
            `UPDATE socket_notify_scopes SET alerts = $2, message = $3, commit = $4, updated_at = $5, version = version + 1
             WHERE key = $1 AND version = $6 RETURNING *`,
            [...params, expectedVersion],
          );
    if (r.rows[0]) return { ok: true, record: scopeOf(r.rows[0]) };
    return { ok: false, current: await this.getScope(record.key) };
  }

  async withLock<T>(name: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
    const until = Date.now() + (options.waitMs ?? DEFAULT_LOCK_WAIT_MS);
    const before = this.#queued.get(name) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((r) => (done = r));
    const last = before.then(() => mine);
    this.#queued.set(name, last);
    try {
      let timer: NodeJS.Timeout | undefined;
      const turn = await Promise.race([
        before.then(() => true),
        new Promise<false>((r) => (timer = setTimeout(() => r(false), Math.max(0, until - Date.now())))),
      ]);
      clearTimeout(timer);
      if (!turn) throw this.#locked(name);
      return await this.#sessionLock(name, fn, until);
    } finally {
      done();
      if (this.#queued.get(name) === last) this.#queued.delete(name);
    }
  }

  #locked(name: string): StateError {
    return new StateError(
      "state_locked",
      `state ${this.location} (${name}): another socket-notify run holds its lock`,
      {
        hint: "wait for it to finish (a run that died releases it when its connection closes)",
      },
    );
  }

  async #sessionLock<T>(name: string, fn: () => Promise<T>, until: number): Promise<T> {
    const client = await this.#connect(this.#locks);
    let locked = false;
    try {
      let delay = 10;
      for (;;) {
        const r = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok", [
          `socket-notify:${name}`,
        ]);
        if (r.rows[0]?.ok) break;
        if (Date.now() > until) throw this.#locked(name);
        await new Promise((res) => setTimeout(res, delay));
        delay = Math.min(delay * 2, 100);
      }
      locked = true;
      return await fn();
    } finally {
      if (locked) {
        try {
          await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [`socket-notify:${name}`]);
          client.release();
        } catch (e) {
          // A connection we cannot unlock on is dropped, which releases the lock.
          client.release(e as Error);
        }
      } else client.release();
    }
  }

  async claim(id: string, ttlMs: number): Promise<boolean> {
    const now = this.#clock();
    // Every claim first forgets up to CLAIM_SWEEP expired ones (by the expiry index): a claim adds
    // at most one row, so expired rows never pile up, and no call does more than that bounded work.
    await this.#query(
      `DELETE FROM socket_notify_claims WHERE id IN (
         SELECT id FROM socket_notify_claims WHERE expires_ms <= $1 ORDER BY expires_ms LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [now, CLAIM_SWEEP],
    );
    const r = await this.#query(
      `INSERT INTO socket_notify_claims (id, expires_ms) VALUES ($1, $2)
       ON CONFLICT (id) DO UPDATE SET expires_ms = EXCLUDED.expires_ms WHERE socket_notify_claims.expires_ms <= $3
       RETURNING id`,
      [id, now + ttlMs, now],
    );
    return r.rowCount === 1;
  }

  async takeTurn(key: string, leaseMs: number): Promise<TurnTaken | { busyMs: number }> {
    const token = randomBytes(8).toString("hex");
    // One statement: free (or its holder's lease over) -> ours; on the database's clock unless a
    // test clock was given, so runners whose clocks disagree still space their sends.
    // EXCLUDED.next_ms is "now" there. An idle key forgets its fastest round trip.
    const r = await this.#query<{ next_ms: number; now_ms: number; fastest_ms: number | null }>(
      `WITH t AS (SELECT COALESCE($4::double precision, extract(epoch FROM clock_timestamp()) * 1000) AS now_ms)
       INSERT INTO socket_notify_slots AS s (key, next_ms, holder, held_until_ms, fastest_ms)
       SELECT $1, t.now_ms, $2, t.now_ms + $3, NULL FROM t
       ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder,
         held_until_ms = GREATEST(s.next_ms, EXCLUDED.next_ms) + $3,
         fastest_ms = CASE WHEN s.next_ms > EXCLUDED.next_ms - $5 THEN s.fastest_ms END
       WHERE s.holder IS NULL OR s.held_until_ms <= EXCLUDED.next_ms
       RETURNING s.next_ms, (SELECT now_ms FROM t) AS now_ms, s.fastest_ms`,
      [key, token, leaseMs, this.#now ? this.#now() : null, FASTEST_IDLE_MS],
    );
    const row = r.rows[0];
    if (row)
      return {
        token,
        waitMs: Math.max(0, Number(row.next_ms) - Number(row.now_ms)),
        ...(row.fastest_ms === null ? {} : { fastestMs: Number(row.fastest_ms) }),
      };
    const busy = await this.#query<{ busy_ms: number }>(
      `SELECT GREATEST(0, next_ms - COALESCE($2::double precision, extract(epoch FROM clock_timestamp()) * 1000)) AS busy_ms
       FROM socket_notify_slots WHERE key = $1`,
      [key, this.#now ? this.#now() : null],
    );
    return { busyMs: Number(busy.rows[0]?.busy_ms ?? 0) };
  }

  async endTurn(key: string, token: string, end: { nextInMs: number; rttMs?: number }): Promise<void> {
    await this.#query(
      `UPDATE socket_notify_slots SET
         next_ms = GREATEST(next_ms, COALESCE($5::double precision, extract(epoch FROM clock_timestamp()) * 1000) + $3),
         fastest_ms = LEAST(fastest_ms, $4::double precision),
         holder = CASE WHEN holder = $2 THEN NULL ELSE holder END,
         held_until_ms = CASE WHEN holder = $2 THEN NULL ELSE held_until_ms END
       WHERE key = $1`,
      [key, token, end.nextInMs, end.rttMs ?? null, this.#now ? this.#now() : null],
    );
  }

  async addDecision(d: NewDecision): Promise<Decision> {
    const decision: Decision = {
      ...d,
      id: d.id ?? decisionId(d.kind),
      at: d.at ?? new Date(this.#clock()).toISOString(),
    };
    await this.#upsertDecision(decision, this.#pool);
    return decision;
  }

  async #upsertDecision(d: Decision, q: Pick<pg.Pool, "query">): Promise<void> {
    await q.query(
      `INSERT INTO socket_notify_decisions (id, kind, target, decided_by, decided_at, reason, until)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET kind = $2, target = $3, decided_by = $4, decided_at = $5, reason = $6, until = $7`,
      [d.id, d.kind, JSON.stringify(d.target), d.by, d.at, d.reason ?? null, d.until ?? null],
    );
  }

  async removeDecision(id: string): Promise<Decision | undefined> {
    const r = await this.#query<DecisionRow>("DELETE FROM socket_notify_decisions WHERE id = $1 RETURNING *", [id]);
    return r.rows[0] ? decisionOf(r.rows[0]) : undefined;
  }

  async decisions(options: { includeExpired?: boolean; now?: number } = {}): Promise<Decision[]> {
    const now = new Date(options.now ?? this.#clock());
    const r = options.includeExpired
      ? await this.#query<DecisionRow>("SELECT * FROM socket_notify_decisions ORDER BY decided_at, id")
      : await this.#query<DecisionRow>(
          "SELECT * FROM socket_notify_decisions WHERE until IS NULL OR until > $1 ORDER BY decided_at, id",
          [now],
        );
    return r.rows.map(decisionOf);
  }

  async exportDocument(): Promise<StateDocument> {
    const decisions = await this.decisions({ includeExpired: true });
    const scopes = await this.#query<ScopeRow>("SELECT * FROM socket_notify_scopes ORDER BY key");
    return {
      format: "socket-notify-state",
      schemaVersion: SCHEMA_VERSION,
      decisions,
      scopes: scopes.rows.map(scopeOf),
    };
  }

  async importDocument(document: StateDocument, mode: "merge" | "replace" = "merge"): Promise<ImportResult> {
    const doc = parseDocument(document, "import");
    const c = await this.#connect();
    try {
      await c.query("BEGIN");
      if (mode === "replace") await c.query("DELETE FROM socket_notify_decisions; DELETE FROM socket_notify_scopes");
      for (const d of doc.decisions) await this.#upsertDecision(d, c);
      for (const s of doc.scopes)
        await c.query(
          `INSERT INTO socket_notify_scopes (key, alerts, message, commit, updated_at, version)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (key) DO UPDATE SET alerts = $2, message = $3, commit = $4, updated_at = $5, version = $6`,
          [
            s.key,
            JSON.stringify(s.alerts),
            s.message ? JSON.stringify(s.message) : null,
            s.commit ?? null,
            s.updatedAt,
            s.version,
          ],
        );
      await c.query("COMMIT");
    } catch (e) {
      await c.query("ROLLBACK").catch(() => {});
      if (e instanceof StateError) throw e;
      throw new StateError("state_unusable", `state ${this.location}: import failed (${describeConnectError(e)})`);
    } finally {
      c.release();
    }
    return { decisions: doc.decisions.length, scopes: doc.scopes.length };
  }

  async close(): Promise<void> {
    await Promise.all([this.#pool.end(), this.#locks.end()]);
  }
}
