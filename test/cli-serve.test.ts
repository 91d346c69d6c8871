/**
 * `socket-notify serve` end to end, as a user runs it: the built binary, the emulator, a real
 * state store. send posts alerts with buttons; serve (Socket Mode, then HTTP) takes a simulated
 * user's Mute: the message changes in place, the store has the mute with the Slack user, someone
 * not allowed changes nothing, the next send leaves the muted alert out (over both transports),
 * tampered or replayed HTTP gets 401; SIGTERM exits 0; a burst of clicks across a
 * refresh_requested and a dropped socket is applied click for click; two HTTP
 * replicas on one PostgreSQL that both get every request apply each click once, and so do two
 * Socket Mode replicas with one app token when the same envelope reaches both.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { FileStore, openStateStore } from "@socket-notify/state";
import { type ReceiveOptions, type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { testPostgres, type TestPostgres } from "../packages/state/src/testing/postgres.js";
import { BIN, emulatorBotEnv, enableJsonReport, issue, lines, runCli, tempDir } from "./cli-harness.js";

const APP_TOKEN = "xapp-1-A0000000001-emulator-app-token";
const SIGNING = "emulatorsigningsecret0000000001";
const CONFIG = {
  mode: "bot",
  bot_configs: [{ name: "security", channels: ["security-alerts"] }],
  interactive: { team_id: "T0001", app_id: "A0000000001", allow: ["S0000000001"] },
};

let tmp: Awaited<ReturnType<typeof tempDir>>;
let n = 0;
beforeAll(async () => {
  tmp = await tempDir("cli-serve-");
});
afterAll(() => tmp.cleanup());
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Serve {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `serve` and resolves once it logs `ready` (or rejects with its stderr if it exits first). */
async function serve(args: string[], env: Record<string, string>): Promise<Serve> {
  const child = spawn(process.execPath, [BIN, "serve", "--log-format", "json", ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  const logs: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((done) => child.on("close", done));
  const guard = setTimeout(() => child.kill("SIGKILL"), 120_000);
  cleanup.push(async () => {
    clearTimeout(guard);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      err += c;
      for (const l of c.split("\n").filter(Boolean)) {
        try {
          const o = JSON.parse(l) as Record<string, unknown>;
          logs.push(o);
          if (o["event"] === "ready") resolve();
        } catch {
          /* not JSON: an error line, kept in stderr */
        }
      }
    });
    void exited.then((code) => reject(new Error(`serve exited ${code} before ready:\n${err}`)));
  });
  await ready;
  return { child, logs, stderr: () => err, exited };
}

/** `send` of a report (the four alerts unless given); the report and config files, for a later send of the same scan. */
async function sendReport(
  env: Record<string, string>,
  alerts?: unknown[],
): Promise<{ report: string; config: string }> {
  const report = await tmp.write(`report${++n}.json`, enableJsonReport(alerts));
  const config = await tmp.write(`config${n}.json`, CONFIG);
  const r = await runCli(["send", report, "--config", config], { env });
  expect(r.code, r.stderr).toBe(0);
  return { report, config };
}

async function emulator(receive?: ReceiveOptions): Promise<SlackEmulator> {
  const emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false, ...(receive ? { receive } : {}) });
  cleanup.push(() => emu.close());
  return emu;
}

/** The alert message and the ts of the row of the alert for `pkg`. */
function alertMessage(emu: SlackEmulator): { ts: string; blocks: Record<string, unknown>[] } {
  const posted = emu.messages({ channel: "security-alerts" }).find((m) => m.method === "chat.postMessage")!;
  return { ts: posted.ts!, blocks: posted.payload["blocks"] as Record<string, unknown>[] };
}

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 50));
}

/** The Ack buttons still on the posted alert messages (every page), with their message's ts. */
function ackButtons(emu: SlackEmulator): { ts: string; value: string }[] {
  const latest = new Map<string, Record<string, unknown>[]>();
  for (const m of emu.messages({ channel: "security-alerts" })) {
    if (m.threadTs === undefined && m.ts !== undefined && m.method !== undefined)
      latest.set(m.ts, m.payload["blocks"] as Record<string, unknown>[]);
  }
  return [...latest].flatMap(([ts, blocks]) =>
    blocks
      .flatMap((b) => (Array.isArray(b["elements"]) ? (b["elements"] as Record<string, unknown>[]) : []))
      .filter((e) => e["action_id"] === "socket_notify.ack")
      .map((e) => ({ ts, value: String(e["value"]) })),
  );
}

