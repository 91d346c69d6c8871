// Figure 5: cold start of `socket-notify send --dry-run` on a 10-alert report ÷ `node -e 0`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { report } from "./workload.mjs";

function wall(cmd, args, env) {
  const t = performance.now();
  const r = spawnSync(cmd, args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return { ms: performance.now() - t, r };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function coldStart(bin, { runs = 15 } = {}) {
  if (!existsSync(bin)) return { skipped: `${bin} not built` };
  const dir = mkdtempSync(join(tmpdir(), "socket-notify-bench-"));
  try {
    const input = join(dir, "report.json");
    const config = join(dir, "socket-notify.json");
    writeFileSync(input, JSON.stringify(report(10)));
    // Webhook mode, as most users run it; a dry run sends nothing, so the URL is never used.
    writeFileSync(config, JSON.stringify({ url: "http://127.0.0.1:9/services/T0001/B0001/benchcoldstart" }));
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, CI: "true" };
    const args = [bin, "send", input, "--dry-run", "--json", "--config", config];
    // It must actually do the dry run: a stub that exits 0 at once would look fast.
    const check = spawnSync(process.execPath, args, { env, encoding: "utf8" });
    let report_;
    try {
      report_ = JSON.parse(check.stdout);
    } catch {
      /* not a report */
    }
    if (check.status !== 0 || !report_ || report_.dry_run !== true) {
      const why =
        check.status !== 0
          ? `exit ${check.status}: ${(check.stderr || check.stdout).trim().split("\n")[0]}`
          : `stdout is not a dry-run JSON report: ${JSON.stringify(check.stdout.trim().slice(0, 60))}`;
      return { skipped: `send --dry-run --json not working yet (${why})` };
    }
    const cli = [];
    const bare = [];
    wall(process.execPath, ["-e", "0"], env); // warm the file cache for both
    for (let i = 0; i < runs; i++) {
      // Interleaved, so load changes on the machine hit both the same way.
      bare.push(wall(process.execPath, ["-e", "0"], env).ms);
      cli.push(wall(process.execPath, args, env).ms);
    }
    return { cliMs: median(cli), nodeMs: median(bare), ratio: median(cli) / median(bare), runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
