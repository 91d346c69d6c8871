/**
 * HTTP delivery: what the request URL receives, signed as Slack signs. Bolt's HTTP receiver
 * (the official one, unchanged) verifies the emulator's requests and answers the
 * url_verification challenge; a strict verifier built on Bolt's exported isValidSlackRequest
 * refuses every tampered one (wrong signature, stale and future timestamps, a replay, an
 * oversized body). Also: form/JSON bodies, the deadline, event retries, response_url, views.open.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";
import { App, HTTPReceiver, isValidSlackRequest, LogLevel } from "@slack/bolt";
import { afterEach, describe, expect, it } from "vitest";
import { slackSignature } from "./http-delivery.js";
import { type ReceiveOptions, type SlackEmulator, startEmulator } from "./server.js";

const BOT = "xoxb-emulator-bot-token";
const SECRET = "emulatorsigningsecret0000000001";
const BLOCKS = [
  { type: "section", text: { type: "mrkdwn", text: "lodash: critical CVE" } },
  {
    type: "actions",
    block_id: "triage",
    elements: [{ type: "button", action_id: "ack", text: { type: "plain_text", text: "Ack" }, value: "alert-1" }],
  },
];

interface Seen {
  headers: IncomingMessage["headers"];
  body: string;
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function emulator(requestUrl?: string, receive: ReceiveOptions = {}): Promise<SlackEmulator> {
  const emu = await startEmulator({
    rateLimit: false,
    workspaceRateLimit: false,
    ...(requestUrl === undefined ? {} : { requestUrl }),
    receive,
  });
  cleanup.push(() => emu.close());
  return emu;
}

/** A small receiver: records what arrived, answers with `answer`. */
async function receiver(answer: (seen: Seen, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const entry = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      seen.push(entry);
      answer(entry, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanup.push(() => new Promise((r) => (server.closeAllConnections(), server.close(r))));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`, seen };
}

/** What a careful receiver does: Bolt's verifier, plus |skew| ≤ 300 s both ways, a size cap and a replay cache. */
function strictVerifier(): (seen: Seen, res: ServerResponse) => void {
  const used = new Set<string>();
  return (seen, res) => {
    const ts = Number(seen.headers["x-slack-request-timestamp"]);
    const signature = String(seen.headers["x-slack-signature"]);
    const ok =
      seen.body.length <= 1024 * 1024 &&
      Math.abs(Date.now() / 1000 - ts) <= 300 &&
      !used.has(signature) &&
      isValidSlackRequest({
        signingSecret: SECRET,
        body: seen.body,
        headers: { "x-slack-signature": signature, "x-slack-request-timestamp": ts },
      });
    if (ok) used.add(signature);
    res.writeHead(ok ? 200 : 401).end();
  };
}

async function post(emu: SlackEmulator): Promise<string> {
  const res = await fetch(`${emu.apiUrl}chat.postMessage`, {
    method: "POST",
    headers: { authorization: `Bearer ${BOT}`, "content-type": "application/json" },
    body: JSON.stringify({ channel: "security-alerts", text: "lodash: critical CVE", blocks: BLOCKS }),
  });
  return ((await res.json()) as { ts: string }).ts;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 25));
}

describe("bodies and signatures", () => {
  it("interactions are form-encoded payload=JSON, commands form fields, events JSON; each signed v0=HMAC(v0:ts:body)", async () => {
    const { url, seen } = await receiver((_s, res) => res.writeHead(200).end());
    const emu = await emulator(url);
    const ts = await post(emu);
    expect(await emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "ack" })).toMatchObject({
      ok: true,
      via: "http",
      acked: true,
      status: 200,
    });
    expect(
      await emu.command({ user: "bob", channel: "security-alerts", command: "/socket", text: "mute lodash" }),
    ).toMatchObject({ acked: true });
    expect(
      await emu.event({ event: { type: "app_mention", user: "U1000000001", text: "hi", channel: "C0000000002" } }),
    ).toMatchObject({ acked: true });
    expect(seen.map((s) => s.headers["content-type"])).toEqual([
      "application/x-www-form-urlencoded",
      "application/x-www-form-urlencoded",
      "application/json",
    ]);
    for (const s of seen) {
      const stamp = String(s.headers["x-slack-request-timestamp"]);
      expect(Math.abs(Number(stamp) - Date.now() / 1000)).toBeLessThan(120);
      expect(s.headers["x-slack-signature"]).toBe(slackSignature(SECRET, stamp, s.body));
    }
    const click = JSON.parse(new URLSearchParams(seen[0]?.body).get("payload") ?? "") as Record<string, unknown>;
    expect(click).toMatchObject({
      type: "block_actions",
      api_app_id: "A0000000001",
      actions: [{ action_id: "ack", value: "alert-1" }],
    });
    expect(Object.fromEntries(new URLSearchParams(seen[1]?.body))).toMatchObject({
      command: "/socket",
      text: "mute lodash",
      user_id: "U1000000002",
      user_name: "bob",
      channel_id: "C0000000002",
      team_id: "T0001",
      api_app_id: "A0000000001",
    });
    expect(JSON.parse(seen[2]?.body ?? "")).toMatchObject({
      type: "event_callback",
      event_id: expect.stringMatching(/^Ev/),
      event: { type: "app_mention", text: "hi" },
    });
    expect(emu.deliveries().map((d) => [d.kind, d.status])).toEqual([
      ["interactive", 200],
      ["command", 200],
      ["event", 200],
    ]);
  });

  it("a strict verifier accepts the real requests and refuses wrong signature, stale and future timestamps, a replay and an oversized body", async () => {
    const { url } = await receiver(strictVerifier());
    const emu = await emulator(url);
    const ts = await post(emu);
    const click = { user: "alice", channel: "security-alerts", ts, action_id: "ack" } as const;
    expect(await emu.interact(click)).toMatchObject({ status: 200, acked: true });
    for (const tamper of ["signature", "stale_timestamp", "future_timestamp", "oversized"] as const) {
      expect([tamper, (await emu.interact({ ...click, tamper })).status]).toEqual([tamper, 401]);
    }
    const replay = await fetch(`${emu.url}/_emulator/http/replay`, {
      method: "POST",
      body: JSON.stringify({ seq: 1 }),
    });
    expect(await replay.json()).toMatchObject({ ok: true, status: 401 });
    expect(emu.deliveries().map((d) => [d.tamper ?? d.replay_of ?? "-", d.status])).toEqual([
      ["-", 200],
      ["signature", 401],
      ["stale_timestamp", 401],
      ["future_timestamp", 401],
      ["oversized", 401],
      [1, 401],
    ]);
    expect(emu.deliveries()[4]?.body_bytes).toBeGreaterThan(2 * 1024 * 1024);
  });
});

describe("Bolt's HTTP receiver", () => {
  it("answers url_verification, verifies and handles a click and a command, and rejects a bad signature and a stale timestamp", async () => {
    const emu = await emulator();
    const bolt = new HTTPReceiver({ signingSecret: SECRET, logLevel: LogLevel.ERROR });
    const app = new App({
      token: BOT,
      receiver: bolt,
      clientOptions: { slackApiUrl: emu.apiUrl },
      logLevel: LogLevel.ERROR,
    });
    const clicks: string[] = [];
    app.action("ack", async ({ ack, body }) => {
      await ack();
      clicks.push(body.user.id);
    });
    app.command("/socket", async ({ ack, command }) => {
      await ack({ response_type: "ephemeral", text: `ok ${command.text}` });
    });
    const server = await app.start({ port: 0, host: "127.0.0.1" });
    cleanup.push(() => app.stop());
    emu.setRequestUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);

    expect(await emu.verifyRequestUrl()).toMatchObject({ ok: true, verified: true, status: 200 });
    const ts = await post(emu);
    expect(await emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "ack" })).toMatchObject({
      acked: true,
      status: 200,
    });
    expect(clicks).toEqual(["U1000000001"]);
    expect(await emu.command({ user: "bob", channel: "ops", command: "/socket", text: "lodash" })).toMatchObject({
      acked: true,
      response: { response_type: "ephemeral", text: "ok lodash" },
    });
    expect(
      (await emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "ack", tamper: "signature" }))
        .status,
    ).toBe(401);
    expect(
      (
        await emu.interact({
          user: "alice",
          channel: "security-alerts",
          ts,
          action_id: "ack",
          tamper: "stale_timestamp",
        })
      ).status,
    ).toBe(401);
    expect(clicks).toEqual(["U1000000001"]);
  });
});

describe("deadline and retries", () => {
  it("an answer later than the deadline is a failure; events are retried with X-Slack-Retry-Num/Reason until acked", async () => {
    let calls = 0;
    const { url, seen } = await receiver((s, res) => {
      calls++;
      if (s.body.includes("block_actions")) return; // never answers: the user sees an error
      if (calls <= 3) res.writeHead(500).end();
      else res.writeHead(200).end();
    });
    // Short, but long enough for a busy machine to answer the 500s in time: the interaction never is.
    const emu = await emulator(url, { ackTimeoutMs: 1500, eventRetryDelaysMs: [0, 0, 0] });
    const ts = await post(emu);
    expect(await emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "ack" })).toMatchObject({
      acked: false,
      error: "http_timeout",
    });
    expect(await emu.event({ event: { type: "app_mention", text: "hi" } })).toMatchObject({
      acked: false,
      status: 500,
    });
    await until(() => emu.deliveries().some((d) => d.kind === "event" && d.status === 200));
    const events = seen.filter((s) => s.headers["content-type"] === "application/json");
    expect(events.map((s) => [s.headers["x-slack-retry-num"], s.headers["x-slack-retry-reason"]])).toEqual([
      [undefined, undefined],
      ["1", "http_error"],
      ["2", "http_error"],
    ]);
  });

  it("X-Slack-No-Retry: 1 stops event retries", async () => {
    const { url } = await receiver((_s, res) => res.writeHead(400, { "x-slack-no-retry": "1" }).end());
    const emu = await emulator(url, { eventRetryDelaysMs: [0] });
    expect(await emu.event({ event: { type: "app_mention", text: "hi" } })).toMatchObject({
      acked: false,
      status: 400,
    });
    // Checking for an absence: a short wait can only let a wrong retry go unseen, never fail a right run.
    await new Promise((r) => setTimeout(r, 200));
    expect(emu.deliveries()).toHaveLength(1);
  });
});

describe("response_url and views.open", () => {
  it("replace_original, an ephemeral reply, an in_channel reply and delete_original are recorded; 5 uses at most", async () => {
    const { url } = await receiver((_s, res) => res.writeHead(200).end());
    const emu = await emulator(url);
    const ts = await post(emu);
    const click = await emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "ack" });
    const respond = async (body: unknown): Promise<{ status: number; body: unknown }> => {
      const res = await fetch(click.response_url ?? "", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    expect(await respond({ replace_original: true, text: "acked by alice" })).toEqual({
      status: 200,
      body: { ok: true },
    });
    expect(await respond({ text: "only you see this" })).toEqual({ status: 200, body: { ok: true } });
    expect(await respond({ response_type: "in_channel", text: "alice acked it" })).toEqual({
      status: 200,
      body: { ok: true },
    });
    expect(await respond({ delete_original: true })).toEqual({ status: 200, body: { ok: true } });
    expect(await respond({ text: "fifth" })).toEqual({ status: 200, body: { ok: true } });
    expect(await respond({ text: "sixth" })).toEqual({ status: 404, body: { ok: false, error: "used_up" } });
    const responses = emu.records().filter((r) => r.kind === "response");
    expect(responses.map((r) => [r.action, r.ephemeral ?? false, r.user, r.ts === ts])).toEqual([
      ["replace_original", false, undefined, true],
      ["post", true, "U1000000001", false],
      ["post", false, undefined, false],
      ["delete_original", false, undefined, true],
      ["post", true, "U1000000001", false],
      [undefined, false, undefined, false],
    ]);
    // The original is gone: a click on it is refused.
    await expect(
      emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "ack" }),
    ).rejects.toMatchObject({ code: "message_not_found" });
  });

  it("views.open takes the click's trigger_id once", async () => {
    const { url } = await receiver((_s, res) => res.writeHead(200).end());
    const emu = await emulator(url);
    const ts = await post(emu);
    const click = await emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "ack" });
    const open = async (): Promise<unknown> =>
      (
        await fetch(`${emu.apiUrl}views.open`, {
          method: "POST",
          headers: { authorization: `Bearer ${BOT}`, "content-type": "application/json" },
          body: JSON.stringify({
            trigger_id: click.trigger_id,
            view: { type: "modal", title: { type: "plain_text", text: "Mute" }, blocks: [] },
          }),
        })
      ).json();
    expect(await open()).toMatchObject({
      ok: true,
      view: { id: expect.stringMatching(/^V/), type: "modal", app_id: "A0000000001" },
    });
    expect(await open()).toEqual({ ok: false, error: "exchanged_trigger_id" });
  });
});
