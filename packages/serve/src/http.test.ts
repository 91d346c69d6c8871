/**
 * The HTTP transport against the emulator's signed delivery: a click arrives once and is acked;
 * tampered, stale, future-dated and replayed requests get 401 and reach no handler; Slack's own
 * event retries are answered and de-duplicated; url_verification, ssl_check, the body limit,
 * /healthz and /readyz (503 while draining).
 */
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterEach, describe, expect, it } from "vitest";
import { Dispatcher } from "./dispatch.js";
import { EVENTS_PATH, HttpReceiver } from "./http.js";
import { createLogger, silentLogger } from "./log.js";
import { RecordingHandler, postButton, SIGNING_SECRET } from "./test-support.js";
import { sign } from "./verify.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(handler = new RecordingHandler(), logs?: string[]) {
  const logger = logs === undefined ? silentLogger : createLogger("json", (l) => logs.push(l));
  const dispatcher = new Dispatcher(handler, logger);
  const receiver = new HttpReceiver(dispatcher, logger, { signingSecret: SIGNING_SECRET, port: 0 });
  const { url } = await receiver.start();
  cleanup.push(() => receiver.stop());
  const emu: SlackEmulator = await startEmulator({ rateLimit: false, workspaceRateLimit: false, requestUrl: url });
  cleanup.push(() => emu.close());
  return { emu, url, handler, dispatcher, receiver, base: url.slice(0, -EVENTS_PATH.length) };
}

function signed(body: string, ts = String(Math.floor(Date.now() / 1000)), extra: Record<string, string> = {}) {
  return {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-slack-request-timestamp": ts,
      "x-slack-signature": sign(SIGNING_SECRET, ts, body),
      ...extra,
    },
    body,
  };
}

describe("HTTP transport", () => {
  it("a click arrives once, parsed from the form's payload field, and is acked with 200", async () => {
    const { emu, handler } = await setup();
    const ts = await postButton(emu);
    const r = await emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "ack", via: "http" });
    expect(r).toMatchObject({ ok: true, via: "http", delivered: true, acked: true, status: 200 });
    expect(handler.got).toHaveLength(1);
    expect(handler.got[0]).toMatchObject({
      kind: "interactive",
      transport: "http",
      payload: { type: "block_actions", user: { id: "U1000000001" }, actions: [{ action_id: "ack" }] },
    });
  });

  it("a slash command's answer is the response body", async () => {
    const { emu } = await setup(
      new RecordingHandler((i) => ({ ack: { response_type: "ephemeral", text: `hi ${String(i.payload["text"])}` } })),
    );
    const r = await emu.command({
      user: "bob",
      channel: "security-alerts",
      command: "/socket-notify",
      text: "help",
      via: "http",
    });
    expect(r).toMatchObject({ acked: true, status: 200, response: { response_type: "ephemeral", text: "hi help" } });
  });

  it.each(["signature", "stale_timestamp", "future_timestamp"] as const)(
    "tampered (%s): 401, X-Slack-No-Retry, no handler called",
    async (tamper) => {
      const { emu, handler } = await setup();
      const ts = await postButton(emu);
      const r = await emu.interact({
        user: "alice",
        channel: "security-alerts",
        ts,
        action_id: "ack",
        via: "http",
        tamper,
      });
      expect(r).toMatchObject({ acked: false, status: 401 });
      expect(handler.got).toEqual([]);
    },
  );

  it("a replayed request (same timestamp and signature, within the window) gets 401 and changes nothing", async () => {
    const { emu, handler } = await setup();
    const ts = await postButton(emu);
    await emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "ack", via: "http" });
    const again = await emu.replay();
    expect(again).toMatchObject({ status: 401 });
    expect(handler.got).toHaveLength(1);
  });

  it("Slack's retry of an event (X-Slack-Retry-Num) is answered 200 and handled once; a new event_id is handled", async () => {
    const { url, handler } = await setup();
    const body = JSON.stringify({ type: "event_callback", event_id: "Ev1", event: { type: "app_mention" } });
    expect((await fetch(url, signed(body))).status).toBe(200);
    const retry = await fetch(
      url,
      signed(body, undefined, { "x-slack-retry-num": "1", "x-slack-retry-reason": "timeout" }),
    );
    expect(retry.status).toBe(200);
    const other = JSON.stringify({ type: "event_callback", event_id: "Ev2", event: { type: "app_mention" } });
    expect((await fetch(url, signed(other))).status).toBe(200);
    expect(handler.got.map((g) => g.payload["event_id"])).toEqual(["Ev1", "Ev2"]);
  });

  it("url_verification is answered with the challenge; ssl_check needs no signature", async () => {
    const { emu, url } = await setup();
    expect(await emu.verifyRequestUrl()).toMatchObject({ verified: true });
    const ssl = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "ssl_check=1&token=x",
    });
    expect(ssl.status).toBe(200);
    // Anything else unsigned is refused, ssl_check or not.
    const sneaky = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "ssl_check=1&command=%2Fsocket-notify",
    });
    expect(sneaky.status).toBe(401);
  });

  it("an oversized body gets 413 before any signature work; unknown paths 404", async () => {
    const { emu, url, base, handler } = await setup();
    const ts = await postButton(emu);
    const r = await emu.interact({
      user: "alice",
      channel: "security-alerts",
      ts,
      action_id: "ack",
      via: "http",
      tamper: "oversized",
    });
    expect(r.status).toBe(413);
    const big = await fetch(url, signed("x".repeat(300 * 1024))).catch((e: Error) => e);
    if (!(big instanceof Error)) expect(big.status).toBe(413);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect(handler.got).toEqual([]);
  });

  it("/healthz is 200; /readyz is 200 until draining, then 503, and so are new Slack requests", async () => {
    const { base, url, dispatcher } = await setup();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    dispatcher.stopAccepting();
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    const body = JSON.stringify({ type: "event_callback", event_id: "Ev9", event: { type: "x" } });
    expect((await fetch(url, signed(body))).status).toBe(503);
  });

  it("refuses to start with an empty signing secret", () => {
    expect(
      () => new HttpReceiver(new Dispatcher(new RecordingHandler(), silentLogger), silentLogger, { signingSecret: "" }),
    ).toThrow(/signing secret is empty/);
  });

  it("logs one JSON line per request with no body, signature or secret in it", async () => {
    const logs: string[] = [];
    const { emu } = await setup(new RecordingHandler(), logs);
    const ts = await postButton(emu);
    await emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "ack", via: "http" });
    await emu.interact({
      user: "alice",
      channel: "security-alerts",
      ts,
      action_id: "ack",
      via: "http",
      tamper: "signature",
    });
    await expect.poll(() => logs.some((l) => l.includes('"event":"handled"'))).toBe(true);
    for (const l of logs) {
      expect(() => JSON.parse(l)).not.toThrow();
      expect(l).not.toContain(SIGNING_SECRET);
      expect(l).not.toMatch(/v0=[0-9a-f]{8}/);
      expect(l).not.toContain("block_actions");
    }
    expect(logs.map((l) => (JSON.parse(l) as { event: string }).event)).toEqual(
      expect.arrayContaining(["listening", "handled", "request_refused"]),
    );
  });
});
