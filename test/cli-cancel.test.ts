/**
 * Issue 15 §1 end to end: the real CLI process is killed (SIGINT, SIGTERM) in the middle of a
 * send against the emulator. Nothing is lost: every planned message is either in the
 * emulator's record or in the outbox, the summary and --json report are printed, the exit code
 * is 130/143, and `socket-notify retry` then delivers exactly the rest, with no duplicate.
 *
 * Synchronisation is on real events (a message arriving at the emulator), never on sleeps.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BIN, emulatorHookEnv, enableJsonReport, issue, lines, REPO, runCli, tempDir } from "./cli-harness.js";

let emu: SlackEmulator;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let reportPath: string;
let config: string;

// Five routes, one alert each (so every message is told apart by its package): a1..a3 share the
// "security" hook (one queue, paced at 1 message/s), b1 and b2 share "ops".
const ROUTES: Record<string, { hook: string; type: string; pkg: string }> = {
  a1: { hook: "security", type: "malware", pkg: "pkg-a1" },
  a2: { hook: "security", type: "envVars", pkg: "pkg-a2" },
  a3: { hook: "security", type: "didYouMean", pkg: "pkg-a3" },
  b1: { hook: "ops", type: "networkAccess", pkg: "pkg-b1" },
  b2: { hook: "ops", type: "shellAccess", pkg: "pkg-b2" },
};

const env = (): Record<string, string> => emulatorHookEnv(emu, ["security", "ops"]);

beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
  tmp = await tempDir("cli-cancel-");
  reportPath = await tmp.write(
    "report.json",
    enableJsonReport(Object.values(ROUTES).map((r) => issue(r.type, "high", r.pkg))),
  );
  config = await tmp.write("config.json", {
    mode: "webhook",
    url: Object.entries(ROUTES).map(([name, r]) => ({ name, url: { env: `HOOK_${r.hook.toUpperCase()}` } })),
    url_configs: Object.fromEntries(Object.entries(ROUTES).map(([name, r]) => [name, { alert_types: [r.type] }])),
  });
});

afterAll(async () => {
  await emu?.close();
  await tmp?.cleanup();
});

beforeEach(() => emu.reset());

interface Killed {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Start the CLI; once `ready()` holds (polled), send `signals` to it (a second one only after the first was acknowledged on stderr). */
function runAndSignal(args: string[], ready: () => boolean, signals: NodeJS.Signals[]): Promise<Killed> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const safety = setTimeout(() => child.kill("SIGKILL"), 40_000);
    const poll = setInterval(() => {
      if (!ready()) return;
      clearInterval(poll);
      child.kill(signals[0]);
      if (signals[1]) {
        const second = setInterval(() => {
          if (!/starting nothing new/.test(stderr)) return;
          clearInterval(second);
          child.kill(signals[1]);
        }, 10);
      }
    }, 10);
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(safety);
      clearInterval(poll);
      done({ code, stdout, stderr });
    });
  });
}

/** Package names that arrived, per hook, each as often as it arrived. */
function arrived(): string[] {
  return emu
    .messages()
    .flatMap((m) =>
      Object.values(ROUTES)
        .filter((r) => r.hook === m.hook && JSON.stringify(m.payload).includes(r.pkg))
        .map((r) => r.pkg),
    )
    .sort();
}

async function outbox(file: string): Promise<Record<string, unknown>[]> {
  let text = "";
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  // Valid JSON lines, every one of them.
  return lines(text).map((l) => JSON.parse(l) as Record<string, unknown>);
}

const pkgOf = (route: unknown): string => ROUTES[route as string]!.pkg;

