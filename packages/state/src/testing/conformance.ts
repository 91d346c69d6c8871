/**
 * The store conformance suite: every engine runs these same tests (FileStore.test.ts,
 * PostgresStore.test.ts). Engine-specific behaviour (files, connections) is tested beside it.
 */
import { describe, expect, it } from "vitest";
import { type ScopeWrite, type StateStore } from "../types.js";

export interface ConformanceHarness {
  /** A fresh, empty store whose clock the test controls. */
  open(): Promise<StateStore>;
  /** The same store opened again (another process would see this). */
  reopen(store: StateStore): Promise<StateStore>;
  clock: { now: number };
}

const scope = (key: string, n: number): ScopeWrite => ({
  key,
  alerts: Array.from({ length: n }, (_, i) => ({
    fingerprint: `npm/p${i}@1.0.0 criticalCVE`,
    package: `npm/p${i}@1.0.0`,
    type: "criticalCVE",
    severity: "critical",
    title: `Critical CVE ${i} <b>&</b>`,
  })),
  // A report of several pages: its later pages' replies, and one an earlier, longer report left spare.
  message: {
    channel: "C123",
    ts: `1700000000.00000${n}`,
    pages: [`1700000001.00000${n}`, `1700000002.00000${n}`],
    spare: [`1700000003.00000${n}`],
  },
  commit: "1a2b3c4",
});

