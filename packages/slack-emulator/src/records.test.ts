/**
 * The record of every request: accepted and refused, in order, with timestamps, in-process
 * and at GET /_emulator/messages; reset in-process and at POST /_emulator/reset.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EmulatorRecord } from "./records.js";
import { type SlackEmulator, startEmulator } from "./server.js";

const BOT = "xoxb-emulator-bot-token";

async function post(emu: SlackEmulator, args: Record<string, string>, token = BOT) {
  const res = await fetch(`${emu.apiUrl}chat.postMessage`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(args).toString(),
  });
  return (await res.json()) as Record<string, unknown>;
}

async function hook(emu: SlackEmulator, name: string, payload: unknown) {
  const res = await fetch(emu.webhookUrl(name), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(payload),
  });
  return res.text();
}

async function control(emu: SlackEmulator, method: string, path: string) {
  const res = await fetch(`${emu.url}/_emulator/${path}`, { method });
  return {
    status: res.status,
    body: (await res.json()) as { messages: EmulatorRecord[]; records: EmulatorRecord[] } & Record<string, unknown>,
  };
}

let emu: SlackEmulator;
beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

/** A mixed sequence: accepted, refused, accepted webhook, refused webhook, thread reply. */
async function mixedTraffic(): Promise<string> {
  const first = await post(emu, { channel: "security-alerts", text: "first" });
  await post(emu, { channel: "dev", text: "refused: bot not in #dev" });
  await hook(emu, "ops", { text: "via hook" });
  await hook(emu, "ops", {});
  await post(emu, { channel: "C0000000002", text: "reply", thread_ts: String(first["ts"]) });
  return String(first["ts"]);
}

describe("records()", () => {
  it("holds accepted and refused requests in order, with seq numbers and timestamps", async () => {
    const before = Date.now();
    const parentTs = await mixedTraffic();
    const records = emu.records();
    expect(records.map((r) => [r.seq, r.kind, r.channelName, r.status, r.ok, r.error ?? null])).toEqual([
      [1, "api", "security-alerts", 200, true, null],
      [2, "api", "dev", 200, false, "not_in_channel"],
      [3, "webhook", "ops", 200, true, null],
      [4, "webhook", "ops", 400, false, "no_text"],
      [5, "api", "security-alerts", 200, true, null],
    ]);
    expect(records[4]).toMatchObject({ method: "chat.postMessage", threadTs: parentTs, payload: { text: "reply" } });
    const times = records.map((r) => Date.parse(r.at));
    for (const [i, t] of times.entries()) {
      expect(records[i]?.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(t).toBeGreaterThanOrEqual(i === 0 ? before - 1 : (times[i - 1] ?? 0));
    }
  });

  it("never holds a token or a hook secret, even when a message quotes them", async () => {
    const url = emu.webhookUrl("security");
    await post(emu, { channel: "general", text: `leaked ${BOT} and ${url}`, token: BOT });
    await hook(emu, "security", { text: `my url is ${url}` });
    const json = JSON.stringify(emu.records());
    expect(json).not.toContain(BOT);
    expect(json).not.toContain("emulatorhooksecret");
    expect(emu.records()[0]?.payload).toEqual({ channel: "general", text: expect.stringContaining("[REDACTED]") });
    expect(emu.records()[0]?.payload).not.toHaveProperty("token");
  });

  it("returns copies that callers cannot use to change the log", async () => {
    await post(emu, { channel: "general", text: "original" });
    const copy = emu.records();
    (copy[0] as EmulatorRecord).payload["text"] = "changed";
    copy.pop();
    expect(emu.records()).toHaveLength(1);
    expect(emu.records()[0]?.payload["text"]).toBe("original");
  });
});

describe("messages()", () => {
  it("holds only accepted messages, filterable by channel ID or name and by hook", async () => {
    await mixedTraffic();
    expect(emu.messages().map((m) => m.payload["text"])).toEqual(["first", "via hook", "reply"]);
    expect(emu.messages({ channel: "security-alerts" }).map((m) => m.payload["text"])).toEqual(["first", "reply"]);
    expect(emu.messages({ channel: "#security-alerts" })).toHaveLength(2);
    expect(emu.messages({ channel: "C0000000003" }).map((m) => m.payload["text"])).toEqual(["via hook"]);
    expect(emu.messages({ hook: "ops" })).toHaveLength(1);
    expect(emu.messages({ channel: "dev" })).toEqual([]);
    expect(emu.messages({ channel: "no-such-channel" })).toEqual([]);
  });

  it("does not count calls that post nothing, such as auth.test", async () => {
    await fetch(`${emu.apiUrl}auth.test`, { method: "POST", headers: { authorization: `Bearer ${BOT}` } });
    expect(emu.records()).toMatchObject([{ method: "auth.test", ok: true }]);
    expect(emu.messages()).toEqual([]);
  });
});

describe("GET /_emulator/messages", () => {
  it("returns the same messages and records as the in-process API", async () => {
    await mixedTraffic();
    const { status, body } = await control(emu, "GET", "messages");
    expect(status).toBe(200);
    expect(body.messages).toEqual(emu.messages());
    expect(body.records).toEqual(emu.records());
  });

  it("filters messages by channel and hook (records stay complete)", async () => {
    await mixedTraffic();
    const byChannel = (await control(emu, "GET", "messages?channel=security-alerts")).body;
    expect(byChannel.messages.map((m) => m.payload["text"])).toEqual(["first", "reply"]);
    expect(byChannel.records).toHaveLength(5);
    const byHook = (await control(emu, "GET", "messages?hook=ops")).body;
    expect(byHook.messages.map((m) => m.payload["text"])).toEqual(["via hook"]);
  });

  it("answers 404 naming the route for an unknown control endpoint", async () => {
    const res = await control(emu, "GET", "nope");
    expect(res).toEqual({ status: 404, body: { ok: false, error: "no such emulator endpoint: GET /_emulator/nope" } });
    expect((await control(emu, "DELETE", "messages")).status).toBe(404);
  });
});

describe("reset", () => {
  it("reset() clears records, messages and threads, and numbering starts again", async () => {
    const parentTs = await mixedTraffic();
    emu.reset();
    expect(emu.records()).toEqual([]);
    expect(emu.messages()).toEqual([]);
    // The thread parent is forgotten too.
    expect(await post(emu, { channel: "security-alerts", text: "late reply", thread_ts: parentTs })).toMatchObject({
      ok: false,
      error: "thread_not_found",
    });
    expect(emu.records()[0]?.seq).toBe(1);
  });

  it("POST /_emulator/reset does the same over HTTP, and is not itself recorded", async () => {
    await mixedTraffic();
    emu.fault({ target: {}, kind: "reset" });
    expect(await control(emu, "POST", "reset")).toEqual({ status: 200, body: { ok: true } });
    expect(emu.records()).toEqual([]);
    expect(emu.activeFaults()).toEqual([]);
    expect((await control(emu, "GET", "messages")).body).toEqual({ messages: [], records: [] });
  });

  it("ts values keep increasing across a reset, so none is reused", async () => {
    const before = await post(emu, { channel: "general", text: "a" });
    emu.reset();
    const after = await post(emu, { channel: "general", text: "b" });
    expect(Number(after["ts"])).toBeGreaterThan(Number(before["ts"]));
  });
});
