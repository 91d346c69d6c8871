/**
 * The embedded engine across real processes: kill -9 in the middle of writing loses nothing that
 * was committed, and two processes on one host updating one living message lose no update.
 * The children run the built package (npm run build first).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileStore } from "./FileStore.js";
import { assertBuilt, child, UPDATER } from "./testing/processes.js";

const root = mkdtempSync(join(tmpdir(), "sn-state-crash-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const WRITER = `
const [dist, path] = process.argv.slice(1);
const { FileStore } = await import(dist);
const s = FileStore.open(path);
for (let i = 0; ; i++) {
  await s.addDecision({ id: "c-" + i, kind: "mute", target: { ecosystem: "npm", name: "p" + i }, by: "crash-test", reason: "x".repeat(200) });
  process.stdout.write(i + "\\n"); // only after the write returned: committed
}`;

describe("embedded file store across processes", () => {
  beforeAll(assertBuilt);

  it("kill -9 while writing loses nothing committed, and the file stays readable", async () => {
    const path = join(root, "crash", "state.json");
    for (let round = 0; round < 3; round++) {
      const w = child(WRITER, path);
      const want = 20 + round * 15;
      await expect.poll(() => w.lines.length, { timeout: 60_000, interval: 20 }).toBeGreaterThanOrEqual(want);
      w.proc.kill("SIGKILL");
      expect(await w.done).toBe(-1);
      const committed = w.lines.map((l) => `c-${l}`);
      const ids = new Set((await FileStore.open(path).decisions()).map((d) => d.id));
      for (const id of committed) expect(ids.has(id), `${id} was committed before the kill`).toBe(true);
    }
  }, 120_000);

  it("two processes updating one living message: one message, no lost update", async () => {
    const path = join(root, "two", "state.json");
    const a = child(UPDATER, path, "25");
    const b = child(UPDATER, path, "25");
    expect(await a.done).toBe(0);
    expect(await b.done).toBe(0);
    const scope = await FileStore.open(path).getScope("d acme/web pr:1");
    expect(scope?.commit).toBe("50");
    expect(scope?.version).toBe(50);
  }, 120_000);
});
