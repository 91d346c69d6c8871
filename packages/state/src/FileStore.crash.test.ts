/**
 * The embedded engine across real processes: kill -9 in the middle of writing loses nothing that
 * was committed, and two processes on one host updating one living message lose no update.
 * The children run the built package (npm run build first).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileStore } from "./FileStore.js";

const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "sn-state-crash-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function child(script: string, ...args: string[]): { proc: ChildProcess; lines: string[]; done: Promise<number> } {
  const proc = spawn(process.execPath, ["--input-type=module", "-e", script, dist, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: string[] = [];
  let buf = "";
  proc.stdout?.on("data", (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split("\n");
    buf = parts.pop() ?? "";
    lines.push(...parts);
  });
  const done = new Promise<number>((resolve) => proc.on("close", (code, signal) => resolve(signal ? -1 : (code ?? 0))));
  return { proc, lines, done };
}

const WRITER = `
const [dist, path] = process.argv.slice(1);
const { FileStore } = await import(dist);
const s = FileStore.open(path);
for (let i = 0; ; i++) {
  await s.addDecision({ id: "c-" + i, kind: "mute", target: { ecosystem: "npm", name: "p" + i }, by: "crash-test", reason: "x".repeat(200) });
  process.stdout.write(i + "\\n"); // only after the write returned: committed
}`;

const UPDATER = `
const [dist, path, n] = process.argv.slice(1);
const { FileStore } = await import(dist);
const s = FileStore.open(path);
for (let i = 0; i < Number(n); i++) {
  await s.withLock("living d acme/web pr:1", async () => {
    const cur = await s.getScope("d acme/web pr:1");
    const count = Number(cur?.commit ?? 0) + 1;
    const r = await s.putScope({ key: "d acme/web pr:1", alerts: [], message: cur?.message ?? { channel: "C1", ts: String(process.pid) }, commit: String(count) }, cur?.version ?? 0);
    if (!r.ok) throw new Error("compare-and-swap failed under the lock");
  });
}
process.stdout.write("done\\n");`;

describe("embedded file store across processes", () => {
  beforeAll(() => {
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run npm run build first`);
  });

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
