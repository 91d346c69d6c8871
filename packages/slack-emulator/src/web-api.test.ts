import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SlackEmulator, startEmulator } from "./server.js";
import { defaultWorkspace } from "./workspace.js";

const BOT = "xoxb-emulator-bot-token";
const PUBLISHER = "xoxb-emulator-public-token";

interface CallOptions {
  token?: string | null;
  json?: boolean;
}

/** Posts like @slack/web-api does (form-encoded, JSON fields stringified), or as JSON. */
async function api(emu: SlackEmulator, method: string, args: Record<string, unknown> = {}, options: CallOptions = {}) {
  const token = options.token === undefined ? BOT : options.token;
  const headers: Record<string, string> = {};
  if (token !== null) headers["authorization"] = `Bearer ${token}`;
  let body: string;
  if (options.json === true) {
    headers["content-type"] = "application/json; charset=utf-8";
    body = JSON.stringify(args);
  } else {
    headers["content-type"] = "application/x-www-form-urlencoded";
    const form = Object.entries(args).map(([k, v]): [string, string] => [
      k,
      typeof v === "string" ? v : JSON.stringify(v),
    ]);
    body = new URLSearchParams(form).toString();
  }
  const res = await fetch(`${emu.apiUrl}${method}`, { method: "POST", headers, body });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

let emu: SlackEmulator;
beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe("auth", () => {
  it("answers not_authed, invalid_auth and token_revoked with HTTP 200", async () => {
    expect(await api(emu, "auth.test", {}, { token: null })).toMatchObject({
      status: 200,
      body: { ok: false, error: "not_authed" },
    });
    expect((await api(emu, "auth.test", {}, { token: "xoxb-nope" })).body).toEqual({
      ok: false,
      error: "invalid_auth",
    });
    expect((await api(emu, "auth.test", {}, { token: "xoxb-emulator-revoked-token" })).body).toEqual({
      ok: false,
      error: "token_revoked",
    });
  });

  it("answers auth.test with the team and the token's user and bot", async () => {
    const { body, headers } = await api(emu, "auth.test");
    expect(body).toEqual({
      ok: true,
      url: "https://emulator.slack.com/",
      team: "emulator",
      user: "bot",
      team_id: "T0001",
      user_id: "U0000000001",
      bot_id: "B0000000001",
    });
    expect(headers.get("x-oauth-scopes")).toBe("chat:write,channels:read,groups:read,users:read,usergroups:read");
  });

  it("takes a token from a form field, but not from a JSON body (Slack needs the header for JSON)", async () => {
    expect((await api(emu, "auth.test", { token: BOT }, { token: null })).body.ok).toBe(true);
    expect((await api(emu, "auth.test", { token: BOT }, { token: null, json: true })).body.error).toBe("not_authed");
  });

  it("answers missing_scope with needed and provided", async () => {
    const { body, headers } = await api(emu, "conversations.list", { types: "private_channel" }, { token: PUBLISHER });
    expect(body).toEqual({
      ok: false,
      error: "missing_scope",
      needed: "groups:read",
      provided: "chat:write,chat:write.public,channels:read",
    });
    expect(headers.get("x-accepted-oauth-scopes")).toBe("groups:read");
  });

  it("needs chat:write to post", async () => {
    const workspace = { ...defaultWorkspace(), tokens: [{ token: "xoxb-reader", scopes: ["channels:read"] }] };
    const reader = await startEmulator({ workspace });
    try {
      const { body } = await api(
        reader,
        "chat.postMessage",
        { channel: "general", text: "x" },
        { token: "xoxb-reader" },
      );
      expect(body).toMatchObject({
        ok: false,
        error: "missing_scope",
        needed: "chat:write",
        provided: "channels:read",
      });
    } finally {
      await reader.close();
    }
  });

  it("answers unknown methods with unknown_method, before checking the token", async () => {
    const res = await api(emu, "chat.postEverywhere", {}, { token: null });
    expect(res).toMatchObject({ status: 200, body: { ok: false, error: "unknown_method" } });
  });
});

describe("chat.postMessage", () => {
  it("finds a public channel by ID, name or #name in any case", async () => {
    for (const channel of ["C0000000002", "security-alerts", "#security-alerts", "#Security-Alerts"]) {
      const { body } = await api(emu, "chat.postMessage", { channel, text: "alert" });
      expect(body).toMatchObject({ ok: true, channel: "C0000000002" });
    }
    expect(emu.messages({ channel: "security-alerts" })).toHaveLength(4);
  });

  it("returns unique, increasing Slack-style ts values and the message", async () => {
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { body } = await api(emu, "chat.postMessage", { channel: "general", text: `m${i}` });
      expect(body["ts"]).toMatch(/^\d{10}\.\d{6}$/);
      expect(body["message"]).toMatchObject({
        type: "message",
        text: `m${i}`,
        user: "U0000000001",
        bot_id: "B0000000001",
        ts: body["ts"],
      });
      seen.push(body["ts"] as string);
    }
    expect([...seen].sort()).toEqual(seen);
    expect(new Set(seen).size).toBe(5);
  });

  it("answers channel_not_found for unknown channels and private channels by name", async () => {
    expect((await api(emu, "chat.postMessage", { channel: "nope", text: "x" })).body.error).toBe("channel_not_found");
    expect((await api(emu, "chat.postMessage", { channel: "C9999999999", text: "x" })).body.error).toBe(
      "channel_not_found",
    );
    expect((await api(emu, "chat.postMessage", { channel: "private-sec", text: "x" })).body.error).toBe(
      "channel_not_found",
    );
    expect((await api(emu, "chat.postMessage", { channel: "G0000000006", text: "x" })).body).toMatchObject({
      ok: true,
    });
    // A private channel the bot was not invited to is invisible to it.
    expect((await api(emu, "chat.postMessage", { channel: "G0000000007", text: "x" })).body.error).toBe(
      "channel_not_found",
    );
  });

  it("answers not_in_channel unless the token has chat:write.public", async () => {
    expect((await api(emu, "chat.postMessage", { channel: "dev", text: "x" })).body.error).toBe("not_in_channel");
    expect(
      (await api(emu, "chat.postMessage", { channel: "dev", text: "x" }, { token: PUBLISHER })).body,
    ).toMatchObject({
      ok: true,
      channel: "C0000000004",
    });
    const privateByPublisher = await api(
      emu,
      "chat.postMessage",
      { channel: "G0000000006", text: "x" },
      { token: PUBLISHER },
    );
    expect(privateByPublisher.body.error).toBe("channel_not_found");
  });

  it("answers is_archived for an archived channel", async () => {
    expect((await api(emu, "chat.postMessage", { channel: "old-alerts", text: "x" })).body.error).toBe("is_archived");
  });

  it("threads under an existing message and refuses unknown thread_ts", async () => {
    const parent = await api(emu, "chat.postMessage", { channel: "ops", text: "parent" });
    const ts = parent.body["ts"] as string;
    const reply = await api(emu, "chat.postMessage", { channel: "ops", text: "reply", thread_ts: ts });
    expect(reply.body).toMatchObject({ ok: true, message: { thread_ts: ts } });
    expect(emu.messages().at(-1)).toMatchObject({ threadTs: ts, channel: "C0000000003" });
    expect((await api(emu, "chat.postMessage", { channel: "ops", text: "x", thread_ts: "1.000001" })).body.error).toBe(
      "thread_not_found",
    );
    // The parent must be in the same channel.
    expect((await api(emu, "chat.postMessage", { channel: "general", text: "x", thread_ts: ts })).body.error).toBe(
      "thread_not_found",
    );
  });

  it("accepts JSON and form bodies and records blocks as arrays, never the token", async () => {
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*CVE*" } }];
    expect(
      (await api(emu, "chat.postMessage", { channel: "general", text: "t", blocks }, { json: true })).body.ok,
    ).toBe(true);
    expect(
      (await api(emu, "chat.postMessage", { channel: "general", text: "t", blocks, token: BOT }, { token: null })).body
        .ok,
    ).toBe(true);
    for (const record of emu.records()) {
      expect(record.payload).toEqual({ channel: "general", text: "t", blocks });
    }
    expect(JSON.stringify(emu.records())).not.toContain(BOT);
  });

  it("returns Slack's invalid_blocks errors", async () => {
    const long = await api(emu, "chat.postMessage", {
      channel: "general",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "a".repeat(3001) } }],
    });
    expect(long.body).toEqual({
      ok: false,
      error: "invalid_blocks",
      errors: ["must be less than 3001 characters [json-pointer:/blocks/0/text/text]"],
    });
    const many = await api(emu, "chat.postMessage", {
      channel: "general",
      blocks: Array.from({ length: 51 }, () => ({ type: "divider" })),
    });
    expect(many.body).toEqual({
      ok: false,
      error: "invalid_blocks",
      errors: ["no more than 50 items allowed [json-pointer:/blocks]"],
    });
    const header = await api(emu, "chat.postMessage", {
      channel: "general",
      blocks: [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }],
    });
    expect(header.body["errors"]).toEqual(["must be less than 151 characters [json-pointer:/blocks/0/text/text]"]);
    expect((await api(emu, "chat.postMessage", { channel: "general" })).body).toEqual({ ok: false, error: "no_text" });
    const tooLong = await api(emu, "chat.postMessage", {
      channel: "general",
      blocks: Array.from({ length: 5 }, () => ({ type: "section", text: { type: "mrkdwn", text: "a".repeat(2500) } })),
    });
    expect(tooLong.body).toEqual({ ok: false, error: "msg_blocks_too_long" });
    const notJson = await api(emu, "chat.postMessage", { channel: "general", text: "x", blocks: "[{oops" });
    expect(notJson.body.error).toBe("invalid_blocks_format");
    expect(emu.records().every((r) => r.status === 200 && !r.ok)).toBe(true);
    expect(emu.messages()).toEqual([]);
  });

  it("silently truncates text over 40,000 characters and records that", async () => {
    const { body } = await api(
      emu,
      "chat.postMessage",
      { channel: "general", text: "x".repeat(40_005) },
      { json: true },
    );
    expect(body.ok).toBe(true);
    expect((body["message"] as { text: string }).text).toHaveLength(40_000);
    const [record] = emu.messages();
    expect(record).toMatchObject({ ok: true, truncated: true });
    expect(record?.payload["text"]).toHaveLength(40_000);
  });
});

