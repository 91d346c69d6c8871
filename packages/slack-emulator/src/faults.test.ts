/**
 * Fault injection, in-process (`emu.fault`) and over HTTP (`/_emulator/faults`). Assertions
 * are about what the client saw and what was recorded, never about how long things took.
 */
import { request, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SlackEmulator, startEmulator } from "./server.js";

const BOT = "xoxb-emulator-bot-token";

async function post(emu: SlackEmulator, channel: string, text = "hi", signal?: AbortSignal) {
  const res = await fetch(`${emu.apiUrl}chat.postMessage`, {
    method: "POST",
    headers: { authorization: `Bearer ${BOT}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ channel, text }).toString(),
    ...(signal === undefined ? {} : { signal }),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get("retry-after"),
    body: (await res.json()) as Record<string, unknown>,
  };
}

async function hook(emu: SlackEmulator, name: string, text = "hi", signal?: AbortSignal) {
  const res = await fetch(emu.webhookUrl(name), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text }),
    ...(signal === undefined ? {} : { signal }),
  });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.text() };
}

async function control(emu: SlackEmulator, method: string, path: string, body?: unknown) {
  const res = await fetch(`${emu.url}/_emulator/${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Resolves once the emulator has recorded `n` requests (hang faults are recorded on arrival). */
async function recorded(emu: SlackEmulator, n: number): Promise<void> {
  while (emu.records().length < n) await new Promise((resolve) => setImmediate(resolve));
}

let emu: SlackEmulator;
beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe("status faults", () => {
  it("answers N requests to a channel with 503, then recovers; other channels are unaffected", async () => {
    emu.fault({ target: { channel: "ops" }, kind: "status", status: 503, count: 2 });
    expect(await post(emu, "ops", "1")).toMatchObject({
      status: 503,
      body: { ok: false, error: "service_unavailable" },
    });
    expect((await post(emu, "general", "2")).status).toBe(200);
    expect(await post(emu, "#ops", "3")).toMatchObject({ status: 503 });
    expect(await post(emu, "ops", "4")).toMatchObject({ status: 200, body: { ok: true } });
    expect(emu.activeFaults()).toEqual([]);
    expect(emu.records().map((r) => [r.payload["text"], r.status, r.fault ?? null])).toEqual([
      ["1", 503, "status"],
      ["2", 200, null],
      ["3", 503, "status"],
      ["4", 200, null],
    ]);
    expect(emu.messages().map((m) => m.payload["text"])).toEqual(["2", "4"]);
  });

  it("answers webhooks with 500 internal_error by default, and with the hook status of a given error", async () => {
    emu.fault({ target: { hook: "security" }, kind: "status" });
    emu.fault({ target: { hook: "security" }, kind: "status", error: "channel_is_archived" });
    expect(await hook(emu, "security")).toMatchObject({ status: 500, body: "internal_error" });
    expect(await hook(emu, "security")).toMatchObject({ status: 410, body: "channel_is_archived" });
    expect(await hook(emu, "security")).toMatchObject({ status: 200, body: "ok" });
  });

  it("answers an API fault that has only an error like a platform error: HTTP 200, ok:false", async () => {
    emu.fault({ target: { method: "chat.postMessage" }, kind: "status", error: "fatal_error" });
    expect(await post(emu, "general")).toEqual({
      status: 200,
      retryAfter: null,
      body: { ok: false, error: "fatal_error" },
    });
    expect(emu.records()[0]).toMatchObject({
      status: 200,
      ok: false,
      error: "fatal_error",
      fault: "status",
      channel: "C0000000001",
    });
  });

  it("matches a hook's channel too, and applies faults in the order they were added", async () => {
    emu.fault({ target: { channel: "ops" }, kind: "status", status: 502 });
    emu.fault({ target: {}, kind: "status", status: 503 });
    expect((await hook(emu, "ops")).status).toBe(502);
    expect((await hook(emu, "dev")).status).toBe(503);
    expect((await hook(emu, "dev")).status).toBe(200);
  });
});

describe("ratelimit faults", () => {
  it("answers a burst of 429s with the given Retry-After, in API and webhook style", async () => {
    emu.fault({ target: { channel: "general" }, kind: "ratelimit", retryAfter: 7, count: 2 });
    emu.fault({ target: { hook: "dev" }, kind: "ratelimit", count: 1 });
    for (let i = 0; i < 2; i++) {
      expect(await post(emu, "general")).toEqual({
        status: 429,
        retryAfter: "7",
        body: { ok: false, error: "ratelimited" },
      });
    }
    expect((await post(emu, "general")).status).toBe(200);
    expect(await hook(emu, "dev")).toEqual({ status: 429, retryAfter: "1", body: "rate_limited" });
    expect((await hook(emu, "dev")).status).toBe(200);
    expect(
      emu
        .records()
        .filter((r) => r.fault === "ratelimit")
        .map((r) => r.retryAfter),
    ).toEqual([7, 7, 1]);
  });
});

describe("connection faults", () => {
  it("drops the connection for a reset fault, recording status 0", async () => {
    emu.fault({ target: { hook: "ops" }, kind: "reset" });
    await expect(hook(emu, "ops")).rejects.toThrow(TypeError); // fetch failed
    expect((await hook(emu, "ops")).body).toBe("ok");
    expect(emu.records().map((r) => [r.status, r.ok, r.fault ?? null, r.hook])).toEqual([
      [0, false, "reset", "ops"],
      [200, true, null, "ops"],
    ]);
  });

  it("never answers a hang fault: the client gives up, later requests are answered", async () => {
    emu.fault({ target: { channel: "ops" }, kind: "hang" });
    const aborted = new AbortController();
    const hanging = post(emu, "ops", "lost", aborted.signal);
    await recorded(emu, 1);
    aborted.abort();
    await expect(hanging).rejects.toThrow(/abort/i);
    expect((await post(emu, "ops", "next")).status).toBe(200);
    expect(emu.records()).toMatchObject([
      { status: 0, ok: false, fault: "hang", channel: "C0000000003", payload: { text: "lost" } },
      { status: 200, ok: true, payload: { text: "next" } },
    ]);
  });

  it("delays a request with a latency fault, then handles it normally", async () => {
    emu.fault({ target: { hook: "security" }, kind: "latency", ms: 50, count: 1 });
    expect(await hook(emu, "security")).toMatchObject({ status: 200, body: "ok" });
    expect(emu.messages()[0]).toMatchObject({ hook: "security", ok: true, fault: "latency" });
    expect(emu.activeFaults()).toEqual([]);
  });

  it("keeps a latency fault until reset (count defaults to Infinity), long enough to trip a client timeout", async () => {
    emu.fault({ target: { channel: "general" }, kind: "latency", ms: 60_000 });
    expect(emu.activeFaults()).toEqual([
      { target: { channel: "general" }, kind: "latency", ms: 60_000, count: Infinity },
    ]);
    emu.reset();
    emu.fault({ target: { channel: "dev" }, kind: "latency", ms: 60_000, count: 3 });
    const aborted = new AbortController();
    const other = post(emu, "general", "other channel");
    const stuck = post(emu, "dev", "slow", aborted.signal);
    expect((await other).status).toBe(200);
    // Give up only once the emulator has the request (it took one use of the fault).
    while (emu.activeFaults()[0]?.count !== 2) await new Promise((resolve) => setImmediate(resolve));
    aborted.abort();
    await expect(stuck).rejects.toThrow(/abort/i);
    expect(emu.records().map((r) => r.payload["text"])).toEqual(["other channel"]);
  });

  it("still posts a delayed message whose client gave up (a timeout does not mean it was not sent)", async () => {
    emu.fault({ target: { hook: "ops" }, kind: "latency", ms: 100, count: 2 });
    const aborted = new AbortController();
    const gaveUp = hook(emu, "ops", "posted anyway", aborted.signal);
    while (emu.activeFaults()[0]?.count !== 1) await new Promise((resolve) => setImmediate(resolve));
    aborted.abort();
    await expect(gaveUp).rejects.toThrow(/abort/i);
    while (emu.records().length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(emu.messages()).toMatchObject([
      { hook: "ops", ok: true, fault: "latency", payload: { text: "posted anyway" } },
    ]);
  });

  it("drops a request still waiting out a latency fault on reset(), so it cannot leak into later records", async () => {
    emu.fault({ target: { channel: "dev" }, kind: "latency", ms: 60_000, count: 1 });
    const waiting = post(emu, "dev", "from before the reset");
    // The fault is used up once the request has arrived.
    while (emu.activeFaults().length > 0) await new Promise((resolve) => setImmediate(resolve));
    emu.reset();
    await expect(waiting).rejects.toThrow(TypeError); // fetch failed: connection closed
    expect((await post(emu, "dev", "after")).status).toBe(200);
    expect(emu.records().map((r) => r.payload["text"])).toEqual(["after"]);
  });
});

describe("reset() and requests in progress", () => {
  it("drops a request held by a hang fault", async () => {
    emu.fault({ target: { hook: "ops" }, kind: "hang" });
    const hanging = hook(emu, "ops", "held");
    await recorded(emu, 1);
    emu.reset();
    await expect(hanging).rejects.toThrow(TypeError); // fetch failed: connection closed
    expect((await hook(emu, "ops", "after")).body).toBe("ok");
    expect(emu.records().map((r) => r.payload["text"])).toEqual(["after"]);
  });

  it("drops a request whose body was still arriving, so it cannot use a fault added after reset()", async () => {
    const body = new URLSearchParams({ channel: "general", text: "slow body" }).toString();
    const early = request(`${emu.apiUrl}chat.postMessage`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${BOT}`,
        "content-type": "application/x-www-form-urlencoded",
        "content-length": String(Buffer.byteLength(body)),
      },
    });
    const outcome = new Promise<string>((resolve) => {
      early.on("response", (res) => resolve(`answered ${res.statusCode}`));
      early.on("error", (error) => resolve(`failed: ${error.message}`));
    });
    // Synchronisation only: wait until the emulator has begun reading the slow request.
    const server = (emu as unknown as { server: Server }).server;
    const arrived = new Promise((resolve) => server.once("request", resolve));
    early.write(body.slice(0, 10));
    await arrived;
    emu.reset();
    emu.fault({ target: { channel: "general" }, kind: "status", status: 503 });
    early.end(body.slice(10));
    expect(await outcome).toMatch(/^failed: /);
    expect(emu.activeFaults()).toHaveLength(1);
    expect((await post(emu, "general", "next")).status).toBe(503);
    expect(emu.records().map((r) => r.payload["text"])).toEqual(["next"]);
  });
});

describe("fault validation", () => {
  it("refuses malformed faults and unknown targets in-process", () => {
    expect(() => emu.fault({ target: {}, kind: "explode" as never })).toThrow(/fault.kind must be one of/);
    expect(() => emu.fault({ target: {}, kind: "latency" })).toThrow(/fault.ms is required/);
    expect(() => emu.fault({ target: {}, kind: "status", status: 99 })).toThrow(/fault.status/);
    expect(() => emu.fault({ target: {}, kind: "status", count: 0 })).toThrow(/fault.count/);
    expect(() => emu.fault({ target: { channel: "nope" }, kind: "reset" })).toThrow(/names no channel/);
    expect(() => emu.fault({ target: { hook: "nope" }, kind: "reset" })).toThrow(/names no hook/);
    expect(emu.activeFaults()).toEqual([]);
  });
});

describe("/_emulator/faults over HTTP", () => {
  it("adds, lists and clears faults, which then act on requests", async () => {
    expect(
      await control(emu, "POST", "faults", { target: { hook: "ops" }, kind: "status", status: 503, count: 2 }),
    ).toEqual({
      status: 200,
      body: { ok: true },
    });
    expect(
      await control(emu, "POST", "faults", { target: { method: "auth.test" }, kind: "reset", count: null }),
    ).toMatchObject({
      status: 200,
    });
    // count: null is Infinity, which JSON spells null.
    expect((await control(emu, "GET", "faults")).body).toEqual({
      faults: [
        { target: { hook: "ops" }, kind: "status", status: 503, count: 2 },
        { target: { method: "auth.test" }, kind: "reset", count: null },
      ],
    });
    expect((await hook(emu, "ops")).status).toBe(503);
    expect((await control(emu, "GET", "faults")).body["faults"]).toMatchObject([{ count: 1 }, { count: null }]);
    expect(await control(emu, "DELETE", "faults")).toEqual({ status: 200, body: { ok: true } });
    expect((await control(emu, "GET", "faults")).body).toEqual({ faults: [] });
    expect((await hook(emu, "ops")).status).toBe(200);
  });

  it("answers 400 with the reason for a bad fault", async () => {
    expect(await control(emu, "POST", "faults", { target: { channel: "nope" }, kind: "hang" })).toEqual({
      status: 400,
      body: { ok: false, error: 'fault.target.channel names no channel in the workspace: "nope"' },
    });
    const res = await fetch(`${emu.url}/_emulator/faults`, { method: "POST", body: "{not json" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/JSON/);
    expect(emu.activeFaults()).toEqual([]);
  });

  it("is not itself recorded, faulted or rate limited", async () => {
    emu.fault({ target: {}, kind: "reset", count: 5 });
    expect((await control(emu, "GET", "faults")).status).toBe(200);
    expect(emu.records()).toEqual([]);
  });
});