const updates = (emu: SlackEmulator) =>
  emu.messages({ channel: "security-alerts" }).filter((m) => m.method === "chat.update");

describe("socket-notify serve", () => {
  it("Socket Mode: send posts buttons; alice (security-team) mutes evil-pkg; the message and the store change; carol is refused; SIGTERM exits 0", async () => {
    const emu = await emulator();
    const state = tmp.path(`state${++n}.json`);
    const env = { ...emulatorBotEnv(emu), SOCKET_SLACK_APP_TOKEN: APP_TOKEN, SOCKET_NOTIFY_STATE: state };
    await sendReport(env);
    const { ts, blocks } = alertMessage(emu);
    expect(blocks.filter((b) => b["type"] === "actions")).toHaveLength(4);
    const config = await tmp.write(`serve${n}.json`, CONFIG);
    const s = await serve(["--config", config, "--health-port", "0"], env);
    // Socket Mode's probes, on --health-port: ready once a connection is open.
    const health = String(s.logs.find((l) => l["event"] === "listening" && l["transport"] === "health")!["url"]);
    expect((await fetch(health)).status).toBe(200);
    expect((await fetch(health.replace("/readyz", "/healthz"))).status).toBe(200);

    const click = await emu.interact({
      user: "alice",
      channel: "security-alerts",
      ts,
      action_id: "socket_notify.mute",
      value: undefined,
      selected_option: "not_affected",
      // The first row is evil-pkg (malware, the riskiest): its Mute asks for confirmation, alice confirms.
      confirm: true,
    });
    expect(click).toMatchObject({ via: "socket", acked: true });
    await until(() => updates(emu).length > 0);
    const edited = JSON.stringify(updates(emu).at(-1)!.payload["blocks"]);
    expect(edited).toMatch(/🔇 Muted \(not affected\) by <@U1000000001>/);
    const store = FileStore.open(state);
    expect(await store.decisions()).toMatchObject([
      {
        kind: "mute",
        by: "U1000000001",
        reason: "not_affected",
        target: { name: "evil-pkg", type: "malware", repo: "acme/web" },
      },
    ]);
    await until(() => emu.messages({ channel: "security-alerts" }).some((m) => m.threadTs === ts));

    const refused = await emu.interact({
      user: "carol",
      channel: "security-alerts",
      ts,
      action_id: "socket_notify.ack",
    });
    expect(refused).toMatchObject({ acked: true });
    await until(() => s.logs.some((l) => l["event"] === "action_refused"));
    expect(await store.decisions()).toHaveLength(1);

    const cmd = await emu.command({
      user: "alice",
      channel: "security-alerts",
      command: "/socket-notify",
      text: "mutes",
    });
    expect(cmd.response).toMatchObject({ response_type: "ephemeral", text: expect.stringContaining("evil-pkg") });

    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);
    expect(s.logs.map((l) => l["event"])).toEqual(expect.arrayContaining(["ready", "decided", "stopping", "stopped"]));
    for (const secret of ["xoxb-emulator-bot-token", APP_TOKEN, SIGNING]) expect(s.stderr()).not.toContain(secret);
  });

  it("the next send honours what was clicked in serve: the muted and the snoozed alert are left out and counted, the acknowledged one is shown as acknowledged", async () => {
    const emu = await emulator();
    const state = tmp.path(`state${++n}.json`);
    const env = { ...emulatorBotEnv(emu), SOCKET_SLACK_APP_TOKEN: APP_TOKEN, SOCKET_NOTIFY_STATE: state };
    const { report, config } = await sendReport(env);
    const { ts } = alertMessage(emu);
    const s = await serve(["--config", config], env);

    // Each click acts on the first row that still has that button (the earlier rows are decided).
    const clicks = [
      { action_id: "socket_notify.mute", selected_option: "not_affected", confirm: true }, // evil-pkg (malware)
      { action_id: "socket_notify.snooze", selected_option: "7d" }, // lodahs (didYouMean)
      { action_id: "socket_notify.ack" }, // chatty-lib (networkAccess)
    ];
    for (const [i, c] of clicks.entries()) {
      const r = await emu.interact({ user: "alice", channel: "security-alerts", ts, ...c });
      expect(r, c.action_id).toMatchObject({ via: "socket", acked: true });
      await until(() => updates(emu).length > i);
    }
    const store = FileStore.open(state);
    const decided = (await store.decisions()).map((d) => [d.kind, d.target.name]);
    expect(decided).toEqual(
      expect.arrayContaining([
        ["mute", "evil-pkg"],
        ["snooze", "lodahs"],
        ["ack", "chatty-lib"],
      ]),
    );
    // `status` lists what is still open (the fourth alert) as well as the three decisions.
    const status = await emu.command({
      user: "alice",
      channel: "security-alerts",
      command: "/socket-notify",
      text: "status acme/web",
    });
    const text = (status.response as { response_type: string; text: string }).text;
    expect(status.response).toMatchObject({ response_type: "ephemeral" });
    expect(text).toMatch(/^\*Open alerts in acme\/web: 1\*/);
    expect(text).toContain("• npm/env-peeker@1.0.0 envVars (low) in acme/web (main)");
    expect(text).toContain("1 muted, 1 snoozed, 1 acknowledged");
    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);

    // The next scan of the same branch: the same four alerts.
    const next = await runCli(["send", report, "--config", config, "--json"], { env });
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout).state).toMatchObject({ muted: 1, snoozed: 1, acknowledged: 1 });
    const living = updates(emu).at(-1)!;
    expect(living.ts).toBe(ts);
    const body = JSON.stringify(living.payload["blocks"]);
    expect(body).toContain("2 alerts · 1 muted · 1 snoozed · 1 acknowledged");
    // Who acknowledged is a Slack mention, as serve shows it (no marker left behind).
    expect(body).toContain("acknowledged by <@U1000000001>");
    expect(body).not.toContain("\u2063");
    expect(String(living.payload["text"])).not.toContain("\u2063");
    expect(body).toContain("env-peeker");
    // Left out, and not listed as resolved either: they are still in the report.
    expect(body).not.toContain("evil-pkg");
    expect(body).not.toContain("lodahs");
    expect(body).not.toContain("Resolved since the last run");
    expect(
      emu.messages({ channel: "security-alerts" }).filter((m) => m.method === "chat.postMessage" && !m.threadTs),
    ).toHaveLength(1);
  });

  it("HTTP: a click through the signed request URL is applied; tampered, stale and replayed requests get 401 and change nothing", async () => {
    const emu = await emulator();
    const state = tmp.path(`state${++n}.json`);
    const env = { ...emulatorBotEnv(emu), SOCKET_SLACK_SIGNING_SECRET: SIGNING, SOCKET_NOTIFY_STATE: state };
    await sendReport(env);
    const { ts } = alertMessage(emu);
    const config = await tmp.write(`serve${n}.json`, CONFIG);
    const s = await serve(["--config", config, "--http", "--port", "0"], env);
    const url = s.logs.find((l) => l["event"] === "listening")!["url"] as string;
    emu.setRequestUrl(url);
    expect((await fetch(url.replace("/slack/events", "/healthz"))).status).toBe(200);

    for (const tamper of ["signature", "stale_timestamp", "future_timestamp"] as const) {
      const r = await emu.interact({
        user: "alice",
        channel: "security-alerts",
        ts,
        action_id: "socket_notify.ack",
        via: "http",
        tamper,
      });
      expect(r.status, tamper).toBe(401);
    }
    const ok = await emu.interact({
      user: "alice",
      channel: "security-alerts",
      ts,
      action_id: "socket_notify.ack",
      via: "http",
    });
    expect(ok).toMatchObject({ status: 200, acked: true });
    expect((await emu.replay())?.status).toBe(401);
    await until(() => updates(emu).length > 0);
    const store = FileStore.open(state);
    expect(await store.decisions()).toMatchObject([{ kind: "ack", by: "U1000000001" }]);
    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);
  });

  it("HTTP end to end: alice mutes evil-pkg through the signed request URL; the message and the store change; carol is refused ephemerally with nothing changed; the next send leaves the muted alert out", async () => {
    const emu = await emulator();
    const state = tmp.path(`state${++n}.json`);
    const env = { ...emulatorBotEnv(emu), SOCKET_SLACK_SIGNING_SECRET: SIGNING, SOCKET_NOTIFY_STATE: state };
    const { report, config } = await sendReport(env);
    const { ts, blocks } = alertMessage(emu);
    expect(blocks.filter((b) => b["type"] === "actions")).toHaveLength(4);
    const s = await serve(["--config", config, "--http", "--port", "0"], env);
    emu.setRequestUrl(s.logs.find((l) => l["event"] === "listening")!["url"] as string);

    // The first row is evil-pkg (malware): its Mute asks for confirmation, the clicker confirms.
    const muteEvil = (user: string) =>
      emu.interact({
        user,
        channel: "security-alerts",
        ts,
        action_id: "socket_notify.mute",
        selected_option: "not_affected",
        confirm: true,
        via: "http",
      });
    // carol is not on the allow-list: an ephemeral refusal for her alone, no update, no decision.
    const refused = await muteEvil("carol");
    expect(refused).toMatchObject({ via: "http", status: 200, acked: true });
    await until(() => emu.records().some((r) => r.kind === "response" && r.ephemeral === true));
    const refusal = emu.records().find((r) => r.kind === "response")!;
    expect(refusal).toMatchObject({ ephemeral: true, ok: true });
    expect(String(refusal.payload["text"])).toContain("not allowed");
    expect(s.logs.some((l) => l["event"] === "action_refused")).toBe(true);
    expect(updates(emu)).toHaveLength(0);
    const store = FileStore.open(state);
    expect(await store.decisions()).toHaveLength(0);

    const click = await muteEvil("alice");
    expect(click).toMatchObject({ via: "http", status: 200, acked: true });
    await until(() => updates(emu).length > 0);
    expect(JSON.stringify(updates(emu).at(-1)!.payload["blocks"])).toMatch(
      /🔇 Muted \(not affected\) by <@U1000000001>/,
    );
    expect(await store.decisions()).toMatchObject([
      { kind: "mute", by: "U1000000001", reason: "not_affected", target: { name: "evil-pkg", type: "malware" } },
    ]);
    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);

    // The next scan of the same branch: evil-pkg is left out and counted as muted.
    const next = await runCli(["send", report, "--config", config, "--json"], { env });
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout).state).toMatchObject({ muted: 1 });
    const living = updates(emu).at(-1)!;
    expect(living.ts).toBe(ts);
    const body = JSON.stringify(living.payload["blocks"]);
    expect(body).toContain("1 muted");
    expect(body).not.toContain("evil-pkg");
    expect(body).toContain("lodahs");
    for (const secret of ["xoxb-emulator-bot-token", SIGNING]) expect(s.stderr()).not.toContain(secret);
  });

  it("Socket Mode, built binary: a burst of 20 Acks on 20 alerts across a refresh_requested and a dropped socket; every click is applied exactly once, none lost, none twice", async () => {
    // A loaded machine may ack late: the deadline is raised so that a late ack is not a lost click.
    const emu = await emulator({ ackTimeoutMs: 15_000 });
    const state = tmp.path(`state${++n}.json`);
    const env = { ...emulatorBotEnv(emu), SOCKET_SLACK_APP_TOKEN: APP_TOKEN, SOCKET_NOTIFY_STATE: state };
    const alerts = Array.from({ length: 20 }, (_, i) =>
      issue("envVars", "low", `pkg-${String(i + 1).padStart(2, "0")}`),
    );
    const { config } = await sendReport(env, alerts);
    const buttons = ackButtons(emu);
    expect(buttons).toHaveLength(20);
    const s = await serve(["--config", config], env);
    const open = () =>
      emu
        .socket()
        .connections.filter((c) => c.state === "open")
        .map((c) => c.id);
    await until(() => open().length === 2);

    let acked = 0;
    const faults: Promise<void>[] = [];
    const lost: string[] = [];
    /** One user's click; one that was not acked shows the user an error, and they click again. */
    const click = async (b: { ts: string; value: string }): Promise<void> => {
      for (;;) {
        let r: Awaited<ReturnType<typeof emu.interact>>;
        try {
          r = await emu.interact({
            user: "alice",
            channel: "security-alerts",
            ts: b.ts,
            action_id: "socket_notify.ack",
            value: b.value,
          });
        } catch (e) {
          // The button is gone: the unacked click was applied after all (the message shows it).
          if ((e as { code?: string }).code === "no_such_action") return;
          throw e;
        }
        if (r.acked) break;
        lost.push(r.envelope_id ?? "undelivered");
      }
      acked++;
      // The faults come mid-burst: a refresh after 5 acked clicks, a dropped socket after 12.
      if (acked === 5) faults.push(until(() => emu.disconnectSockets("refresh_requested") > 0));
      if (acked === 12) {
        // The socket the last click went on: the one carrying the burst.
        const busy = emu.socket().envelopes.at(-1)!.connection;
        expect(emu.socketFault({ kind: "drop", connection: busy })).toBe(1);
      }
    };
    // Four users clicking at once, each through their share of the alerts.
    const lanes = [0, 1, 2, 3].map(async (lane) => {
      for (let i = lane; i < buttons.length; i += 4) await click(buttons[i]!);
    });
    await Promise.all(lanes);
    await Promise.all(faults);

    const store = FileStore.open(state);
    await until(async () => (await store.decisions()).length >= 20);
    await until(() => s.logs.filter((l) => l["event"] === "decided").length >= 20 && ackButtons(emu).length === 0);
    const decisions = await store.decisions();
    expect(decisions).toHaveLength(20);
    expect(new Set(decisions.map((d) => d.target.name)).size).toBe(20);
    expect(decisions.every((d) => d.kind === "ack" && d.by === "U1000000001")).toBe(true);
    expect(s.logs.filter((l) => l["event"] === "decided")).toHaveLength(20);
    // Both faults happened and serve reconnected: more connections than the first two.
    const conns = emu.socket().connections;
    expect(conns.some((c) => c.ended_by === "drop")).toBe(true);
    expect(conns.length).toBeGreaterThan(2);
    // Every message row was updated once per alert decided on it: none twice.
    expect(updates(emu)).toHaveLength(20);
    // A click whose ack died with the dropped socket (the user saw an error and clicked again) can
    // only be one in flight on it; it was applied once all the same (the retry found it decided).
    const dropped = conns.filter((c) => c.ended_by === "drop").map((c) => c.id);
    for (const id of lost) {
      const env = emu.socket().envelopes.find((e) => e.envelope_id === id);
      expect(env && dropped.includes(env.connection), `lost click ${id}`).toBe(true);
    }
    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);
  }, 180_000);

  it("refuses to start without what it needs: a bot token where the app token goes, no interactive config", async () => {
    const emu = await emulator();
    const state = tmp.path(`state${++n}.json`);
    const config = await tmp.write(`serve${n}.json`, CONFIG);
    const wrong = await runCli(["serve", "--config", config], {
      env: { ...emulatorBotEnv(emu), SOCKET_SLACK_APP_TOKEN: "xoxb-emulator-bot-token", SOCKET_NOTIFY_STATE: state },
    });
    expect(wrong.code).toBe(2);
    expect(lines(wrong.stderr)[0]).toMatch(
      /SOCKET_SLACK_APP_TOKEN: .*app-level token \(xapp-…\), not a bot or user token/,
    );
    expect(wrong.stderr).not.toContain("xoxb-emulator-bot-token");
    const bare = await tmp.write(`bare${n}.json`, { ...CONFIG, interactive: undefined });
    const none = await runCli(["serve", "--config", bare], {
      env: { ...emulatorBotEnv(emu), SOCKET_SLACK_APP_TOKEN: APP_TOKEN, SOCKET_NOTIFY_STATE: state },
    });
    expect(none.code).toBe(2);
    expect(lines(none.stderr)[0]).toMatch(/no `interactive` section/);
    const nostate = await runCli(["serve", "--config", config], {
      env: { ...emulatorBotEnv(emu), SOCKET_SLACK_APP_TOKEN: APP_TOKEN },
    });
    expect(nostate.code).toBe(2);
    expect(lines(nostate.stderr)[0]).toMatch(/no state store/);
    const env = { ...emulatorBotEnv(emu), SOCKET_SLACK_APP_TOKEN: APP_TOKEN, SOCKET_NOTIFY_STATE: state };
    for (const [flags, message] of [
      [["--http", "--health-port", "8080"], /--health-port goes with Socket Mode/],
      [["--port", "3000"], /--port goes with --http/],
      [["--host", "0.0.0.0"], /--host goes with --http or --health-port/],
      [["--health-port", "http"], /--health-port: expected a port number/],
    ] as const) {
      const r = await runCli(["serve", "--config", config, ...flags], { env });
      expect(r.code, flags.join(" ")).toBe(2);
      expect(lines(r.stderr)[0]).toMatch(message);
    }
  });
});