describe("chat.delete", () => {
  it("deletes the caller's own message: chat.update on it then answers message_not_found", async () => {
    const posted = await api(emu, "chat.postMessage", { channel: "ops", text: "v1" });
    const ts = posted.body["ts"] as string;
    const other = await api(emu, "chat.postMessage", { channel: "general", text: "theirs" }, { token: PUBLISHER });
    expect((await api(emu, "chat.delete", { channel: "general", ts: other.body["ts"] as string })).body.error).toBe(
      "cant_delete_message",
    );
    expect((await api(emu, "chat.delete", { channel: "ops", ts })).body).toMatchObject({ ok: true, ts });
    expect((await api(emu, "chat.delete", { channel: "ops", ts })).body.error).toBe("message_not_found");
    expect((await api(emu, "chat.update", { channel: "ops", ts, text: "v2" })).body.error).toBe("message_not_found");
    expect(emu.messages().map((m) => m.method)).not.toContain("chat.delete");
  });
});

describe("chat.update", () => {
  it("updates a message the caller posted", async () => {
    const posted = await api(emu, "chat.postMessage", { channel: "ops", text: "v1" });
    const ts = posted.body["ts"] as string;
    const { body } = await api(emu, "chat.update", { channel: "C0000000003", ts, text: "v2" });
    expect(body).toMatchObject({ ok: true, channel: "C0000000003", ts, text: "v2" });
    expect(emu.messages().map((m) => [m.method, m.ts])).toEqual([
      ["chat.postMessage", ts],
      ["chat.update", ts],
    ]);
  });

  it("answers message_not_found, cant_update_message and validation errors", async () => {
    expect((await api(emu, "chat.update", { channel: "ops", ts: "1.000001", text: "x" })).body.error).toBe(
      "message_not_found",
    );
    expect((await api(emu, "chat.update", { channel: "ops", text: "x" })).body.error).toBe("message_not_found");
    const posted = await api(emu, "chat.postMessage", { channel: "general", text: "v1" });
    const ts = posted.body["ts"] as string;
    expect(
      (await api(emu, "chat.update", { channel: "general", ts, text: "x" }, { token: PUBLISHER })).body.error,
    ).toBe("cant_update_message");
    expect((await api(emu, "chat.update", { channel: "general", ts, blocks: [{ type: "nope" }] })).body.error).toBe(
      "invalid_blocks",
    );
  });
});

