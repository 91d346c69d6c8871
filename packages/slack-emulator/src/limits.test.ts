/**
 * Rate limits end to end over HTTP. Refill timing is covered with a fake clock in
 * rate-limit.test.ts; here buckets refill so slowly (perSecond 0.001) that none refills
 * during a test, which keeps every assertion independent of speed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type EmulatorOptions, type SlackEmulator, startEmulator } from "./server.js";

const BOT = "xoxb-emulator-bot-token";

async function post(emu: SlackEmulator, channel: string, text = "hi") {
  const res = await fetch(`${emu.apiUrl}chat.postMessage`, {
    method: "POST",
    headers: { authorization: `Bearer ${BOT}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ channel, text }).toString(),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get("retry-after"),
    body: (await res.json()) as Record<string, unknown>,
  };
}

async function hook(emu: SlackEmulator, name: string, text = "hi") {
  const res = await fetch(emu.webhookUrl(name), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text }),
  });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.text() };
}

let emu: SlackEmulator | undefined;
async function start(options: EmulatorOptions): Promise<SlackEmulator> {
  emu = await startEmulator(options);
  return emu;
}
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe("per-channel rate limit (Web API)", () => {
  it("accepts a burst, then answers 429 ratelimited with Retry-After, per channel", async () => {
    const e = await start({ rateLimit: { perSecond: 0.001, burst: 2 }, workspaceRateLimit: false });
    expect((await post(e, "general", "1")).body.ok).toBe(true);
    expect((await post(e, "general", "2")).body.ok).toBe(true);
    const limited = await post(e, "general", "3");
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ ok: false, error: "ratelimited" });
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    // Another channel has its own bucket.
    expect((await post(e, "ops", "4")).body.ok).toBe(true);

    expect(e.messages().map((m) => m.payload["text"])).toEqual(["1", "2", "4"]);
    const refused = e.records().find((r) => r.status === 429);
    expect(refused).toMatchObject({
      method: "chat.postMessage",
      channel: "C0000000001",
      ok: false,
      error: "ratelimited",
    });
    expect(refused?.retryAfter).toBe(Number(limited.retryAfter));
  });

  it("refuses by channel whether it is named by ID or by name", async () => {
    const e = await start({ rateLimit: { perSecond: 0.001, burst: 1 }, workspaceRateLimit: false });
    expect((await post(e, "C0000000003")).status).toBe(200);
    expect((await post(e, "#ops")).status).toBe(429);
  });

  it("never refuses with rateLimit: false", async () => {
    const e = await start({ rateLimit: false, workspaceRateLimit: false });
    for (let i = 0; i < 20; i++) expect((await post(e, "general", String(i))).status).toBe(200);
    expect(e.messages()).toHaveLength(20);
  });

  it("starts afresh after reset()", async () => {
    const e = await start({ rateLimit: { perSecond: 0.001, burst: 1 }, workspaceRateLimit: false });
    await post(e, "general");
    expect((await post(e, "general")).status).toBe(429);
    e.reset();
    expect((await post(e, "general")).status).toBe(200);
  });
});

describe("per-hook rate limit (incoming webhooks)", () => {
  it("answers 429 rate_limited with Retry-After beyond the burst, per hook", async () => {
    const e = await start({ rateLimit: { perSecond: 0.001, burst: 2 }, workspaceRateLimit: false });
    expect((await hook(e, "ops")).body).toBe("ok");
    expect((await hook(e, "ops")).body).toBe("ok");
    const limited = await hook(e, "ops");
    expect(limited).toMatchObject({ status: 429, body: "rate_limited" });
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await hook(e, "security")).body).toBe("ok");
    // The hook's bucket is its own: the Web API can still post to the hook's channel.
    expect((await post(e, "ops")).status).toBe(200);
    expect(e.records().map((r) => [r.kind, r.status])).toEqual([
      ["webhook", 200],
      ["webhook", 200],
      ["webhook", 429],
      ["webhook", 200],
      ["api", 200],
    ]);
  });
});

describe("workspace-wide cap", () => {
  it("refuses messages to any channel or hook once the cap is used up", async () => {
    const e = await start({ rateLimit: false, workspaceRateLimit: { perMinute: 3 } });
    expect((await post(e, "general")).status).toBe(200);
    expect((await post(e, "ops")).status).toBe(200);
    expect((await hook(e, "dev")).status).toBe(200);
    const api = await post(e, "security-alerts");
    expect(api).toMatchObject({ status: 429, body: { ok: false, error: "ratelimited" } });
    // One token per 20 s: Retry-After says so (a little less if time has passed).
    expect(Number(api.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(api.retryAfter)).toBeLessThanOrEqual(20);
    expect((await hook(e, "security")).status).toBe(429);
    expect(e.messages()).toHaveLength(3);
  });

  it("does not count calls that post nothing", async () => {
    const e = await start({ rateLimit: false, workspaceRateLimit: { perMinute: 1 } });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${e.apiUrl}auth.test`, { method: "POST", headers: { authorization: `Bearer ${BOT}` } });
      expect(res.status).toBe(200);
    }
    expect((await post(e, "general")).status).toBe(200);
  });
});

describe("limit options", () => {
  it("rejects limits that would refuse everything", async () => {
    await expect(startEmulator({ rateLimit: { perSecond: 0, burst: 1 } })).rejects.toThrow(/rateLimit.perSecond/);
    await expect(startEmulator({ rateLimit: { perSecond: 1, burst: 0.5 } })).rejects.toThrow(/rateLimit.burst/);
    await expect(startEmulator({ workspaceRateLimit: { perMinute: -1 } })).rejects.toThrow(
      /workspaceRateLimit.perMinute/,
    );
  });

  it("reports the limits in force, defaults included", async () => {
    const e = await start({});
    expect(e.limits).toEqual({ rateLimit: { perSecond: 1, burst: 3 }, workspaceRateLimit: { perMinute: 600 } });
  });
});
