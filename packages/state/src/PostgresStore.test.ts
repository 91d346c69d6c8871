import { afterAll, describe, expect, it } from "vitest";
import { openStateStore } from "./open.js";
import { CLAIM_SWEEP, PostgresStore, redactDatabaseUrl } from "./PostgresStore.js";
import { describeStoreConformance } from "./testing/conformance.js";
import { testPostgres } from "./testing/postgres.js";
import { assertBuilt, child, UPDATER } from "./testing/processes.js";
import { type StateStore } from "./types.js";

const pgServer = await testPostgres("the PostgreSQL state store tests");
afterAll(async () => {
  await pgServer?.stop();
});
const clock = { now: Date.parse("2026-12-01T10:00:00Z") };
const urls = new Map<StateStore, string>();

describeStoreConformance(
  "postgres",
  pgServer && {
    clock,
    open: async () => {
      const url = await pgServer.newDatabase();
      const s = await PostgresStore.open(url, { now: () => clock.now });
      urls.set(s, url);
      return s;
    },
    reopen: async (s: StateStore) => {
      const again = await PostgresStore.open(urls.get(s) as string, { now: () => clock.now });
      urls.set(again, urls.get(s) as string);
      return again;
    },
  },
);

describe.skipIf(!pgServer)("postgres state store", () => {
  const server = pgServer as NonNullable<typeof pgServer>;

  it("a postgres:// URL selects it; the location never shows the password", async () => {
    const url = await server.newDatabase();
    const withPassword = url.replace("postgres@", "postgres:hunter2-secret@");
    const s = await openStateStore(withPassword);
    expect(s.engine).toBe("postgres");
    expect(s.location).not.toContain("hunter2");
    expect(s.location).toContain("****");
    await s.close();
    expect(redactDatabaseUrl("postgresql://u:p%40ss@h:1/db?sslmode=require&password=x")).toBe(
      "postgresql://u:****@h:1/db",
    );
  });

  it("a server that is not there: one line without the password, exit code 2, a hint", async () => {
    const err = await openStateStore("postgres://me:hunter2-secret@127.0.0.1:1/nothing").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "state_unusable", exitCode: 2, hint: expect.stringContaining("PostgreSQL") });
    expect(String((err as Error).message)).not.toContain("hunter2");
    expect(String((err as Error).message)).toMatch(
      /^state postgres:\/\/me:\*\*\*\*@127\.0\.0\.1:1\/nothing: ECONNREFUSED$/,
    );
  });

  it("expired claims are removed as claims are made, at most CLAIM_SWEEP per claim, never a live one", async () => {
    const url = await server.newDatabase();
    const t = { now: Date.parse("2026-12-01T10:00:00Z") };
    const s = await PostgresStore.open(url, { now: () => t.now });
    for (let i = 0; i < CLAIM_SWEEP + 50; i++) expect(await s.claim(`old-${i}`, 1000)).toBe(true);
    expect(await s.claim("live", 60_000)).toBe(true);
    const pg = (await import("pg")).default;
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const rows = async () =>
      Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM socket_notify_claims")).rows[0]?.n);
    try {
      expect(await rows()).toBe(CLAIM_SWEEP + 51);
      t.now += 2000;
      // One claim: CLAIM_SWEEP of the expired ones go (and its own row comes).
      expect(await s.claim("a", 60_000)).toBe(true);
      expect(await rows()).toBe(50 + 2);
      expect(await s.claim("b", 60_000)).toBe(true);
      // The rest of the expired ones are gone; the live claims stay live.
      expect(await rows()).toBe(3);
      expect(await s.claim("live", 60_000)).toBe(false);
      expect(await s.claim("a", 60_000)).toBe(false);
    } finally {
      await c.end();
      await s.close();
    }
  });

  it("migrates once, opens again at the same version, and refuses a database written by a newer version", async () => {
    const url = await server.newDatabase();
    const [a, b] = await Promise.all([PostgresStore.open(url), PostgresStore.open(url)]);
    await a.close();
    await b.close();
    const pg = (await import("pg")).default;
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query("UPDATE socket_notify_meta SET value = '7' WHERE key = 'schema_version'");
    await c.end();
    await expect(openStateStore(url)).rejects.toMatchObject({
      code: "state_newer_version",
      message: expect.stringContaining("written by a newer socket-notify (state schema 7; this version knows up to 2)"),
    });
  });

  it("three processes updating one living message: one message, no lost update", async () => {
    assertBuilt();
    const url = await server.newDatabase();
    const runs = [child(UPDATER, url, "15"), child(UPDATER, url, "15"), child(UPDATER, url, "15")];
    for (const r of runs) expect(await r.done).toBe(0);
    const s = await PostgresStore.open(url);
    const scope = await s.getScope("d acme/web pr:1");
    expect(scope?.commit).toBe("45");
    expect(scope?.version).toBe(45);
    await s.close();
  }, 120_000);

  it("a lock holder whose connection dies releases the lock", async () => {
    const url = await server.newDatabase();
    const a = await PostgresStore.open(url);
    const b = await PostgresStore.open(url);
    let entered!: () => void;
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    const holding = a.withLock("living", async () => {
      entered();
      await new Promise(() => {}); // never returns: only the connection's end releases it
    });
    await inside;
    const pg = (await import("pg")).default;
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    // Kill the holder's backend, as if its process had died.
    await c.query(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()",
    );
    await c.end();
    expect(await b.withLock("living", async () => "taken", { waitMs: 30_000 })).toBe("taken");
    void holding;
    await b.close();
  });

  it("a burst of callers for one lock and for several, each querying while it holds its lock, all finish in turn", async () => {
    // More callers than pooled connections: waiting for a lock must not take the connections its
    // holder needs for its queries (serve's clicks on one message, or on several, at once).
    const s = await PostgresStore.open(await server.newDatabase());
    const inside = new Map<string, number>();
    const order: string[] = [];
    const work = Array.from({ length: 24 }, (_, i) => {
      const name = `message C1 ${i % 6 === 0 ? "b" : i % 6 === 1 ? "c" : "a"}`;
      return s.withLock(
        name,
        async () => {
          inside.set(name, (inside.get(name) ?? 0) + 1);
          expect(inside.get(name)).toBe(1);
          await s.addDecision({
            kind: "ack",
            target: { name: `pkg-${i}`, type: "envVars" },
            by: "U1",
            at: new Date().toISOString(),
          });
          await s.decisions();
          expect(await s.claim(`click ${i}`, 60_000)).toBe(true);
          inside.set(name, (inside.get(name) ?? 1) - 1);
          order.push(name);
        },
        { waitMs: 30_000 },
      );
    });
    await Promise.all(work);
    expect(order).toHaveLength(24);
    expect(await s.decisions()).toHaveLength(24);
    await s.close();
  });
});
