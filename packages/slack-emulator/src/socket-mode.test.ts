/**
 * Socket Mode against the official client, unchanged: @slack/socket-mode 3.1.0 (undici 7) and
 * Bolt 5.1.0 connect with the app-level token, receive clicks and commands, ack them, and
 * reconnect after refresh_requested and after a socket dropped without a close frame. Deadline
 * tests use a raw `ws` client and a short ack timeout; the others keep Slack's 3 s.
 */
import { App, LogLevel } from "@slack/bolt";
import { SocketModeClient } from "@slack/socket-mode";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type ReceiveOptions, type SlackEmulator, startEmulator } from "./server.js";

const BOT = "xoxb-emulator-bot-token";
const APP_TOKEN = "xapp-1-A0000000001-emulator-app-token";
const BLOCKS = [
  { type: "section", text: { type: "mrkdwn", text: "lodash: critical CVE" } },
  {
    type: "actions",
    block_id: "triage",
    elements: [
      { type: "button", action_id: "ack", text: { type: "plain_text", text: "Ack" }, value: "alert-1" },
      {
        type: "static_select",
        action_id: "snooze",
        placeholder: { type: "plain_text", text: "Snooze" },
        options: [
          { text: { type: "plain_text", text: "1 day" }, value: "1d" },
          { text: { type: "plain_text", text: "1 week" }, value: "7d" },
        ],
      },
      {
        type: "button",
        action_id: "mute",
        text: { type: "plain_text", text: "Mute" },
        confirm: { title: { type: "plain_text", text: "Sure?" } },
      },
    ],
  },
];

const running: { emu?: SlackEmulator; clients: { disconnect(): Promise<void> | void }[]; sockets: WebSocket[] } = {
  clients: [],
  sockets: [],
};

async function emulator(receive: ReceiveOptions = {}): Promise<SlackEmulator> {
  running.emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false, receive });
  return running.emu;
}

afterEach(async () => {
  for (const c of running.clients.splice(0)) await c.disconnect();
  for (const s of running.sockets.splice(0)) {
    s.on("error", () => undefined); // a refused upgrade has already failed
    if (s.readyState === WebSocket.OPEN) s.terminate();
  }
  await running.emu?.close();
});

async function post(emu: SlackEmulator): Promise<string> {
  const res = await fetch(`${emu.apiUrl}chat.postMessage`, {
    method: "POST",
    headers: { authorization: `Bearer ${BOT}`, "content-type": "application/json" },
    body: JSON.stringify({ channel: "security-alerts", text: "lodash: critical CVE", blocks: BLOCKS }),
  });
  return ((await res.json()) as { ts: string }).ts;
}