let pg: TestPostgres | undefined;
beforeAll(async () => {
  pg = await testPostgres("serve: two replicas on one PostgreSQL");
}, 60_000);
afterAll(() => pg?.stop());

describe("socket-notify serve: two replicas on PostgreSQL", () => {
  it("every request reaches both replicas; each click is applied once", async (ctx) => {
    if (pg === undefined) return ctx.skip();
    const emu = await emulator();
    const db = await pg.newDatabase();
    const env = { ...emulatorBotEnv(emu), SOCKET_SLACK_SIGNING_SECRET: SIGNING, SOCKET_NOTIFY_STATE: db };
    await sendReport(env);
    const { ts } = alertMessage(emu);
    const config = await tmp.write(`serve${n}.json`, CONFIG);
    const a = await serve(["--config", config, "--http", "--port", "0"], env);
    const b = await serve(["--config", config, "--http", "--port", "0"], env);
    const urls = [a, b].map((s) => s.logs.find((l) => l["event"] === "listening")!["url"] as string);
    // A load balancer that (wrongly, as a retry to another replica would) sends every request to both.
    const fanout: Server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => k.startsWith("x-slack") || k === "content-type"),
      ) as Record<string, string>;
      const answers = await Promise.all(
        urls.map((u) => fetch(u, { method: "POST", headers, body: Buffer.concat(chunks) })),
      );
      res.writeHead(answers[0]!.status, { "content-type": "application/json" });
      res.end(await answers[0]!.text());
    });
    await new Promise<void>((r) => fanout.listen(0, "127.0.0.1", () => r()));
    cleanup.push(() => new Promise<void>((r) => fanout.close(() => r())));
    emu.setRequestUrl(`http://127.0.0.1:${(fanout.address() as { port: number }).port}/slack/events`);

    const rows = alertMessage(emu).blocks.filter((b) => b["type"] === "actions").length;
    expect(rows).toBe(4);
    // Ack the four alerts (one click each); each reaches both replicas.
    for (let i = 0; i < 4; i++) {
      const msg = emu
        .messages({ channel: "security-alerts" })
        .filter((m) => m.ts === ts)
        .at(-1)!;
      const row = (msg.payload["blocks"] as Record<string, unknown>[]).find((b) => b["type"] === "actions");
      if (row === undefined) break;
      const r = await emu.interact({
        user: "bob",
        channel: "security-alerts",
        ts,
        action_id: "socket_notify.ack",
        via: "http",
      });
      expect(r).toMatchObject({ status: 200 });
      await until(() => updates(emu).length > i);
    }
    const store = await openStateStore(db);
    cleanup.push(() => store.close());
    await until(async () => (await store.decisions()).length >= 4);
    // Give a second apply every chance to show up before counting.
    await until(() => [a, b].every((s) => s.logs.filter((l) => l["event"] === "handled").length >= 4));
    expect(await store.decisions()).toHaveLength(4);
    const applied = [a, b].flatMap((s) => s.logs.filter((l) => l["event"] === "decided"));
    expect(applied).toHaveLength(4);
    const dup = [a, b].flatMap((s) => s.logs.filter((l) => l["event"] === "action_duplicate"));
    expect(dup).toHaveLength(4);
    a.child.kill("SIGTERM");
    b.child.kill("SIGTERM");
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
  });

  it("Socket Mode: two replicas, one app token, four connections; a burst of clicks spread over all of them, every third one the same envelope on every connection (both replicas): each click applied once", async (ctx) => {
    if (pg === undefined) return ctx.skip();
    // A loaded machine may ack late: the deadline is raised so that a late ack is not a lost click.
    const emu = await emulator({ ackTimeoutMs: 15_000 });
    const db = await pg.newDatabase();
    const env = { ...emulatorBotEnv(emu), SOCKET_SLACK_APP_TOKEN: APP_TOKEN, SOCKET_NOTIFY_STATE: db };
    const alerts = Array.from({ length: 12 }, (_, i) =>
      issue("envVars", "low", `pkg-${String(i + 1).padStart(2, "0")}`),
    );
    const { config } = await sendReport(env, alerts);
    const buttons = ackButtons(emu);
    expect(buttons).toHaveLength(12);
    const threadReplies = () =>
      emu.messages({ channel: "security-alerts" }).filter((m) => m.method === "chat.postMessage" && m.threadTs);
    const repliesBefore = threadReplies().length;
    expect(updates(emu)).toHaveLength(0);

    // Replica a's two connections first, then b's: which emulator connection is whose.
    const open = () =>
      emu
        .socket()
        .connections.filter((c) => c.state === "open")
        .map((c) => c.id);
    const a = await serve(["--config", config], env);
    await until(() => open().length === 2);
    const ofA = open();
    const b = await serve(["--config", config], env);
    await until(() => open().length === 4);
    const ofB = open().filter((id) => !ofA.includes(id));
    const conns = [...ofA, ...ofB];

    // Four users clicking at once; click i goes on connection i mod 4 in turn, every third one
    // to all four connections (one envelope_id: as Slack redelivers an unacked one elsewhere).
    const everywhere: string[] = [];
    const lanes = [0, 1, 2, 3].map(async (lane) => {
      for (let i = lane; i < buttons.length; i += 4) {
        const btn = buttons[i]!;
        const connection = i % 3 === 0 ? ("all" as const) : conns[i % conns.length]!;
        const r = await emu.interact({
          user: "alice",
          channel: "security-alerts",
          ts: btn.ts,
          action_id: "socket_notify.ack",
          value: btn.value,
          connection,
        });
        expect(r, `click ${i}`).toMatchObject({ via: "socket", delivered: true, acked: true });
        if (connection === "all") {
          expect(r.connections).toEqual(conns);
          everywhere.push(r.envelope_id!);
        }
      }
    });
    await Promise.all(lanes);
    expect(everywhere).toHaveLength(4);

    const store = await openStateStore(db);
    cleanup.push(() => store.close());
    const logs = (event: string) => [a, b].flatMap((s) => s.logs.filter((l) => l["event"] === event));
    // Every copy acked by the replica it reached, every click handled by both replicas' logs.
    await until(() =>
      everywhere.every((id) => {
        const copies = emu.socket().envelopes.filter((e) => e.envelope_id === id);
        return copies.length === 4 && copies.every((e) => e.outcome === "acked");
      }),
    );
    // Each replica drops the second copy of its own (same click on its two sockets) and the one
    // that loses the store's claim logs action_duplicate: 2 and 1 per click sent everywhere.
    await until(
      () =>
        logs("decided").length >= 12 && logs("duplicate_dropped").length >= 8 && logs("action_duplicate").length >= 4,
    );
    await until(async () => (await store.decisions()).length >= 12 && ackButtons(emu).length === 0);
    await until(() => threadReplies().length >= repliesBefore + 12);
    // Both replicas took clicks (the spread reached both).
    expect(a.logs.some((l) => l["event"] === "decided")).toBe(true);
    expect(b.logs.some((l) => l["event"] === "decided")).toBe(true);
    for (const id of everywhere)
      expect(
        emu
          .socket()
          .envelopes.filter((e) => e.envelope_id === id)
          .map((e) => e.connection),
      ).toEqual(conns);
    a.child.kill("SIGTERM");
    b.child.kill("SIGTERM");
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
    // Counted once both have stopped (every piece of work finished): nothing applied twice.
    const decisions = await store.decisions();
    expect(decisions).toHaveLength(12);
    expect(new Set(decisions.map((d) => d.target.name)).size).toBe(12);
    expect(decisions.every((d) => d.kind === "ack" && d.by === "U1000000001")).toBe(true);
    expect(logs("decided")).toHaveLength(12);
    expect(logs("duplicate_dropped")).toHaveLength(8);
    expect(logs("action_duplicate")).toHaveLength(4);
    expect(updates(emu)).toHaveLength(12);
    expect(threadReplies()).toHaveLength(repliesBefore + 12);
  }, 180_000);
});
