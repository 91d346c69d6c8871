import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileStore } from "./FileStore.js";
import { openStateStore } from "./open.js";
import { describeStoreConformance } from "./testing/conformance.js";
import { type StateStore } from "./types.js";

const root = mkdtempSync(join(tmpdir(), "sn-state-file-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const clock = { now: Date.parse("2026-12-01T10:00:00Z") };

describeStoreConformance("embedded file", {
  clock,
  open: async () => FileStore.open(join(root, `s${++n}`, "state.json"), { now: () => clock.now }),
  reopen: async (s: StateStore) => FileStore.open(s.location, { now: () => clock.now }),
});

describe("embedded file store", () => {
  it("a missing file is empty state; its directory is made; the file appears on the first write, private", async () => {
    const path = join(root, "fresh", "deep", "state.json");
    const s = await openStateStore(path);
    expect(s.engine).toBe("embedded");
    expect(await s.decisions()).toEqual([]);
    await s.addDecision({ kind: "mute", target: { ecosystem: "npm", name: "x" }, by: "me" });
    const doc = JSON.parse(readFileSync(path, "utf8"));
    expect(doc).toMatchObject({ format: "socket-notify-state", schemaVersion: 2 });
    const { statSync } = await import("node:fs");
    expect(statSync(path).mode & 0o077).toBe(0);
  });

  it("refuses a file written by a newer version, naming the file and what to do", async () => {
    const path = join(root, "newer.json");
    writeFileSync(path, JSON.stringify({ format: "socket-notify-state", schemaVersion: 3, decisions: [], scopes: [] }));
    await expect(openStateStore(path)).rejects.toMatchObject({
      code: "state_newer_version",
      exitCode: 2,
      message: `state ${path}: written by a newer socket-notify (state schema 3; this version knows up to 2)`,
      hint: expect.stringContaining("upgrade socket-notify"),
    });
  });

  it("a file written by schema 1 (pacing slots as bare times) is read and migrated", async () => {
    const path = join(root, "v1.json");
    const mute = {
      id: "mute-1",
      kind: "mute",
      target: { ecosystem: "npm", name: "x" },
      by: "me",
      at: "2026-01-01T00:00:00.000Z",
    };
    writeFileSync(
      path,
      JSON.stringify({
        format: "socket-notify-state",
        schemaVersion: 1,
        decisions: [mute],
        scopes: [],
        claims: {},
        slots: { "pace:a": 4102444800000 },
      }),
    );
    const s = await openStateStore(path);
    expect(await s.decisions()).toEqual([mute]);
    // The old slot is still honoured: its next time is far in the future.
    expect(await s.takeTurn("pace:a", 1000)).toMatchObject({ waitMs: expect.any(Number) });
    const doc = JSON.parse(readFileSync(path, "utf8"));
    expect(doc).toMatchObject({ schemaVersion: 2, slots: { "pace:a": { next: 4102444800000 } } });
    await s.close();
  });

  it("a damaged file is an error naming it (never silently reset), with a hint", async () => {
    const bad = join(root, "bad.json");
    writeFileSync(bad, "{ not json");
    await expect(openStateStore(bad)).rejects.toMatchObject({
      code: "state_unusable",
      message: `state ${bad}: not valid JSON`,
    });
    const wrong = join(root, "wrong.json");
    writeFileSync(
      wrong,
      JSON.stringify({ format: "socket-notify-state", schemaVersion: 1, decisions: [{ id: 1 }], scopes: [] }),
    );
    await expect(openStateStore(wrong)).rejects.toMatchObject({
      code: "state_invalid",
      path: expect.stringMatching(/^decisions\[0\]\./),
    });
    const other = join(root, "other.json");
    writeFileSync(other, JSON.stringify({ hello: 1 }));
    await expect(openStateStore(other)).rejects.toMatchObject({ code: "state_invalid" });
  });

  it("a lock left by a killed process is taken over", async () => {
    const path = join(root, "stale", "state.json");
    const s = FileStore.open(path);
    // pid 2^22+1 is above Linux's pid_max default: no such process.
    writeFileSync(
      `${path}.lock`,
      JSON.stringify({ host: (await import("node:os")).hostname(), pid: 4194305, token: "dead" }),
    );
    expect(await s.claim("x", 1000)).toBe(true);
  });
});
