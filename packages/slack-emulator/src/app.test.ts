/**
 * The workspace's app and the Web API methods a receiver needs: GET/POST /_emulator/app,
 * apps.connections.open (app-level token only), chat.postEphemeral, chat.update by the app's
 * bot, views.open, users.info, usergroups.users.list — all over real loopback HTTP.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SlackEmulator, startEmulator } from "./server.js";
import { defaultWorkspace, resolveWorkspace } from "./workspace.js";

const BOT = "xoxb-emulator-bot-token";
const APP = "xapp-1-A0000000001-emulator-app-token";

async function api(emu: SlackEmulator, method: string, args: Record<string, unknown>, token: string = BOT) {
  const form = Object.entries(args).map(([k, v]): [string, string] => [
    k,
    typeof v === "string" ? v : JSON.stringify(v),
  ]);
  const res = await fetch(`${emu.apiUrl}${method}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
  return (await res.json()) as Record<string, unknown>;
}

let emu: SlackEmulator;
beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe("GET /_emulator/app", () => {
  it("shows the app's test values, the bot token, users and user groups", async () => {
    const res = await fetch(`${emu.url}/_emulator/app`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      app_id: "A0000000001",
      app_token: APP,
      signing_secret: "emulatorsigningsecret0000000001",
      request_url: null,
      bot_token: BOT,
      team_id: "T0001",
      users: [
        { id: "U1000000001", name: "alice" },
        { id: "U1000000002", name: "bob" },
        { id: "U1000000003", name: "carol" },
      ],
      usergroups: [
        { id: "S0000000001", handle: "security-team", users: ["U1000000001", "U1000000002"] },
        { id: "S0000000002", handle: "contractors", users: ["U1000000003"] },
      ],
    });
  });

  it("takes the request URL from the option, and POST /_emulator/app changes it", async () => {
    const other = await startEmulator({ requestUrl: "http://127.0.0.1:9/slack/events" });
    try {
      expect(other.app().request_url).toBe("http://127.0.0.1:9/slack/events");
      const set = await fetch(`${other.url}/_emulator/app`, {
        method: "POST",
        body: JSON.stringify({ request_url: "http://127.0.0.1:10/x" }),
      });
      expect(await set.json()).toMatchObject({ ok: true, request_url: "http://127.0.0.1:10/x" });
      const bad = await fetch(`${other.url}/_emulator/app`, {
        method: "POST",
        body: JSON.stringify({ request_url: "ftp://x" }),
      });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({
        ok: false,
        error: 'request URL must be an http:// or https:// URL (got "ftp://x")',
      });
      await fetch(`${other.url}/_emulator/app`, { method: "POST", body: JSON.stringify({ request_url: null }) });
      expect(other.app().request_url).toBeNull();
    } finally {
      await other.close();
    }
  });

  it("reads the app, users and user groups from the workspace, checking every field", () => {
    const ws = resolveWorkspace({
      ...defaultWorkspace(),
      app: {
        id: "A0DEMO",
        appToken: "xapp-demo",
        signingSecret: "s3cret",
        requestUrl: "https://example.test/slack",
        botToken: "xoxb-emulator-public-token",
      },
    });
    expect(ws.app).toEqual({
      id: "A0DEMO",
      appToken: "xapp-demo",
      signingSecret: "s3cret",
      requestUrl: "https://example.test/slack",
      botToken: "xoxb-emulator-public-token",
    });
    expect(() =>
      resolveWorkspace({ ...defaultWorkspace(), app: { id: "A1", appToken: "xoxb-1", signingSecret: "s" } }),
    ).toThrow('Invalid workspace: app.appToken must be an app-level token starting with xapp- (got "xoxb-1")');
    expect(() =>
      resolveWorkspace({ ...defaultWorkspace(), usergroups: [{ id: "S1", handle: "x", users: ["zed"] }] }),
    ).toThrow('Invalid workspace: usergroups[0].users[0] names no user in users (got "zed")');
    expect(() => resolveWorkspace({ ...defaultWorkspace(), users: [{ id: "U0000000001", name: "dup" }] })).toThrow(
      'Invalid workspace: users[0].id duplicates another user or token user ID ("U0000000001")',
    );
  });
});

describe("apps.connections.open", () => {
  it("gives the app-level token a single-use ws:// URL and refuses a bot token with not_allowed_token_type", async () => {
    const opened = await api(emu, "apps.connections.open", {}, APP);
    expect(opened).toEqual({
      ok: true,
      url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f]+&app_id=A0000000001$/),
    });
    expect(await api(emu, "apps.connections.open", {}, BOT)).toEqual({ ok: false, error: "not_allowed_token_type" });
    expect(await api(emu, "apps.connections.open", {}, "xapp-wrong")).toEqual({ ok: false, error: "invalid_auth" });
    // ...and the app-level token opens nothing else.
    expect(await api(emu, "chat.postMessage", { channel: "general", text: "x" }, APP)).toEqual({
      ok: false,
      error: "not_allowed_token_type",
    });
  });

  it("can be faulted like any method, and records never show the app token", async () => {
    emu.fault({ target: { method: "apps.connections.open" }, kind: "status", error: "internal_error" });
    expect(await api(emu, "apps.connections.open", {}, APP)).toEqual({ ok: false, error: "internal_error" });
    expect(JSON.stringify(emu.records())).not.toContain(APP);
  });
});

describe("Web API additions", () => {
  it("chat.postEphemeral: recorded as ephemeral for one user; unknown users are refused", async () => {
    const ok = await api(emu, "chat.postEphemeral", { channel: "general", user: "U1000000001", text: "only you" });
    expect(ok).toEqual({ ok: true, message_ts: expect.stringMatching(/^\d+\.\d{6}$/) });
    expect(emu.messages({ channel: "general" })).toEqual([
      expect.objectContaining({
        method: "chat.postEphemeral",
        ephemeral: true,
        user: "U1000000001",
        ts: ok["message_ts"],
        payload: { channel: "general", user: "U1000000001", text: "only you" },
      }),
    ]);
    expect(await api(emu, "chat.postEphemeral", { channel: "general", user: "U9", text: "x" })).toEqual({
      ok: false,
      error: "user_not_found",
    });
    expect(await api(emu, "chat.postEphemeral", { channel: "G0000000006", user: "U1000000001", text: "x" })).toEqual({
      ok: false,
      error: "user_not_in_channel",
    });
  });

  it("chat.update by the app's bot edits the message it posted", async () => {
    const posted = await api(emu, "chat.postMessage", { channel: "security-alerts", text: "alert" });
    const updated = await api(emu, "chat.update", {
      channel: posted["channel"],
      ts: posted["ts"],
      text: "alert (acknowledged by alice)",
    });
    expect(updated).toMatchObject({ ok: true, ts: posted["ts"], text: "alert (acknowledged by alice)" });
  });

  it("users.info and usergroups.users.list answer from the workspace", async () => {
    expect(await api(emu, "users.info", { user: "U1000000002" })).toEqual({
      ok: true,
      user: {
        id: "U1000000002",
        team_id: "T0001",
        name: "bob",
        real_name: "Bob Builder",
        deleted: false,
        is_bot: false,
        profile: { real_name: "Bob Builder", display_name: "bob" },
      },
    });
    expect(await api(emu, "users.info", { user: "U0000000001" })).toMatchObject({
      ok: true,
      user: { id: "U0000000001", is_bot: true },
    });
    expect(await api(emu, "users.info", { user: "U404" })).toEqual({ ok: false, error: "user_not_found" });
    expect(await api(emu, "usergroups.users.list", { usergroup: "S0000000001" })).toEqual({
      ok: true,
      users: ["U1000000001", "U1000000002"],
    });
    expect(await api(emu, "usergroups.users.list", { usergroup: "S404" })).toEqual({
      ok: false,
      error: "no_such_subteam",
    });
    expect(await api(emu, "users.info", { user: "U1000000002" }, "xoxb-emulator-public-token")).toMatchObject({
      ok: false,
      error: "missing_scope",
      needed: "users:read",
    });
  });

  it("views.open needs a trigger_id the emulator issued", async () => {
    const view = { type: "modal", title: { type: "plain_text", text: "Snooze" }, blocks: [] };
    expect(await api(emu, "views.open", { trigger_id: "1.2.nope", view })).toEqual({
      ok: false,
      error: "invalid_trigger_id",
    });
    expect(await api(emu, "views.open", { view })).toEqual({ ok: false, error: "invalid_arguments" });
    expect(emu.records().at(-1)).toMatchObject({ method: "views.open", payload: { view } });
  });
});
