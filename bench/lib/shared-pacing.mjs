// Shared pacing (issue 18): N `send` processes of the built CLI started at once, one per PR, all
// posting one message to ONE channel (bot mode) or ONE webhook, with state on PostgreSQL,
// against the emulator's strict limiter (1 message/s per channel and per webhook, burst 1,
// measured at arrival). "At once": N cold starts on a shared machine spread over seconds and
// starve each other of CPU, which says nothing about pacing; so in bot mode each process's
// auth.test is held (by a small proxy in front of the emulator) until all N have asked, and
// the N posts start together. The rate-limit bound is computed from when each process could
// first post (its auth.test answer; (N - 1) s when they are released together) and the
// makespan runs from the first of those moments to the last arrival. Webhook mode has no
// request before the post to hold: its figures are the 429s and the smallest gap.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator, strictAlert } from "@socket-notify/slack-emulator";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(root, "packages/cli/dist/bin.cjs");

/**
 * The test suite's throwaway PostgreSQL (packages/state/src/testing/postgres.ts, TypeScript),
 * compiled for this run: one harness for tests and bench.
 */
export async function benchPostgres() {
  const outfile = join(root, "bench", ".cache", "postgres.mjs");
  await build({
    entryPoints: [join(root, "packages/state/src/testing/postgres.ts")],
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    outfile,
    logLevel: "silent",
  });
  const { testPostgres } = await import(outfile);
  return testPostgres("bench: shared pacing");
}

/** A proxy to the emulator's Web API that answers no auth.test until `n` have arrived. */
async function barrier(emu, n) {
  let held = [];
  const release = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    if (req.url?.startsWith("/api/auth.test")) {
      held.push(1);
      const go = new Promise((r) => release.push(r));
      if (held.length >= n) for (const r of release.splice(0)) r();
      await go;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !["host", "connection", "content-length"].includes(k)),
    );
    const r = await fetch(new URL(req.url?.replace(/^\/api\//, "") ?? "", emu.apiUrl), {
      method: req.method,
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    res.writeHead(r.status, Object.fromEntries(r.headers));
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}/api/`,
    reset: () => {
      held = [];
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

/** The held auth.test waits for the slowest cold start: more than the default 10 s on a busy machine. */
const HELD = ["--request-timeout", "60"];

function run(args, env) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (c) => (stderr += c));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stderr }));
  });
}

function report(i) {
  return { scan_failed: false, repo: "acme/app", branch: `feature-${i}`, new_alerts: [strictAlert(`shared-pkg-${i}`)] };
}

/** One run of `processes` sends at once in `mode`, on a fresh database. */
async function once(pgServer, emu, gate, dir, mode, processes) {
  emu.reset();
  gate.reset();
  const url = await pgServer.newDatabase();
  const config = join(dir, `${mode}.json`);
  writeFileSync(
    config,
    JSON.stringify(
      mode === "bot"
        ? { mode, bot_configs: [{ name: "sec", channels: ["security-alerts"] }], state: { env: "STATE_URL" } }
        : { url: [{ env: "HOOK_SECURITY" }], state: { env: "STATE_URL" } },
    ),
  );
  const env =
    mode === "bot"
      ? { SOCKET_SLACK_BOT_TOKEN: "xoxb-emulator-bot-token", SOCKET_SLACK_API_URL: gate.url, STATE_URL: url }
      : { HOOK_SECURITY: emu.webhookUrl("security"), STATE_URL: url };
  const files = Array.from({ length: processes }, (_, i) => {
    const f = join(dir, `r-${mode}-${i}.json`);
    writeFileSync(f, JSON.stringify(report(i)));
    return f;
  });
  const t0 = Date.now();
  const runs = await Promise.all(
    files.map((f, i) => run(["send", f, "-c", config, "--pr", String(100 + i), ...(mode === "bot" ? HELD : [])], env)),
  );
  const wallMs = Date.now() - t0;
  const records = emu.records();
  const posts = records.filter((r) => (mode === "bot" ? r.method === "chat.postMessage" : r.kind === "webhook"));
  const at = (r) => Date.parse(r.at);
  const arrivals = posts.map(at).sort((a, b) => a - b);
  const out = {
    wallMs,
    status429: records.filter((r) => r.status === 429).length,
    delivered: posts.filter((r) => r.ok).length,
    failedRuns: runs.filter((r) => r.code !== 0).length,
    firstError: runs.find((r) => r.code !== 0)?.stderr.split("\n")[0],
    warnings: runs.flatMap((r) => r.stderr.split("\n").filter((l) => /warn|error|rate/i.test(l))).slice(0, 5),
    /** Between consecutive arrivals, ms: 1000 is the limit. */
    gaps: arrivals.slice(1).map((t, i) => t - arrivals[i]),
  };
  if (mode === "bot") {
    // When each process could first post: its auth.test's answer (one per process; the emulator
    // records when it answered). The best any pacing
    // can do with those start times: each arrival at its process's start or 1 s after the
    // previous one, whichever is later (earliest start first is optimal for one server).
    const ready = records
      .filter((r) => r.method === "auth.test")
      .map(at)
      .sort((a, b) => a - b);
    let t = ready[0];
    for (const r of ready.slice(1)) t = Math.max(r, t + 1000);
    out.boundMs = t - ready[0];
    out.makespanMs = arrivals.at(-1) - ready[0];
    out.readySpreadMs = ready.at(-1) - ready[0];
  }
  return out;
}

/**
 * Both modes, `runs` times each: every run's 429s and failures count; in bot mode the figure is
 * the best run's makespan over its bound (see `once`).
 */
export async function sharedPacing({ processes = 20, runs = 1 } = {}) {
  const pgServer = await benchPostgres();
  if (!pgServer) return undefined;
  const emu = await startEmulator({ rateLimit: "strict", workspaceRateLimit: false });
  const gate = await barrier(emu, processes);
  const dir = mkdtempSync(join(tmpdir(), "bench-shared-pacing-"));
  try {
    const out = { processes };
    for (const mode of ["bot", "webhook"]) {
      const all = [];
      for (let i = 0; i < runs; i++) all.push(await once(pgServer, emu, gate, dir, mode, processes));
      out[mode] = {
        runs: all,
        best:
          mode === "bot" ? all.reduce((a, b) => (b.makespanMs / b.boundMs < a.makespanMs / a.boundMs ? b : a)) : all[0],
        status429: all.reduce((n, r) => n + r.status429, 0),
        failed: all.reduce((n, r) => n + r.failedRuns + (processes - r.delivered), 0),
        minGapMs: Math.min(...all.flatMap((r) => r.gaps)),
      };
    }
    return out;
  } finally {
    await gate.close();
    await emu.close();
    await pgServer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