async function control(
  emu: SlackEmulator,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(
    `${emu.url}/_emulator/${path}`,
    body === undefined ? {} : { method: "POST", body: JSON.stringify(body) },
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Polls until `check` holds (no timed assertion: the test's own timeout bounds it). */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 25));
}

/** The SDKs log the socket errors these tests cause on purpose (a dropped socket); keep them quiet. */
const quiet = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => LogLevel.ERROR,
  setName() {},
};

function client(emu: SlackEmulator): SocketModeClient {
  const c = new SocketModeClient({
    appToken: APP_TOKEN,
    clientOptions: { slackApiUrl: emu.apiUrl },
    logger: quiet,
    clientPingTimeout: 3000,
  });
  running.clients.push(c);
  return c;
}

/** A raw Socket Mode connection (for what the SDK hides: missed acks, pongs, the hello frame). */
async function raw(emu: SlackEmulator): Promise<{ ws: WebSocket; frames: Record<string, unknown>[] }> {
  const opened = await fetch(`${emu.apiUrl}apps.connections.open`, {
    method: "POST",
    headers: { authorization: `Bearer ${APP_TOKEN}` },
  });
  const { url } = (await opened.json()) as { url: string };
  const ws = new WebSocket(url);
  running.sockets.push(ws);
  const frames: Record<string, unknown>[] = [];
  ws.on("message", (data: Buffer) => frames.push(JSON.parse(data.toString("utf8")) as Record<string, unknown>));
  await new Promise<void>((resolve, reject) => (ws.once("open", () => resolve()), ws.once("error", reject)));
  return { ws, frames };
}

/** The raw client acks every envelope as soon as it arrives. */
function ackAtOnce(conn: { ws: WebSocket }): void {
  conn.ws.on("message", (data: Buffer) => {
    const frame = JSON.parse(data.toString("utf8")) as { envelope_id?: string };
    if (frame.envelope_id !== undefined) conn.ws.send(JSON.stringify({ envelope_id: frame.envelope_id }));
  });
}

describe("Socket Mode with @slack/socket-mode", () => {
  it("connects, gets a click from POST /_emulator/interact, acks it, and the ack shows in GET /_emulator/socket", async () => {
    const emu = await emulator();
    const ts = await post(emu);
    const sm = client(emu);
    const got: Record<string, unknown>[] = [];
    sm.on("interactive", async ({ ack, body }: { ack: () => Promise<void>; body: Record<string, unknown> }) => {
      got.push(body);
      await ack();
    });
    await sm.start();

    const clicked = await control(emu, "interact", { user: "alice", channel: "security-alerts", ts, action_id: "ack" });
    expect(clicked.status).toBe(200);
    expect(clicked.body).toMatchObject({
      ok: true,
      via: "socket",
      delivered: true,
      acked: true,
      ack_ms: expect.any(Number),
    });
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      type: "block_actions",
      user: { id: "U1000000001", username: "alice" },
      api_app_id: "A0000000001",
      team: { id: "T0001" },
      container: { type: "message", message_ts: ts, channel_id: "C0000000002" },
      message: { ts, text: "lodash: critical CVE", blocks: BLOCKS },
      response_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/_emulator\/response\/[0-9a-f]+$/),
      trigger_id: expect.any(String),
      actions: [
        {
          action_id: "ack",
          block_id: "triage",
          type: "button",
          value: "alert-1",
          text: { type: "plain_text", text: "Ack" },
        },
      ],
    });
    const socket = (await control(emu, "socket")).body as {
      connections: unknown[];
      envelopes: unknown[];
      acks: unknown[];
    };
    expect(socket.connections).toEqual([expect.objectContaining({ id: 1, state: "open", envelopes: 1 })]);
    expect(socket.envelopes).toEqual([
      expect.objectContaining({
        type: "interactive",
        outcome: "acked",
        connection: 1,
        envelope_id: clicked.body["envelope_id"],
      }),
    ]);
    expect(socket.acks).toEqual([expect.objectContaining({ envelope_id: clicked.body["envelope_id"], connection: 1 })]);
  });

  it("a menu option and a slash command arrive as Slack sends them; the command's ack payload is the answer", async () => {
    const emu = await emulator();
    const ts = await post(emu);
    const sm = client(emu);
    const actions: unknown[] = [];
    sm.on("interactive", async ({ ack, body }: { ack: () => Promise<void>; body: { actions: unknown[] } }) => {
      actions.push(body.actions[0]);
      await ack();
    });
    sm.on(
      "slash_commands",
      async ({ ack, body }: { ack: (p: unknown) => Promise<void>; body: Record<string, unknown> }) => {
        await ack({ text: `muted ${String(body["text"])} for ${String(body["user_name"])}` });
      },
    );
    await sm.start();
    const picked = await emu.interact({
      user: "bob",
      channel: "C0000000002",
      ts,
      action_id: "snooze",
      selected_option: "7d",
    });
    expect(picked).toMatchObject({ acked: true });
    expect(actions[0]).toMatchObject({
      type: "static_select",
      action_id: "snooze",
      selected_option: { value: "7d", text: { text: "1 week" } },
    });
    const command = await emu.command({
      user: "carol",
      channel: "security-alerts",
      command: "/socket",
      text: "lodash",
    });
    expect(command).toMatchObject({
      ok: true,
      via: "socket",
      acked: true,
      response: { text: "muted lodash for carol" },
    });
  });

  it("refuses a click on an action the message does not have, an unknown option, and a cancelled confirm sends nothing", async () => {
    const emu = await emulator();
    const ts = await post(emu);
    const sm = client(emu);
    await sm.start();
    const missing = await control(emu, "interact", {
      user: "alice",
      channel: "security-alerts",
      ts,
      action_id: "delete_everything",
    });
    expect(missing).toEqual({
      status: 400,
      body: expect.objectContaining({ ok: false, error: "no_such_action", delivered: false }),
    });
    const option = await control(emu, "interact", {
      user: "alice",
      channel: "security-alerts",
      ts,
      action_id: "snooze",
      selected_option: "forever",
    });
    expect(option.body).toMatchObject({ ok: false, error: "no_such_option" });
    expect(
      (await control(emu, "interact", { user: "mallory", channel: "security-alerts", ts, action_id: "ack" })).body,
    ).toMatchObject({ error: "user_not_found" });
    expect(
      (await control(emu, "interact", { user: "alice", channel: "security-alerts", ts: "1.000001", action_id: "ack" }))
        .body,
    ).toMatchObject({ error: "message_not_found" });
    const cancelled = await control(emu, "interact", {
      user: "alice",
      channel: "security-alerts",
      ts,
      action_id: "mute",
      confirm: false,
    });
    expect(cancelled.body).toMatchObject({ ok: true, error: "cancelled", delivered: false });
    expect(emu.socket().envelopes).toEqual([]);
  });

  it("reconnects after a refresh_requested disconnect frame and after a socket dropped without a close frame", {
    timeout: 90_000,
  }, async () => {
    const emu = await emulator();
    const sm = client(emu);
    await sm.start();
    const open = (): number[] =>
      emu
        .socket()
        .connections.filter((c) => c.state === "open")
        .map((c) => c.id);
    await until(() => open().length === 1);
    expect((await control(emu, "socket/disconnect", { reason: "refresh_requested" })).body).toEqual({
      ok: true,
      sent: 1,
    });
    // The client closes the old socket and opens a new one (after its back-off).
    await until(() => emu.socket().connections[0]?.state === "closed" && open().some((id) => id > 1));
    expect(emu.socket().connections[0]).toMatchObject({ ended_by: "client", close_code: 1000 });

    const before = Math.max(...open());
    expect((await control(emu, "socket/faults", { kind: "drop" })).body).toEqual({ ok: true, connections: 1 });
    await until(() => open().some((id) => id > before));
    expect(emu.socket().connections.find((c) => c.id === before)).toMatchObject({ state: "closed", ended_by: "drop" });
    // Still works after both.
    const ts = await post(emu);
    sm.on("interactive", async ({ ack }: { ack: () => Promise<void> }) => ack());
    expect(await emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "ack" })).toMatchObject({
      acked: true,
    });
  });

  it("reconnects when the emulator stops answering its pings", { timeout: 90_000 }, async () => {
    const emu = await emulator();
    const sm = client(emu);
    await sm.start();
    const open = (): number[] =>
      emu
        .socket()
        .connections.filter((c) => c.state === "open")
        .map((c) => c.id);
    await until(() => open().length === 1);
    expect(emu.socketFault({ kind: "no_pong" })).toBe(1);
    await until(() => emu.socket().connections[0]?.state === "closed" && open().some((id) => id > 1));
    expect(emu.socket().connections[0]).toMatchObject({ answers_pings: false, ended_by: "client" });
    expect(emu.socket().connections[0]?.pings_received).toBeGreaterThan(0);
  });
});

