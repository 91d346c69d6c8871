/**
 * The Socket Mode transport against the emulator: two connections, a click acked once even when
 * delivered twice, no click lost to refresh_requested (the replacement opens before the old
 * socket closes) or to a dropped socket during a burst, a silent socket replaced by the
 * watchdog, a network failure during apps.connections.open retried, a bot token refused with a
 * clear error, a stop that finishes in-flight work and loses no envelope that crosses its close
 * frames, and the readiness that `--health-port` serves.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type SimulationResult, type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterEach, describe, expect, it } from "vitest";
import type WebSocket from "ws";
import { Dispatcher } from "./dispatch.js";
import { HealthServer } from "./health.js";
import { silentLogger } from "./log.js";
import { SocketModeReceiver, SocketModeSetupError, type SocketModeOptions } from "./socket.js";
import { APP_TOKEN, BOT, RecordingHandler, postButton, until } from "./test-support.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(handler = new RecordingHandler(), options: Partial<SocketModeOptions> = {}) {
  const emu: SlackEmulator = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
  cleanup.push(() => emu.close());
  const dispatcher = new Dispatcher(handler, silentLogger);
  const receiver = new SocketModeReceiver(dispatcher, silentLogger, {
    appToken: APP_TOKEN,
    apiUrl: emu.apiUrl,
    backoff: { minMs: 50, maxMs: 500 },
    ...options,
  });
  await receiver.start();
  cleanup.push(() => receiver.stop());
  await until(() => receiver.openConnections === (options.connections ?? 2));
  return { emu, handler, dispatcher, receiver, ts: await postButton(emu) };
}

/** The receiver's sockets, for the tests that act at the moment a close frame is written. */
function sockets(receiver: SocketModeReceiver): WebSocket[] {
  return [...(receiver as unknown as { open: Set<{ ws: WebSocket }> }).open].map((c) => c.ws);
}

/** Runs `then` right after the first of these sockets has written its close frame, in the same tick. */
function onFirstClose(sockets: WebSocket[], then: () => void): void {
  let fired = false;
  for (const ws of sockets) {
    const close = ws.close.bind(ws);
    ws.close = ((...args: Parameters<WebSocket["close"]>) => {
      close(...args);
      if (!fired) {
        fired = true;
        then();
      }
    }) as WebSocket["close"];
  }
}

function click(emu: SlackEmulator, ts: string, user = "alice") {
  return emu.interact({ user, channel: "security-alerts", ts, action_id: "ack", via: "socket" });
}

