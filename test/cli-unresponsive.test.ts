/**
 * Runs that must end: the real CLI against loopback servers that never answer, drip their
 * headers or body, or send a body without end, in bot and webhook mode, and against input paths
 * that never end (/dev/zero, a FIFO, /dev/stdin). Whatever the network does, the process exits
 * within --timeout plus a small grace, the report says why, every undelivered message is in
 * the outbox, and the exit code is 1 (delivery) or 2 (bad input).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, symlink, truncate } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ALERTS, enableJsonReport, lines, runCli, type RunResult, tempDir } from "./cli-harness.js";
import { type Behaviour, misbehavingServer, type MisbehavingServer } from "./misbehaving-server.js";

const TOKEN = "xoxb-unresponsive-test-token-0123456789";
const HOOK_SECRET = "unresponsiveHookSecret0123456789";

let tmp: Awaited<ReturnType<typeof tempDir>>;
let reportPath: string;
let botConfig: string;
let webhookConfig: string;
let server: MisbehavingServer | undefined;

beforeAll(async () => {
  tmp = await tempDir("cli-unresponsive-");
  reportPath = await tmp.write("report.json", enableJsonReport(ALERTS));
  // Two channels, one by name (needs conversations.list) and one by ID: two planned messages.
  botConfig = await tmp.write("bot.json", {
    mode: "bot",
    bot_configs: [{ name: "sec", channels: ["security-alerts", "C0OPS000001"] }],
  });
  webhookConfig = await tmp.write("webhook.json", {
    mode: "webhook",
    url: [{ name: "security", url: { env: "HOOK_SECURITY" } }],
  });
});
afterAll(() => tmp.cleanup());
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Timed extends RunResult {
  seconds: number;
}

/** The safety net kills the child after this long: a run that needs it never ended on its own. */
const KILL_AFTER_MS = 40_000;