describe("Socket Mode with Bolt", () => {
  it("a Bolt app in socket mode receives the click, acks it and updates the message with the bot token", async () => {
    const emu = await emulator();
    const ts = await post(emu);
    const app = new App({
      token: BOT,
      appToken: APP_TOKEN,
      socketMode: true,
      clientOptions: { slackApiUrl: emu.apiUrl },
      logger: quiet,
    });
    app.action("ack", async ({ ack, body, client: web }) => {
      await ack();
      const b = body as { channel?: { id: string }; message?: { ts: string }; user: { id: string } };
      await web.chat.update({
        channel: b.channel?.id ?? "",
        ts: b.message?.ts ?? "",
        text: `acknowledged by <@${b.user.id}>`,
      });
    });
    await app.start();
    running.clients.push({ disconnect: () => app.stop() as Promise<void> });
    expect(await emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "ack" })).toMatchObject({
      acked: true,
    });
    await until(() => emu.records().some((r) => r.method === "chat.update"));
    expect(emu.records().find((r) => r.method === "chat.update")).toMatchObject({
      ok: true,
      ts,
      payload: { text: "acknowledged by <@U1000000001>" },
    });
  });
});

describe("Socket Mode protocol details (raw WebSocket)", () => {
  it("hello carries num_connections, app_id and debug_info; a ticket works once", async () => {
    const emu = await emulator();
    const first = await raw(emu);
    await until(() => first.frames.length > 0);
    expect(first.frames[0]).toEqual({
      type: "hello",
      num_connections: 1,
      connection_info: { app_id: "A0000000001" },
      debug_info: { host: "applink-emulator", build_number: 1, approximate_connection_time: 18060 },
    });
    const second = await raw(emu);
    await until(() => second.frames.length > 0);
    expect(second.frames[0]).toMatchObject({ type: "hello", num_connections: 2 });
    const reuse = new WebSocket(first.ws.url);
    running.sockets.push(reuse);
    const status = await new Promise<number>((resolve) =>
      reuse.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(401);
  });

  it("an unacked interaction fails at the deadline; an unacked event is redelivered with retry_attempt and retry_reason", async () => {
    // Short, but not so short that a busy machine misses it: the test is about the deadline.
    const emu = await emulator({ ackTimeoutMs: 1000, eventRetryDelaysMs: [0, 0] });
    const ts = await post(emu);
    const { ws, frames } = await raw(emu);
    // Acks the second retry the moment it arrives.
    ws.on("message", (data: Buffer) => {
      const frame = JSON.parse(data.toString("utf8")) as { envelope_id?: string; retry_attempt?: number };
      if (frame.retry_attempt === 2) ws.send(JSON.stringify({ envelope_id: frame.envelope_id }));
    });
    await until(() => frames.length > 0);
    expect(await emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "ack" })).toMatchObject({
      delivered: true,
      acked: false,
    });
    const result = await emu.event({
      event: { type: "app_mention", user: "U1000000001", text: "<@U0000000001> status", channel: "C0000000002" },
    });
    expect(result).toMatchObject({ delivered: true, acked: false, event_id: expect.stringMatching(/^Ev/) });
    // The second retry is acked: no more after it.
    await until(() => emu.socket().redeliveries.some((e) => e.outcome === "acked"));
    const events = frames.filter((f) => f["type"] === "events_api");
    expect(
      events.map((e) => [e["retry_attempt"], e["retry_reason"], (e["payload"] as { event_id: string }).event_id]),
    ).toEqual([
      [undefined, undefined, result.event_id],
      [1, "timeout", result.event_id],
      [2, "timeout", result.event_id],
    ]);
    expect(emu.socket().redeliveries.map((e) => [e.retry_attempt, e.outcome])).toEqual([
      [1, "timeout"],
      [2, "acked"],
    ]);
    expect(emu.socket().envelopes[0]).toMatchObject({ type: "interactive", outcome: "timeout" });
  });

  it("the connection over the limit gets a too_many_websockets disconnect; each envelope goes to exactly one connection", async () => {
    const emu = await emulator({ maxConnections: 2 });
    const a = await raw(emu);
    const b = await raw(emu);
    const c = await raw(emu);
    await until(() => c.frames.length > 0);
    expect(c.frames[0]).toEqual({
      type: "disconnect",
      reason: "too_many_websockets",
      debug_info: { host: "applink-emulator" },
    });
    for (const conn of [a, b]) ackAtOnce(conn);
    await until(() => a.frames.length > 0 && b.frames.length > 0);
    const ts = await post(emu);
    for (let i = 0; i < 4; i++)
      expect(await emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "ack" })).toMatchObject({
        acked: true,
      });
    const count = (f: Record<string, unknown>[]): number => f.filter((x) => x["type"] === "interactive").length;
    expect([count(a.frames), count(b.frames)]).toEqual([2, 2]);
  });

  it('connection: "all": the outcome names the connection whose ack answered it, not the first it went on', async () => {
    const emu = await emulator();
    const a = await raw(emu);
    const b = await raw(emu);
    await until(() => a.frames.length > 0 && b.frames.length > 0);
    const ids = emu.socket().connections.map((c) => c.id);
    // a (the first connection) never acks; b acks at once.
    ackAtOnce(b);
    const ts = await post(emu);
    const r = await emu.interact({
      user: "alice",
      channel: "security-alerts",
      ts,
      action_id: "ack",
      connection: "all",
    });
    expect(r).toMatchObject({ acked: true, connection: ids[1], connections: ids });
    expect(emu.socket().acks.map((k) => k.connection)).toEqual([ids[1]]);
  });

  it('connection: "all" sends one envelope (one envelope_id) to every open connection, a connection id to that one; each copy\'s ack is recorded', async () => {
    const emu = await emulator();
    const a = await raw(emu);
    const b = await raw(emu);
    await until(() => a.frames.length > 0 && b.frames.length > 0);
    const ids = emu.socket().connections.map((c) => c.id);
    // a acks at once; b holds its acks until told, so the first ack is a's.
    const held: string[] = [];
    ackAtOnce(a);
    b.ws.on("message", (data: Buffer) => {
      const frame = JSON.parse(data.toString("utf8")) as { envelope_id?: string };
      if (frame.envelope_id !== undefined) held.push(frame.envelope_id);
    });
    const ts = await post(emu);
    const both = await emu.interact({
      user: "alice",
      channel: "security-alerts",
      ts,
      action_id: "ack",
      connection: "all",
    });
    expect(both).toMatchObject({ via: "socket", delivered: true, acked: true, connection: ids[0], connections: ids });
    const copies = (f: Record<string, unknown>[]) => f.filter((x) => x["envelope_id"] === both.envelope_id);
    expect(copies(a.frames)).toHaveLength(1);
    expect(copies(b.frames)).toHaveLength(1);
    expect(copies(a.frames)[0]).toEqual(copies(b.frames)[0]);
    await until(() => held.length === 1);
    b.ws.send(JSON.stringify({ envelope_id: held[0] }));
    await until(() => emu.socket().acks.length === 2);
    const state = emu.socket();
    expect(state.envelopes.map((e) => [e.envelope_id, e.connection, e.outcome])).toEqual([
      [both.envelope_id, ids[0], "acked"],
      [both.envelope_id, ids[1], "acked"],
    ]);
    expect(state.acks.map((k) => [k.connection, k.duplicate])).toEqual([
      [ids[0], undefined],
      [ids[1], true],
    ]);

    // A chosen connection: only b gets it, twice in a row (no round robin); over HTTP it is refused.
    for (let i = 0; i < 2; i++) {
      const one = emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "ack", connection: ids[1] });
      await until(() => held.length === 2 + i);
      b.ws.send(JSON.stringify({ envelope_id: held.at(-1) }));
      expect(await one).toMatchObject({ acked: true, connection: ids[1] });
    }
    expect(a.frames.filter((f) => f["type"] === "interactive")).toHaveLength(1);
    const gone = await control(emu, "interact", {
      user: "alice",
      channel: "security-alerts",
      ts,
      action_id: "ack",
      connection: 99,
    });
    expect(gone.body).toMatchObject({ ok: false, error: "no_connection", delivered: false });
    const http = await control(emu, "interact", {
      user: "alice",
      channel: "security-alerts",
      ts,
      action_id: "ack",
      connection: "all",
      via: "http",
    });
    expect(http).toMatchObject({ status: 400, body: { ok: false, error: "invalid_arguments" } });
    const bad = await control(emu, "command", {
      user: "alice",
      channel: "security-alerts",
      command: "/x",
      connection: 0,
    });
    expect(bad).toMatchObject({ status: 400, body: { ok: false, error: "invalid_arguments" } });
  });

  it("the server pings each connection", async () => {
    const emu = await emulator({ pingIntervalMs: 50 });
    const { ws } = await raw(emu);
    let pings = 0;
    ws.on("ping", () => pings++);
    await until(() => pings >= 2);
  });

  it("faults: a refused upgrade (409, 500), a delayed hello, pings left unanswered", async () => {
    const emu = await emulator();
    await control(emu, "socket/faults", { kind: "refuse_upgrade", status: 500 });
    emu.socketFault({ kind: "refuse_upgrade" });
    const refused: number[] = [];
    for (let i = 0; i < 2; i++) {
      const opened = await fetch(`${emu.apiUrl}apps.connections.open`, {
        method: "POST",
        headers: { authorization: `Bearer ${APP_TOKEN}` },
      });
      const ws = new WebSocket(((await opened.json()) as { url: string }).url);
      running.sockets.push(ws);
      refused.push(
        await new Promise<number>((resolve) =>
          ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)),
        ),
      );
    }
    expect(refused).toEqual([500, 409]);

    emu.socketFault({ kind: "hello_delay", ms: 200 });
    const slow = await raw(emu);
    expect(slow.frames).toEqual([]);
    await until(() => slow.frames.length > 0);
    expect(slow.frames[0]).toMatchObject({ type: "hello" });

    let pongs = 0;
    slow.ws.on("pong", () => pongs++);
    slow.ws.ping();
    await until(() => pongs === 1);
    expect(emu.socketFault({ kind: "no_pong" })).toBe(1);
    slow.ws.ping();
    await until(() => emu.socket().connections[0]?.pings_received === 2);
    expect(pongs).toBe(1);
  });

  it("apps.connections.open errors come from ordinary faults, and interact with nobody connected says so", async () => {
    const emu = await emulator();
    const ts = await post(emu);
    expect(await emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "ack" })).toEqual({
      ok: false,
      error: "no_receiver",
      delivered: false,
      acked: false,
      trigger_id: expect.any(String),
      response_url: expect.any(String),
    });
    emu.fault({ target: { method: "apps.connections.open" }, kind: "status", status: 500 });
    const res = await fetch(`${emu.apiUrl}apps.connections.open`, {
      method: "POST",
      headers: { authorization: `Bearer ${APP_TOKEN}` },
    });
    expect(res.status).toBe(500);
  });
});