describe("Socket Mode transport", () => {
  it("keeps two connections open; a click is delivered, handled and acked (with the handler's payload)", async () => {
    const { emu, handler, ts } = await setup(
      new RecordingHandler((i) => (i.kind === "slash_commands" ? { ack: { text: "pong" } } : {})),
    );
    expect(emu.socket().connections.filter((c) => c.state === "open")).toHaveLength(2);
    expect(await click(emu, ts)).toMatchObject({ ok: true, via: "socket", acked: true });
    const cmd = await emu.command({ user: "bob", channel: "security-alerts", command: "/socket-notify", text: "help" });
    expect(cmd).toMatchObject({ acked: true, response: { text: "pong" } });
    expect(handler.got.map((g) => g.kind)).toEqual(["interactive", "slash_commands"]);
  });

  it("the same envelope delivered twice is acked twice and handled once", async () => {
    const { emu, handler, receiver, ts } = await setup(undefined, { connections: 1 });
    await click(emu, ts);
    const [first] = handler.got;
    // Slack redelivers around reconnects: the very same envelope again on the open socket.
    const ws = (receiver as unknown as { open: Set<{ ws: { emit(e: string, d: Buffer, b: boolean): void } }> }).open;
    const envelope = { envelope_id: first!.envelopeId, type: "interactive", payload: first!.payload };
    for (const c of ws) c.ws.emit("message", Buffer.from(JSON.stringify(envelope)), false);
    await until(() => emu.socket().acks.filter((a) => a.envelope_id === first!.envelopeId).length === 2);
    expect(handler.got).toHaveLength(1);
  });

  it("refresh_requested during a burst of clicks loses none: every click acked, each handled once", async () => {
    const { emu, handler, ts } = await setup();
    const clicks: Promise<{ acked: boolean }>[] = [];
    for (let i = 0; i < 20; i++) {
      clicks.push(click(emu, ts, i % 2 ? "alice" : "bob"));
      if (i === 5) emu.disconnectSockets("refresh_requested");
      if (i === 12) emu.disconnectSockets("warning");
      await new Promise((r) => setTimeout(r, 20));
    }
    const results = await Promise.all(clicks);
    expect(results.filter((r) => !r.acked)).toEqual([]);
    expect(handler.got).toHaveLength(20);
    // The old sockets were replaced, not kept: back to two open connections.
    await until(() => emu.socket().connections.filter((c) => c.state === "open").length === 2);
  });

  it("a socket dropped without a close frame during a burst: the other connection takes the clicks, the slot reconnects", async () => {
    const { emu, handler, receiver, ts } = await setup();
    const first = emu.socket().connections.find((c) => c.state === "open")!.id;
    emu.socketFault({ kind: "drop", connection: first });
    const results = await Promise.all(Array.from({ length: 10 }, () => click(emu, ts)));
    // A click sent to the dropped socket before the emulator noticed is Slack's loss, not ours:
    // the emulator only routes to sockets it still has, so all arrive.
    expect(results.filter((r) => !r.acked)).toEqual([]);
    expect(handler.got).toHaveLength(10);
    await until(() => receiver.openConnections === 2);
  });

  it("a silent socket (no pongs) is replaced by the watchdog", async () => {
    const { emu, receiver } = await setup(undefined, { connections: 1, pingIntervalMs: 100, silentTimeoutMs: 400 });
    const before = emu.socket().connections.find((c) => c.state === "open")!.id;
    emu.socketFault({ kind: "no_pong" });
    await until(() => emu.socket().connections.some((c) => c.state === "open" && c.id !== before));
    await until(() => receiver.openConnections === 1);
    expect(receiver.openConnections).toBe(1);
    expect(emu.socket().connections.find((c) => c.id === before)).toMatchObject({ state: "closed" });
  });

  it("a network error during apps.connections.open is retried, not an unhandled rejection or a dead socket", async () => {
    const emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
    cleanup.push(() => emu.close());
    let failures = 2;
    const flaky: typeof fetch = async (input, init) => {
      if (failures-- > 0) throw new TypeError("fetch failed", { cause: { code: "ECONNRESET" } });
      return fetch(input, init);
    };
    const handler = new RecordingHandler();
    const receiver = new SocketModeReceiver(new Dispatcher(handler, silentLogger), silentLogger, {
      appToken: APP_TOKEN,
      apiUrl: emu.apiUrl,
      connections: 1,
      backoff: { minMs: 20, maxMs: 100 },
      fetch: flaky,
    });
    await receiver.start();
    cleanup.push(() => receiver.stop());
    const ts = await postButton(emu);
    expect(await click(emu, ts)).toMatchObject({ acked: true });
    // And again after a refresh whose reconnect also meets a network error.
    failures = 1;
    emu.disconnectSockets("refresh_requested");
    await until(() => failures < 0 && receiver.openConnections === 1);
    expect(await click(emu, ts)).toMatchObject({ acked: true });
  });

  it("a bot token is refused up front, naming the kind of token needed", async () => {
    const emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
    cleanup.push(() => emu.close());
    expect(
      () =>
        new SocketModeReceiver(new Dispatcher(new RecordingHandler(), silentLogger), silentLogger, {
          appToken: BOT,
          apiUrl: emu.apiUrl,
        }),
    ).toThrow(/app-level token \(xapp-…\), not a bot or user token/);
    const wrong = new SocketModeReceiver(new Dispatcher(new RecordingHandler(), silentLogger), silentLogger, {
      appToken: "xapp-1-A0000000001-not-the-token",
      apiUrl: emu.apiUrl,
    });
    await expect(wrong.start()).rejects.toBeInstanceOf(SocketModeSetupError);
  });

  it("stop: work after the ack finishes, then the sockets close", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const done: string[] = [];
    const { emu, dispatcher, receiver, ts } = await setup(
      new RecordingHandler(() => ({ after: async () => (await gate, void done.push("work")) })),
    );
    expect(await click(emu, ts)).toMatchObject({ acked: true });
    dispatcher.stopAccepting();
    const stopped = (async () => {
      await receiver.stop();
      await dispatcher.drain();
      done.push("stopped");
    })();
    release();
    await stopped;
    expect(done).toEqual(["work", "stopped"]);
    await until(() => emu.socket().connections.every((c) => c.state === "closed"));
  });

  it("stop: a click that reaches a socket as it closes is taken and acked on the one still open; every click acked is handled", async () => {
    const done: string[] = [];
    const handler = new RecordingHandler((i) => ({
      after: async () => {
        await sleep(50);
        done.push(i.envelopeId as string);
      },
    }));
    const { emu, dispatcher, receiver, ts } = await setup(handler);
    // Slack has not read the close frame yet: the two clicks go one to each socket (round robin),
    // one of them the socket that is closing.
    const clicks: Promise<SimulationResult>[] = [];
    onFirstClose(sockets(receiver), () => clicks.push(click(emu, ts), click(emu, ts, "bob")));
    await receiver.stop();
    dispatcher.stopAccepting();
    await dispatcher.drain();
    const results = await Promise.all(clicks);
    expect(results.map((r) => [r.delivered, r.acked])).toEqual([
      [true, true],
      [true, true],
    ]);
    const on = (r: SimulationResult) => emu.socket().envelopes.find((e) => e.envelope_id === r.envelope_id)?.connection;
    expect(new Set(results.map(on)).size).toBe(2);
    expect(done.sort()).toEqual(handler.got.map((g) => g.envelopeId).sort());
    expect(done).toHaveLength(2);
  });

  it("stop: an event that crosses the last socket's close frame is neither taken nor acked, so Slack redelivers it to another replica", async () => {
    const emu = await startEmulator({
      rateLimit: false,
      workspaceRateLimit: false,
      receive: { ackTimeoutMs: 1000, eventRetryDelaysMs: [0, 0, 0] },
    });
    cleanup.push(() => emu.close());
    const replica = async () => {
      const handler = new RecordingHandler();
      const dispatcher = new Dispatcher(handler, silentLogger);
      const receiver = new SocketModeReceiver(dispatcher, silentLogger, {
        appToken: APP_TOKEN,
        apiUrl: emu.apiUrl,
        connections: 1,
        retireIdleMs: 50,
      });
      await receiver.start();
      cleanup.push(() => receiver.stop());
      return { handler, dispatcher, receiver };
    };
    const a = await replica();
    const b = await replica();
    await until(() => emu.socket().connections.filter((c) => c.state === "open").length === 2);
    // A's only socket: right after its close frame, two events (round robin: one on A's, one on B's).
    const events: Promise<SimulationResult>[] = [];
    const mention = () => emu.event({ event: { type: "app_mention", user: "U1000000001", text: "hi" }, via: "socket" });
    onFirstClose(sockets(a.receiver), () => events.push(mention(), mention()));
    await a.receiver.stop();
    a.dispatcher.stopAccepting();
    await a.dispatcher.drain();
    const results = await Promise.all(events);
    expect(results.map((r) => r.acked).sort()).toEqual([false, true]);
    // A took nothing it could not ack; B handled both, the one A left as Slack's redelivery.
    expect(a.handler.got).toEqual([]);
    const ids = results.map((r) => r.event_id).sort();
    await until(() => b.handler.got.length === 2);
    expect(b.handler.got.map((g) => g.payload["event_id"]).sort()).toEqual(ids);
    const state = emu.socket();
    // Until Slack has read A's close frame it may offer the retry to A's socket again: the last one is B's ack.
    expect(state.redeliveries.length).toBeGreaterThanOrEqual(1);
    expect(state.redeliveries.at(-1)).toMatchObject({ outcome: "acked" });
  });

  it("readiness (served by --health-port): not ready until a socket is open, ready while one is, not ready once stopping", async () => {
    const emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
    cleanup.push(() => emu.close());
    const dispatcher = new Dispatcher(new RecordingHandler(), silentLogger);
    const receiver = new SocketModeReceiver(dispatcher, silentLogger, {
      appToken: APP_TOKEN,
      apiUrl: emu.apiUrl,
      backoff: { minMs: 20, maxMs: 100 },
    });
    const health = new HealthServer(silentLogger, {
      port: 0,
      readiness: () => (dispatcher.draining ? "draining" : receiver.readiness()),
    });
    const { url } = await health.start();
    cleanup.push(() => health.stop());
    const probe = async (path: string) => {
      const r = await fetch(`${url}${path}`);
      return [r.status, await r.json()];
    };
    expect(await probe("/healthz")).toEqual([200, { ok: true }]);
    expect(await probe("/readyz")).toEqual([503, { ok: false, error: "no Socket Mode connection open" }]);
    await receiver.start();
    cleanup.push(() => receiver.stop());
    expect(await probe("/readyz")).toEqual([200, { ok: true }]);
    // Both connections dropped, and Slack refusing new ones for now: not ready until one is back.
    emu.socketFault({ kind: "refuse_upgrade", status: 500, count: 1_000_000 });
    emu.socketFault({ kind: "drop" });
    await until(() => receiver.openConnections === 0);
    expect(await probe("/readyz")).toEqual([503, { ok: false, error: "no Socket Mode connection open" }]);
    emu.reset(); // forgets the fault: the slots reconnect
    await until(() => receiver.openConnections > 0);
    expect(await probe("/readyz")).toEqual([200, { ok: true }]);
    const stopping = receiver.stop();
    expect(await probe("/readyz")).toEqual([503, { ok: false, error: "stopping" }]);
    await stopping;
    expect(await probe("/healthz")).toEqual([200, { ok: true }]);
    expect((await fetch(`${url}/slack/events`, { method: "POST" })).status).toBe(404);
  });
});
