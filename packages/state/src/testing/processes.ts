/** Child processes running the built package (npm run build first), for cross-process tests. */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const dist = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run npm run build first`);
}

export function child(
  script: string,
  ...args: string[]
): { proc: ChildProcess; lines: string[]; done: Promise<number> } {
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

/** N increments of a counter kept in one living message's scope, each under the lock and by compare-and-swap. */
export const UPDATER = `
const [dist, path, n] = process.argv.slice(1);
const { openStateStore } = await import(dist);
const s = await openStateStore(path);
for (let i = 0; i < Number(n); i++) {
  await s.withLock("living d acme/web pr:1", async () => {
    const cur = await s.getScope("d acme/web pr:1");
    const count = Number(cur?.commit ?? 0) + 1;
    const r = await s.putScope({ key: "d acme/web pr:1", alerts: [], message: cur?.message ?? { channel: "C1", ts: String(process.pid) }, commit: String(count) }, cur?.version ?? 0);
    if (!r.ok) throw new Error("compare-and-swap failed under the lock");
  });
}
await s.close();
process.stdout.write("done\\n");`;