describe("a send killed mid-run loses nothing", () => {
  for (const [signal, exitCode] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(`${signal}: in-flight requests finish, the rest goes to the outbox, exit ${exitCode}; retry delivers exactly the rest`, async () => {
      const file = tmp.path(`outbox-${signal}.jsonl`);
      // "ops" is slow (its first request is in flight when the signal comes, and finishes within
      // the grace period); "security" is fast but paced, so a2/a3 are still queued.
      emu.fault({ target: { hook: "ops" }, kind: "latency", ms: 1500 });
      const r = await runAndSignal(
        ["send", reportPath, "-c", config, "--outbox", file, "--json"],
        () => emu.messages({ hook: "security" }).length >= 1,
        [signal],
      );
      expect(r.code).toBe(exitCode);
      expect(r.stderr).toContain(`socket-notify: ${signal}: starting nothing new`);
      expect(r.stderr).toMatch(
        new RegExp(`socket-notify: cancelled by ${signal}: \\d+ undelivered messages? written to `),
      );
      const report = JSON.parse(r.stdout) as {
        cancelled: { signal: string; undelivered: number };
        destinations: { route: string; message_results: { status: string }[] }[];
      };
      expect(report.cancelled.signal).toBe(signal);

      const got = arrived();
      const saved = await outbox(file);
      const savedPkgs = saved.map((e) => pkgOf(e.route)).sort();
      // Every planned message is in exactly one place: arrived, or saved.
      expect([...got, ...savedPkgs].sort()).toEqual(
        Object.values(ROUTES)
          .map((x) => x.pkg)
          .sort(),
      );
      expect(saved.length).toBeGreaterThan(0);
      // b1 was in flight when the signal came: it was let finish.
      expect(got).toContain("pkg-b1");
      expect(report.cancelled.undelivered).toBe(saved.length);
      expect(saved.every((e) => e.error && (e.error as { code: string }).code === "cancelled")).toBe(true);
      // The report says the same as the emulator.
      const sentRoutes = report.destinations
        .filter((d) => d.message_results[0]?.status === "sent")
        .map((d) => pkgOf(d.route))
        .sort();
      expect(sentRoutes).toEqual(got);

      // retry delivers exactly what was missing.
      emu.reset();
      const retry = await runCli(["retry", file, "-c", config], { env: env() });
      expect(retry.code).toBe(0);
      expect([...got, ...arrived()].sort()).toEqual(
        Object.values(ROUTES)
          .map((x) => x.pkg)
          .sort(),
      );
      expect(await outbox(file)).toEqual([]);
    });
  }

  it("a request still unanswered after the grace period: saved as possible_duplicate; retry says so", async () => {
    const file = tmp.path("outbox-hang.jsonl");
    emu.fault({ target: { hook: "ops" }, kind: "hang", count: 1 });
    const r = await runAndSignal(
      ["send", reportPath, "-c", config, "--outbox", file],
      () => emu.messages({ hook: "security" }).length >= 1,
      ["SIGTERM"],
    );
    expect(r.code).toBe(143);
    const saved = await outbox(file);
    const b1 = saved.find((e) => e.route === "b1");
    expect(b1).toMatchObject({ possible_duplicate: true, error: { code: "cancelled" } });
    expect(saved.filter((e) => e.possible_duplicate)).toHaveLength(1);
    expect(r.stderr).toMatch(/\(1 may already be in Slack: a request was sent and not answered\)/);
    expect(r.stdout).toMatch(/note: 1 undelivered message may already be in Slack/);

    emu.reset();
    const retry = await runCli(["retry", file, "-c", config, "--json"], { env: env() });
    expect(retry.code).toBe(0);
    expect(retry.stderr).toContain(`note: 1 of ${saved.length} messages may already be in Slack`);
    expect(JSON.parse(retry.stdout)).toMatchObject({ delivered: saved.length, failed: 0, possible_duplicates: 1 });
  });

  it("without --outbox: the summary says how many were not sent and how to keep them next time", async () => {
    emu.fault({ target: { hook: "ops" }, kind: "latency", ms: 1500 });
    const r = await runAndSignal(
      ["send", reportPath, "-c", config],
      () => emu.messages({ hook: "security" }).length >= 1,
      ["SIGINT"],
    );
    expect(r.code).toBe(130);
    const missing = 5 - arrived().length;
    expect(missing).toBeGreaterThan(0);
    expect(r.stderr).toContain(
      `socket-notify: cancelled by SIGINT: ${missing} of 5 messages not delivered; they are not saved: pass --outbox FILE next time to keep them, then re-send with socket-notify retry FILE`,
    );
    // The summary is printed too.
    expect(r.stdout).toMatch(/^socket-notify: 5 alerts/m);
  });

  it("a second signal exits at once; the outbox stays valid JSON lines", async () => {
    const file = tmp.path("outbox-twice.jsonl");
    emu.fault({ target: { hook: "ops" }, kind: "hang", count: 10 });
    const r = await runAndSignal(
      ["send", reportPath, "-c", config, "--outbox", file],
      () => emu.messages({ hook: "security" }).length >= 1,
      ["SIGTERM", "SIGTERM"],
    );
    expect(r.code).toBe(143);
    await outbox(file); // parses, or does not exist
    // No lock left behind: the next run can use the outbox.
    emu.reset();
    const again = await runCli(["send", reportPath, "-c", config, "--outbox", file], { env: env() });
    expect(again.code).toBe(0);
  });
});

describe("a retry killed mid-run", () => {
  it("SIGTERM: what it delivered leaves the outbox, the rest stays; a second retry finishes it exactly once", async () => {
    const file = tmp.path("outbox-retry-cancel.jsonl");
    emu.fault({ target: { hook: "security" }, kind: "status", status: 404, error: "no_service", count: 1000 });
    emu.fault({ target: { hook: "ops" }, kind: "status", status: 404, error: "no_service", count: 1000 });
    await runCli(["send", reportPath, "-c", config, "--outbox", file], { env: env() });
    expect(await outbox(file)).toHaveLength(5);

    emu.reset();
    emu.fault({ target: { hook: "ops" }, kind: "latency", ms: 1500 });
    const r = await runAndSignal(["retry", file, "-c", config], () => emu.messages({ hook: "security" }).length >= 1, [
      "SIGTERM",
    ]);
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/socket-notify: cancelled by SIGTERM: \d\/5 delivered; \d messages? kept in /);
    const first = arrived();
    const left = await outbox(file);
    expect([...first, ...left.map((e) => pkgOf(e.route))].sort()).toEqual(
      Object.values(ROUTES)
        .map((x) => x.pkg)
        .sort(),
    );

    emu.reset();
    const again = await runCli(["retry", file, "-c", config], { env: env() });
    expect(again.code).toBe(0);
    expect([...first, ...arrived()].sort()).toEqual(
      Object.values(ROUTES)
        .map((x) => x.pkg)
        .sort(),
    );
    expect(await outbox(file)).toEqual([]);
  });
});
