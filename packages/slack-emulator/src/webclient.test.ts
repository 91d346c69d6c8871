/**
 * The official @slack/web-api WebClient, unchanged, against the emulator: only `slackApiUrl`
 * points it here. (@slack/web-api is not a dependency of this package; it resolves from the
 * workspace root, where packages/slack-bot's dependency puts it.)
 */
import {
  ErrorCode,
  type WebAPIHTTPError,
  type WebAPIPlatformError,
  type WebAPIRateLimitedError,
  WebClient,
} from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SlackEmulator, startEmulator } from "./server.js";

let emu: SlackEmulator;
let client: WebClient;
beforeAll(async () => {
  emu = await startEmulator({ rateLimit: { perSecond: 0.001, burst: 3 }, workspaceRateLimit: false });
  client = new WebClient("xoxb-emulator-bot-token", {
    slackApiUrl: emu.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("@slack/web-api WebClient against the emulator", () => {
  it("auth.test", async () => {
    const result = await client.auth.test();
    expect(result).toMatchObject({
      ok: true,
      team: "emulator",
      team_id: "T0001",
      user: "bot",
      user_id: "U0000000001",
      bot_id: "B0000000001",
    });
    // The SDK copies x-oauth-scopes into response_metadata.
    expect(result.response_metadata?.scopes).toEqual([
      "chat:write",
      "channels:read",
      "groups:read",
      "users:read",
      "usergroups:read",
    ]);
  });

  it("chat.postMessage by channel name with blocks, then a thread reply", async () => {
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*critical* in `left-pad`" } }];
    const parent = await client.chat.postMessage({ channel: "security-alerts", text: "1 critical alert", blocks });
    expect(parent).toMatchObject({ ok: true, channel: "C0000000002" });
    expect(parent.ts).toMatch(/^\d+\.\d{6}$/);
    expect(parent.message).toMatchObject({ text: "1 critical alert", blocks });

    const reply = await client.chat.postMessage({ channel: parent.channel!, thread_ts: parent.ts!, text: "details" });
    expect(reply).toMatchObject({ ok: true, channel: "C0000000002", message: { thread_ts: parent.ts } });

    expect(emu.messages({ channel: "security-alerts" })).toMatchObject([
      { method: "chat.postMessage", ts: parent.ts, payload: { text: "1 critical alert", blocks } },
      { method: "chat.postMessage", ts: reply.ts, threadTs: parent.ts, payload: { text: "details" } },
    ]);
    // The SDK sends the token in a header; it never reaches the records.
    expect(JSON.stringify(emu.records())).not.toContain("xoxb-emulator-bot-token");
  });

  it("chat.update edits a posted message", async () => {
    const posted = await client.chat.postMessage({ channel: "ops", text: "scanning…" });
    const updated = await client.chat.update({ channel: posted.channel!, ts: posted.ts!, text: "done: 0 alerts" });
    expect(updated).toMatchObject({ ok: true, channel: "C0000000003", ts: posted.ts, text: "done: 0 alerts" });
    expect(emu.messages({ channel: "ops" }).map((m) => m.method)).toEqual(["chat.postMessage", "chat.update"]);
  });

  it("conversations.list pagination, by hand and with paginate()", async () => {
    const types = "public_channel,private_channel";
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.conversations.list({ types, limit: 3, ...(cursor === undefined ? {} : { cursor }) });
      pages++;
      expect(page.channels!.length).toBeLessThanOrEqual(3);
      names.push(...page.channels!.map((c) => c.name!));
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor !== undefined);
    // 7 channels the bot can see (private-hr is private and the bot is not a member).
    expect(pages).toBe(3);
    expect(names).toEqual(["general", "security-alerts", "ops", "dev", "random", "private-sec", "old-alerts"]);

    const viaPaginate: string[] = [];
    for await (const page of client.paginate("conversations.list", { types, limit: 2, exclude_archived: true })) {
      const { channels = [] } = page as { channels?: { name: string }[] };
      viaPaginate.push(...channels.map((c) => c.name));
    }
    expect(viaPaginate).toEqual(["general", "security-alerts", "ops", "dev", "random", "private-sec"]);
  });

  it("surfaces Slack errors as the SDK's own error types", async () => {
    const platform = (await caught(
      client.chat.postMessage({ channel: "no-such-channel", text: "x" }),
    )) as WebAPIPlatformError;
    expect(platform.code).toBe(ErrorCode.PlatformError);
    expect(platform.data.error).toBe("channel_not_found");

    const notIn = (await caught(client.chat.postMessage({ channel: "dev", text: "x" }))) as WebAPIPlatformError;
    expect(notIn.data.error).toBe("not_in_channel");

    emu.fault({ target: { method: "chat.postMessage" }, kind: "status", status: 503 });
    const http = (await caught(client.chat.postMessage({ channel: "general", text: "x" }))) as WebAPIHTTPError;
    expect(http.code).toBe(ErrorCode.HTTPError);
    expect(http.statusCode).toBe(503);
  });

  it("rejects rate-limited calls with the Retry-After seconds", async () => {
    emu.fault({ target: { channel: "general" }, kind: "ratelimit", retryAfter: 12 });
    const injected = (await caught(
      client.chat.postMessage({ channel: "general", text: "x" }),
    )) as WebAPIRateLimitedError;
    expect(injected.code).toBe(ErrorCode.RateLimitedError);
    expect(injected.retryAfter).toBe(12);

    // The real per-channel bucket: burst 3, then 429.
    for (let i = 0; i < 3; i++)
      expect((await client.chat.postMessage({ channel: "general", text: String(i) })).ok).toBe(true);
    const limited = (await caught(
      client.chat.postMessage({ channel: "general", text: "4" }),
    )) as WebAPIRateLimitedError;
    expect(limited.code).toBe(ErrorCode.RateLimitedError);
    expect(limited.retryAfter).toBeGreaterThanOrEqual(1);
  });
});
