import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SlackEmulator, startEmulator } from "./server.js";
import { defaultWorkspace, type HookSpec, type WorkspaceSpec } from "./workspace.js";

/** Posts to a webhook URL the way @slack/webhook does: JSON with a JSON content type. */
async function send(url: string, body: unknown, contentType = "application/json") {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
}

const CONFIGURED_ERRORS = [
  ["invalid_payload", 400],
  ["invalid_blocks", 400],
  ["no_text", 400],
  ["action_prohibited", 403],
  ["channel_not_found", 404],
  ["no_service", 404],
  ["channel_is_archived", 410],
] as const;

function workspaceWithErrorHooks(): WorkspaceSpec {
  const base = defaultWorkspace();
  const errorHooks: HookSpec[] = CONFIGURED_ERRORS.map(([error], i) => ({
    name: `broken-${error}`,
    id: `B9${i}`,
    secret: `brokensecret${i}`,
    channel: "ops",
    error,
  }));
  return {
    ...base,
    hooks: [
      ...(base.hooks ?? []),
      ...errorHooks,
      { name: "archived", id: "B0099", secret: "archivedsecret", channel: "old-alerts" },
    ],
  };
}

let emu: SlackEmulator;
beforeAll(async () => {
  emu = await startEmulator({ workspace: workspaceWithErrorHooks(), rateLimit: false, workspaceRateLimit: false });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe("incoming webhooks", () => {
  it("answers 200 with the text body ok and records the message in the hook's channel", async () => {
    const url = emu.webhookUrl("security");
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/services\/T0001\/B0001\/emulatorhooksecret0001$/);
    const res = await send(url, {
      text: "hello",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "*hi*" } }],
    });
    expect(res).toEqual({ status: 200, type: "text/html", body: "ok" });
    const [message] = emu.messages();
    expect(emu.messages()).toHaveLength(1);
    expect(message).toMatchObject({
      kind: "webhook",
      hook: "security",
      channel: "C0000000002",
      channelName: "security-alerts",
      status: 200,
      ok: true,
      payload: { text: "hello", blocks: [{ type: "section", text: { type: "mrkdwn", text: "*hi*" } }] },
    });
    expect(message?.ts).toMatch(/^\d+\.\d{6}$/);
  });

  it("keeps the hook's channel even when the payload names another", async () => {
    expect((await send(emu.webhookUrl("ops"), { text: "x", channel: "#general", username: "imposter" })).body).toBe(
      "ok",
    );
    expect(emu.messages({ channel: "general" })).toEqual([]);
    expect(emu.messages({ channel: "ops" })).toHaveLength(1);
  });

  it("accepts thread_ts and a body sent without a JSON content type", async () => {
    const res = await send(
      emu.webhookUrl("dev"),
      JSON.stringify({ text: "reply", thread_ts: "1700000000.000100" }),
      "text/plain",
    );
    expect(res.body).toBe("ok");
    expect(emu.messages({ hook: "dev" })[0]).toMatchObject({ threadTs: "1700000000.000100", channelName: "dev" });
  });

  it.each(CONFIGURED_ERRORS)("answers a hook configured with %s with HTTP %i and that text", async (error, status) => {
    const res = await send(emu.webhookUrl(`broken-${error}`), { text: "valid message" });
    expect(res).toEqual({ status, type: "text/html", body: error });
    expect(emu.messages()).toEqual([]);
    expect(emu.records()).toMatchObject([{ kind: "webhook", hook: `broken-${error}`, status, ok: false, error }]);
  });

  it("answers 410 channel_is_archived for a hook whose channel is archived", async () => {
    expect(await send(emu.webhookUrl("archived"), { text: "x" })).toMatchObject({
      status: 410,
      body: "channel_is_archived",
    });
  });

  it("answers 404 no_service for a wrong secret, hook ID or team, and never records the URL's secret", async () => {
    const good = emu.webhookUrl("security");
    const wrong = [
      good.replace("emulatorhooksecret0001", "emulatorhooksecret0002"),
      good.replace("emulatorhooksecret0001", "short"),
      good.replace("/B0001/", "/B0777/"),
      good.replace("/T0001/", "/T0002/"),
    ];
    for (const url of wrong) {
      expect(await send(url, { text: "x" })).toEqual({ status: 404, type: "text/html", body: "no_service" });
    }
    const records = emu.records();
    expect(records).toHaveLength(wrong.length);
    for (const record of records) {
      expect(record).toMatchObject({ kind: "webhook", status: 404, ok: false, error: "no_service" });
      expect(record.hook).toBeUndefined();
    }
    expect(JSON.stringify(records)).not.toContain("emulatorhooksecret");
  });

  it("answers a path that is not a webhook URL with 404 and does not record it", async () => {
    const res = await fetch(`${emu.url}/services/T0001/B0001`, { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
    expect(emu.records()).toEqual([]);
  });
});

describe("webhook payload validation", () => {
  it("answers 400 invalid_payload for a body that is not a JSON object", async () => {
    const url = emu.webhookUrl("ops");
    for (const body of ["not json", "[1,2]", '"text"', ""]) {
      expect(await send(url, body)).toEqual({ status: 400, type: "text/html", body: "invalid_payload" });
    }
    expect(emu.records().map((r) => r.error)).toEqual([
      "invalid_payload",
      "invalid_payload",
      "invalid_payload",
      "invalid_payload",
    ]);
  });

  it("answers 400 no_text for a message with no text, blocks or attachments", async () => {
    expect(await send(emu.webhookUrl("ops"), {})).toMatchObject({ status: 400, body: "no_text" });
    expect(await send(emu.webhookUrl("ops"), { text: "", blocks: [] })).toMatchObject({ status: 400, body: "no_text" });
  });

  it("answers 400 invalid_blocks for blocks Slack would refuse", async () => {
    const tooLong = { type: "section", text: { type: "mrkdwn", text: "x".repeat(3001) } };
    const tooMany = Array.from({ length: 51 }, () => ({ type: "divider" }));
    const badType = [{ type: "no-such-block" }];
    for (const blocks of [[tooLong], tooMany, badType, { not: "an array" }]) {
      expect(await send(emu.webhookUrl("ops"), { text: "fallback", blocks })).toMatchObject({
        status: 400,
        body: "invalid_blocks",
      });
    }
    expect(emu.messages()).toEqual([]);
  });

  it("cuts text over 40,000 characters, as Slack does, and marks the record", async () => {
    expect((await send(emu.webhookUrl("ops"), { text: "y".repeat(40_010) })).body).toBe("ok");
    const [message] = emu.messages();
    expect(message?.truncated).toBe(true);
    expect((message!.payload["text"] as string).length).toBe(40_000);
  });
});