async function timedRun(args: string[], env: Record<string, string>, stdin?: string): Promise<Timed> {
  const started = process.hrtime.bigint();
  const r = await runCli(args, { env, killAfterMs: KILL_AFTER_MS, ...(stdin !== undefined ? { stdin } : {}) });
  return { ...r, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/**
 * It ended by itself (not killed), well before the safety net. The bound is generous (a loaded
 * 2-core machine): the point is "ends", as against "minutes later" or never.
 */
function endedWithin(r: Timed, timeoutS: number): void {
  expect(r.code, `killed after ${r.seconds.toFixed(1)} s; stderr: ${r.stderr}`).not.toBeNull();
  expect(r.seconds).toBeLessThan(timeoutS + 15);
}

async function outboxLines(path: string): Promise<Record<string, unknown>[]> {
  return lines(await readFile(path, "utf8")).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function noSecrets(r: RunResult, ...texts: string[]): void {
  for (const t of [r.stdout, r.stderr, ...texts]) {
    expect(t).not.toContain(TOKEN);
    expect(t).not.toContain(HOOK_SECRET);
  }
  expect(r.stderr).not.toMatch(/internal error/);
}

const botEnv = (s: MisbehavingServer) => ({ SOCKET_SLACK_BOT_TOKEN: TOKEN, SOCKET_SLACK_API_URL: `${s.url}/api/` });
const hookEnv = (s: MisbehavingServer) => ({ HOOK_SECURITY: `${s.url}/services/T000/B000/${HOOK_SECRET}` });
const method = (path: string) => path.split("/").pop() ?? "";

const BAD: Behaviour[] = ["hang", "drip-headers", "drip-body", "endless-body"];

describe("bot mode: setup (auth.test, conversations.list) that does not answer", () => {
  for (const behaviour of ["hang", "drip-headers", "drip-body"] as const) {
    it(`auth.test ${behaviour}s, the budget is shorter than the request timeout: exit 1 within --timeout, both messages in the outbox, the reason in the report`, async () => {
      server = await misbehavingServer((p) => (method(p) === "auth.test" ? behaviour : "ok"));
      const outbox = tmp.path(`setup-${behaviour}.jsonl`);
      // Default request timeout (10 s) > the 3 s budget: only the budget can end setup.
      const r = await timedRun(
        ["send", reportPath, "-c", botConfig, "--timeout", "3", "--outbox", outbox, "--json"],
        botEnv(server),
      );
      endedWithin(r, 3);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as {
        destinations: {
          status: string;
          error?: { code: string; message: string };
          message_results: { status: string; attempts: number }[];
        }[];
      };
      expect(report.destinations.map((d) => d.status)).toEqual(["failed", "failed"]);
      for (const d of report.destinations) {
        expect(d.error?.code).toBe("timeout");
        expect(d.error?.message).toMatch(/time budget \(3 s\).*setup/);
        expect(d.message_results.map((m) => m.attempts)).toEqual([0]);
      }
      const entries = await outboxLines(outbox);
      expect(entries.map((e) => e["target"]).sort()).toEqual(["#security-alerts", "C0OPS000001"]);
      expect(server.hits.get("/api/chat.postMessage")).toBeUndefined();
      noSecrets(r, await readFile(outbox, "utf8"));
    });
  }

  it("auth.test answers with a body without end: it is cut at the size cap at once, and the messages still go out", async () => {
    server = await misbehavingServer((p) => (method(p) === "auth.test" ? "endless-body" : "ok"));
    const r = await timedRun(["send", reportPath, "-c", botConfig, "--timeout", "10"], botEnv(server));
    endedWithin(r, 10);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/auth\.test failed \(network: network error: the response body was too large/);
    expect(server.hits.get("/api/chat.postMessage")).toBe(2);
    expect(server.bodyBytesWritten()).toBeLessThan(64 * 1024 * 1024);
    noSecrets(r);
  });

  it("conversations.list drips its body past the budget: exit 1 within --timeout, every message in the outbox, a readable summary", async () => {
    server = await misbehavingServer((p) => (method(p) === "conversations.list" ? "drip-body" : "ok"));
    const outbox = tmp.path("list-drip.jsonl");
    const r = await timedRun(
      ["send", reportPath, "-c", botConfig, "--timeout", "3", "--outbox", outbox],
      botEnv(server),
    );
    endedWithin(r, 3);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/timeout: not delivered within the run's time budget \(3 s\)/);
    expect(r.stderr).toMatch(/2 undelivered messages written to/);
    expect(await outboxLines(outbox)).toHaveLength(2);
    noSecrets(r);
  });

  it("a server that accepts connections and never reads them: exit 1 within --timeout, nothing lost", async () => {
    server = await misbehavingServer(() => "ok", { silent: true });
    const outbox = tmp.path("silent.jsonl");
    const r = await timedRun(
      ["send", reportPath, "-c", botConfig, "--timeout", "2", "--outbox", outbox],
      botEnv(server),
    );
    endedWithin(r, 2);
    expect(r.code).toBe(1);
    expect(await outboxLines(outbox)).toHaveLength(2);
    noSecrets(r);
  });

  it("--request-timeout bounds setup, not only the config's request_timeout: auth.test that hangs is given up and the messages still go out", async () => {
    server = await misbehavingServer((p) => (method(p) === "auth.test" ? "hang" : "ok"));
    // The config says 60 s per request, more than the budget; the flag says 1 s.
    const config = await tmp.write("bot-slow.json", {
      mode: "bot",
      request_timeout: 60,
      bot_configs: [{ name: "sec", channels: ["security-alerts", "C0OPS000001"] }],
    });
    const r = await timedRun(
      ["send", reportPath, "-c", config, "--timeout", "20", "--request-timeout", "1"],
      botEnv(server),
    );
    endedWithin(r, 20);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/auth\.test failed \(timeout: no response within 1 s\); sending anyway/);
    expect(server.hits.get("/api/chat.postMessage")).toBe(2);
    noSecrets(r);
  });
});

describe("bot mode: chat.postMessage that does not end", () => {
  for (const behaviour of BAD) {
    it(`chat.postMessage ${behaviour}s: the run (and the process) ends within --timeout; retried per --request-timeout; outbox complete`, async () => {
      server = await misbehavingServer((p) => (method(p) === "chat.postMessage" ? behaviour : "ok"));
      const outbox = tmp.path(`post-${behaviour}.jsonl`);
      const r = await timedRun(
        ["send", reportPath, "-c", botConfig, "--timeout", "4", "--request-timeout", "1", "--outbox", outbox, "--json"],
        botEnv(server),
      );
      endedWithin(r, 4);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { destinations: { status: string; error?: { code: string } }[] };
      expect(report.destinations.map((d) => d.status)).toEqual(["failed", "failed"]);
      expect(await outboxLines(outbox)).toHaveLength(2);
      // The request timeout (1 s), not the budget, cut the first tries: there were retries.
      expect(server.hits.get("/api/chat.postMessage")).toBeGreaterThan(2);
      // Each response is read to the 8 MiB cap at most (plus what socket buffers hold), not without end.
      if (behaviour === "endless-body")
        expect(server.bodyBytesWritten()).toBeLessThan(server.hits.get("/api/chat.postMessage")! * 16 * 1024 * 1024);
      noSecrets(r, await readFile(outbox, "utf8"));
    });
  }
});

describe("webhook mode: a response that does not end", () => {
  for (const [behaviour, status] of [
    ["endless-body", 500],
    ["endless-body", 200],
    ["drip-body", 500],
    ["drip-headers", 200],
    ["hang", 200],
    ["reset", 200],
  ] as const) {
    it(`HTTP ${status} ${behaviour}: exit within --timeout, memory bounded, the message in the outbox unless Slack's 200 said it arrived`, async () => {
      server = await misbehavingServer(() => [behaviour, status]);
      const outbox = tmp.path(`hook-${behaviour}-${status}.jsonl`);
      const r = await timedRun(
        [
          "send",
          reportPath,
          "-c",
          webhookConfig,
          "--timeout",
          "4",
          "--request-timeout",
          "1",
          "--outbox",
          outbox,
          "--json",
        ],
        hookEnv(server),
      );
      endedWithin(r, 4);
      // A 200 status is Slack's "delivered", whatever the body does after it.
      const delivered = status === 200 && (["endless-body", "drip-body"] as string[]).includes(behaviour);
      expect(r.code, r.stderr).toBe(delivered ? 0 : 1);
      const report = JSON.parse(r.stdout) as { destinations: { status: string; error?: { code: string } }[] };
      expect(report.destinations[0]!.status).toBe(delivered ? "sent" : "failed");
      if (!delivered) expect(await outboxLines(outbox)).toHaveLength(1);
      // Without a bound the client reads an endless body at hundreds of MB/s.
      expect(server.bodyBytesWritten()).toBeLessThan(64 * 1024 * 1024);
      noSecrets(r);
    });
  }
});

describe("input paths that never end are refused: regular files only (stdin only via -), with a clear one-line error", () => {
  const cases: [string, () => Promise<string>][] = [
    ["/dev/zero", async () => "/dev/zero"],
    ["/dev/urandom", async () => "/dev/urandom"],
    [
      "a FIFO nobody writes to",
      async () => {
        const p = tmp.path(`fifo-${Math.random().toString(36).slice(2)}`);
        execFileSync("mkfifo", [p]);
        return p;
      },
    ],
    [
      "a symlink to /dev/stdin",
      async () => {
        const p = tmp.path(`stdin-link-${Math.random().toString(36).slice(2)}.json`);
        await symlink("/dev/stdin", p);
        return p;
      },
    ],
    ["a directory", async () => tmp.dir],
  ];
  for (const [what, make] of cases) {
    it(`the scan report is ${what}: exit 2 at once, naming the file`, async () => {
      const path = await make();
      // stdin stays open and never ends: reading it (via the symlink) would hang.
      const r = await timedRun(["send", path, "-c", webhookConfig, "--dry-run"], {});
      endedWithin(r, 0);
      expect(r.code).toBe(2);
      const err = lines(r.stderr);
      expect(err[0]).toMatch(
        new RegExp(
          `^socket-notify: error: ${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: cannot read the scan report \\((not a regular file|it is a directory)`,
        ),
      );
      expect(err[1]).toMatch(/^ {2}hint: /);
      expect(err).toHaveLength(2);
    });

    it(`--facts is ${what}: exit 2 at once, naming the file`, async () => {
      const path = await make();
      const r = await timedRun(["send", reportPath, "-c", webhookConfig, "--dry-run", "--facts", path], {});
      endedWithin(r, 0);
      expect(r.code).toBe(2);
      expect(lines(r.stderr)[0]).toMatch(/cannot read the reachability facts \((not a regular file|it is a directory)/);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    });

    it(`retry's outbox is ${what}: exit 2 at once, naming the file, and no lock file beside it`, async () => {
      const path = await make();
      const r = await timedRun(["retry", path, "-c", webhookConfig], {});
      endedWithin(r, 0);
      expect(r.code).toBe(2);
      expect(lines(r.stderr)[0]).toMatch(/cannot read the outbox \((not a regular file|it is a directory)/);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
      expect(existsSync(`${path}.retry.lock`)).toBe(false);
      expect(existsSync(`${path}.lock`)).toBe(false);
    });
  }

  it("a sparse report larger than the cap is refused before it is read", async () => {
    const p = tmp.path("huge.json");
    await tmp.write("huge.json", "");
    await truncate(p, 2 * 1024 * 1024 * 1024 + 1);
    const r = await timedRun(["send", p, "-c", webhookConfig, "--dry-run"], {});
    endedWithin(r, 0);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read the scan report \(2048 MiB, more than the 2048 MiB a run reads\)/);
  });

  it("- still reads standard input", async () => {
    const r = await timedRun(
      ["send", "-", "-c", webhookConfig, "--dry-run"],
      {},
      JSON.stringify(enableJsonReport(ALERTS)),
    );
    expect(r.code, r.stderr).toBe(0);
  });
});