describe("conversations.list", () => {
  const ids = (body: Record<string, unknown>) => (body["channels"] as { id: string }[]).map((c) => c.id);

  it("lists public channels by default, archived included", async () => {
    const { body } = await api(emu, "conversations.list");
    expect(ids(body)).toEqual([
      "C0000000001",
      "C0000000002",
      "C0000000003",
      "C0000000004",
      "C0000000005",
      "C0000000008",
    ]);
    expect((body["channels"] as unknown[])[3]).toEqual(
      expect.objectContaining({
        id: "C0000000004",
        name: "dev",
        is_channel: true,
        is_private: false,
        is_archived: false,
        is_member: false,
      }),
    );
    expect(body["response_metadata"]).toEqual({ next_cursor: "" });
  });

  it("lists private channels the bot is in when asked, and can exclude archived ones", async () => {
    const both = await api(emu, "conversations.list", {
      types: "public_channel,private_channel",
      exclude_archived: true,
    });
    expect(ids(both.body)).toEqual([
      "C0000000001",
      "C0000000002",
      "C0000000003",
      "C0000000004",
      "C0000000005",
      "G0000000006",
    ]);
    const onlyPrivate = await api(emu, "conversations.list", { types: "private_channel" }, { json: true });
    expect(onlyPrivate.body["channels"]).toEqual([
      expect.objectContaining({ id: "G0000000006", is_private: true, is_member: true }),
    ]);
  });

  it("pages with limit and cursor", async () => {
    const seen: string[] = [];
    let cursor = "";
    let pages = 0;
    do {
      const { body } = await api(emu, "conversations.list", {
        limit: 4,
        cursor,
        types: "public_channel,private_channel",
      });
      expect(body.ok).toBe(true);
      seen.push(...ids(body));
      cursor = (body["response_metadata"] as { next_cursor: string }).next_cursor;
      pages++;
    } while (cursor !== "");
    expect(pages).toBe(2);
    expect(seen).toHaveLength(7);
  });

  it("answers invalid_limit, invalid_cursor and invalid_types", async () => {
    for (const limit of ["0", "1000", "abc", "2.5"]) {
      expect((await api(emu, "conversations.list", { limit })).body.error).toBe("invalid_limit");
    }
    expect((await api(emu, "conversations.list", { limit: "999" })).body.ok).toBe(true);
    expect((await api(emu, "conversations.list", { cursor: "bm9wZQ==" })).body.error).toBe("invalid_cursor");
    expect((await api(emu, "conversations.list", { types: "public_channel,dm" })).body.error).toBe("invalid_types");
  });

  it("works with GET and query arguments", async () => {
    const res = await fetch(`${emu.apiUrl}conversations.list?limit=1&types=private_channel`, {
      headers: { authorization: `Bearer ${BOT}` },
    });
    expect(await res.json()).toMatchObject({ ok: true, channels: [{ id: "G0000000006" }] });
    const post = await fetch(`${emu.apiUrl}chat.postMessage?channel=general&text=x`, {
      headers: { authorization: `Bearer ${BOT}` },
    });
    expect(await post.json()).toEqual({ ok: false, error: "invalid_post_type" });
  });
});

describe("conversations.info", () => {
  it("describes a channel by ID", async () => {
    const { body } = await api(emu, "conversations.info", { channel: "C0000000008" });
    expect(body).toEqual({
      ok: true,
      channel: expect.objectContaining({
        id: "C0000000008",
        name: "old-alerts",
        is_archived: true,
        is_member: true,
        is_private: false,
      }),
    });
    expect(emu.records()[0]).toMatchObject({ channel: "C0000000008", channelName: "old-alerts" });
  });

  it("answers channel_not_found for names, unknown IDs and private channels the bot is not in", async () => {
    for (const channel of ["general", "C0000000099", "G0000000007"]) {
      expect((await api(emu, "conversations.info", { channel })).body.error).toBe("channel_not_found");
    }
    expect((await api(emu, "conversations.info", { channel: "G0000000006" }, { token: PUBLISHER })).body.error).toBe(
      "missing_scope",
    );
  });
});