export function describeStoreConformance(engine: string, h: ConformanceHarness | undefined): void {
  describe.skipIf(!h)(`state store conformance: ${engine}`, () => {
    const harness = h as ConformanceHarness;

    it("scopes: compare-and-swap on the version; a stale writer changes nothing and sees what is there", async () => {
      const s = await harness.open();
      expect(await s.getScope("d acme/web pr:1")).toBeUndefined();
      const first = await s.putScope(scope("d acme/web pr:1", 2), 0);
      expect(first.ok && first.record.version).toBe(1);
      const stale = await s.putScope(scope("d acme/web pr:1", 5), 0);
      expect(stale.ok).toBe(false);
      expect(!stale.ok && stale.current?.alerts).toHaveLength(2);
      const second = await s.putScope(scope("d acme/web pr:1", 3), 1);
      expect(second.ok && second.record.version).toBe(2);
      const read = await s.getScope("d acme/web pr:1");
      expect(read).toMatchObject({ ...scope("d acme/web pr:1", 3), version: 2 });
      expect(Number.isNaN(Date.parse(read?.updatedAt ?? ""))).toBe(false);
      // Without a message (webhook mode) and without a commit.
      const bare = await s.putScope({ key: "w acme/web branch:main", alerts: [] }, 0);
      expect(bare.ok).toBe(true);
      expect(await s.getScope("w acme/web branch:main")).toEqual(expect.objectContaining({ alerts: [], version: 1 }));
      expect((await s.getScope("w acme/web branch:main"))?.message).toBeUndefined();
      await s.close();
    });

    it("scopes: listed whole or by repository (any case, the repository word of the key only)", async () => {
      const s = await harness.open();
      const keys = [
        "b/#y acme/web pr:1",
        "a/#x Acme/Web branch:main",
        "d acme/webyx pr:3", // what acme/web_x would match if `_` were a wildcard
        "d acme/web_x pr:2",
        "d acme/web-2 pr:4",
        "we acme/web ops other/repo pr:5", // the word in the destination's name, not the repository
        "k", // not a scope key's shape
      ];
      for (const [i, key] of keys.entries()) expect((await s.putScope(scope(key, i + 1), 0)).ok).toBe(true);
      const all = await s.scopes();
      expect(all.map((x) => x.key).sort()).toEqual([...keys].sort());
      const web = await s.scopes({ repo: "ACME/web" });
      expect(web.map((x) => x.key)).toEqual(["a/#x Acme/Web branch:main", "b/#y acme/web pr:1"]);
      expect(web[1]).toMatchObject({ ...scope("b/#y acme/web pr:1", 1), version: 1 });
      expect((await s.scopes({ repo: "acme/web_x" })).map((x) => x.key)).toEqual(["d acme/web_x pr:2"]);
      expect(await s.scopes({ repo: "acme/%" })).toEqual([]);
      expect((await s.scopes({ repo: "other/repo" })).map((x) => x.key)).toEqual(["we acme/web ops other/repo pr:5"]);
      await s.close();
    });

    it("scopes: of many concurrent first writes exactly one wins", async () => {
      const s = await harness.open();
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => s.putScope(scope("k", i + 1), 0)));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      await s.close();
    });

    it("locks: holders of one name never overlap, other names do not wait, a throw releases", async () => {
      const s = await harness.open();
      const events: string[] = [];
      const hold = (name: string, tag: string) =>
        s.withLock(name, async () => {
          events.push(`${tag}+`);
          await new Promise((r) => setTimeout(r, 30));
          events.push(`${tag}-`);
          return tag;
        });
      const results = await Promise.all([hold("a", "1"), hold("a", "2"), hold("a", "3")]);
      expect(results).toEqual(["1", "2", "3"]);
      for (let i = 0; i < events.length; i += 2) expect(events[i]?.[0]).toBe(events[i + 1]?.[0]);
      await expect(
        s.withLock("b", async () => {
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await s.withLock("b", async () => "again")).toBe("again");
      // A lock on another name is free while "a" is held.
      const inner = await s.withLock("a", () => s.withLock("c", async () => "nested"));
      expect(inner).toBe("nested");
      await s.close();
    });

    it("locks: a second store on the same state waits for the first holder", async () => {
      const s1 = await harness.open();
      const s2 = await harness.reopen(s1);
      const events: string[] = [];
      let entered!: () => void;
      const held = new Promise<void>((r) => {
        entered = r;
      });
      const first = s1.withLock("living", async () => {
        events.push("1+");
        entered();
        await new Promise((r) => setTimeout(r, 200));
        events.push("1-");
      });
      await held;
      await s2.withLock("living", async () => {
        events.push("2+");
      });
      await first;
      expect(events).toEqual(["1+", "1-", "2+"]);
      await s1.close();
      await s2.close();
    });

    it("claims: the first claim of an id wins, across stores, until it expires", async () => {
      const s1 = await harness.open();
      const s2 = await harness.reopen(s1);
      const results = await Promise.all([
        ...Array.from({ length: 4 }, () => s1.claim("interaction:abc", 60_000)),
        ...Array.from({ length: 4 }, () => s2.claim("interaction:abc", 60_000)),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await s2.claim("interaction:other", 60_000)).toBe(true);
      harness.clock.now += 61_000;
      expect(await s1.claim("interaction:abc", 60_000)).toBe(true);
      await s1.close();
      await s2.close();
    });

    it("pacing turns: one holder per key at a time, the next slot where the holder left it, a dead holder's lease runs out", async () => {
      const s1 = await harness.open();
      const s2 = await harness.reopen(s1);
      const first = await s1.takeTurn("C1", 5000);
      expect(first).toMatchObject({ waitMs: 0 });
      expect(first).not.toHaveProperty("fastestMs");
      // Held: nobody else gets C1 (whichever process asks), C2 is free.
      expect(await s2.takeTurn("C1", 5000)).toHaveProperty("busyMs");
      expect(await s2.takeTurn("C2", 5000)).toMatchObject({ waitMs: 0 });
      if (!("token" in first)) throw new Error("no turn");
      await s1.endTurn("C1", first.token, { nextInMs: 1000, rttMs: 40 });
      const second = await s2.takeTurn("C1", 5000);
      expect(second).toMatchObject({ waitMs: 1000, fastestMs: 40 });
      if (!("token" in second)) throw new Error("no turn");
      // A stale token (a holder whose lease ran out) moves the slot later, never earlier, and
      // does not free the turn someone else holds now.
      await s1.endTurn("C1", first.token, { nextInMs: 500, rttMs: 30 });
      expect(await s1.takeTurn("C1", 5000)).toHaveProperty("busyMs");
      // The holder dies: its lease (slot + 5 s) runs out and the next process takes the turn.
      harness.clock.now += 6_500;
      const third = await s1.takeTurn("C1", 5000);
      expect(third).toMatchObject({ waitMs: 0, fastestMs: 30 });
      if (!("token" in third)) throw new Error("no turn");
      await s1.endTurn("C1", third.token, { nextInMs: 0 });
      // Idle a while: the fastest round trip is forgotten (the network may have changed).
      harness.clock.now += 120_000;
      const later = await s2.takeTurn("C1", 5000);
      expect(later).toMatchObject({ waitMs: 0 });
      expect(later).not.toHaveProperty("fastestMs");
      await s1.close();
      await s2.close();
    });

    it("decisions: who, when, why and expiry; expired ones stop applying by themselves; remove by id", async () => {
      const s = await harness.open();
      const t0 = harness.clock.now;
      const mute = await s.addDecision({
        kind: "mute",
        target: { ecosystem: "npm", name: "lodash", version: "4.17.20", repo: "acme/web", type: "criticalCVE" },
        by: "alice",
        reason: 'patched in <fork> & "tested"',
        until: new Date(t0 + 86_400_000).toISOString(),
      });
      expect(mute.id).toMatch(/^mute-/);
      expect(mute.at).toBe(new Date(t0).toISOString());
      const ack = await s.addDecision({
        kind: "ack",
        target: { fingerprint: "npm/x@1 malware", repo: "acme/web" },
        by: "U123",
      });
      const snooze = await s.addDecision({
        kind: "snooze",
        target: { fingerprint: "npm/y@1 criticalCVE" },
        by: "U456",
        until: new Date(t0 + 3_600_000).toISOString(),
      });
      expect((await s.decisions()).map((d) => d.id).sort()).toEqual([mute.id, ack.id, snooze.id].sort());
      harness.clock.now += 2 * 3_600_000;
      expect((await s.decisions()).map((d) => d.id).sort()).toEqual([mute.id, ack.id].sort());
      expect(await s.decisions({ includeExpired: true })).toHaveLength(3);
      expect(await s.decisions({ now: t0 + 2 * 86_400_000 })).toEqual([ack]);
      const s2 = await harness.reopen(s);
      expect((await s2.decisions({ includeExpired: true })).find((d) => d.id === mute.id)).toEqual(mute);
      expect(await s2.removeDecision(mute.id)).toEqual(mute);
      expect(await s2.removeDecision(mute.id)).toBeUndefined();
      expect((await s.decisions()).map((d) => d.id)).toEqual([ack.id]);
      await s.close();
      await s2.close();
    });

    it("export and import: the same document back, merge keeps other entries, replace does not", async () => {
      const s = await harness.open();
      await s.putScope(scope("d acme/web pr:7", 2), 0);
      const mute = await s.addDecision({
        kind: "mute",
        target: { ecosystem: "npm", name: "left-pad" },
        by: "bob",
        reason: "r",
      });
      const doc = await s.exportDocument();
      expect(doc).toMatchObject({ format: "socket-notify-state", schemaVersion: 2 });
      expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);

      const other = await harness.open();
      await other.addDecision({ kind: "ack", target: { fingerprint: "npm/z@1 malware" }, by: "carol", id: "ack-keep" });
      expect(await other.importDocument(doc, "merge")).toEqual({ decisions: 1, scopes: 1 });
      const merged = await other.exportDocument();
      expect(merged.decisions.map((d) => d.id).sort()).toEqual(["ack-keep", mute.id].sort());
      expect(merged.scopes).toEqual(doc.scopes);
      await other.importDocument(doc, "replace");
      expect((await other.exportDocument()).decisions).toEqual(doc.decisions);
      await expect(other.importDocument({ ...doc, decisions: [{ id: "x" }] } as never)).rejects.toThrow(
        /decisions\[0\]/,
      );
      await expect(other.importDocument({ ...doc, schemaVersion: 99 })).rejects.toThrow(/newer socket-notify/);
      await s.close();
      await other.close();
    });
  });
}
