import { IncomingWebhook } from "@slack/webhook";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SlackEmulator, startEmulator } from "./index.js";

// The official @slack/webhook client, unchanged, pointed at a loopback hook URL.
let emu: SlackEmulator;
beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => emu.reset());

describe("@slack/webhook IncomingWebhook against the emulator", () => {
  it("posts text and blocks to the hook's channel", async () => {
    const hook = new IncomingWebhook(emu.webhookUrl("security"));
    const res = await hook.send({
      text: "fallback",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "*hello*" } }],
    });
    expect(res.text).toBe("ok");
    const [m] = emu.messages();
    expect(m).toMatchObject({ kind: "webhook", hook: "security", channelName: "security-alerts", ok: true });
    expect(m!.payload.text).toBe("fallback");
  });

  it("sees Slack's webhook errors as the SDK's HTTP errors with Slack's error string", async () => {
    emu.fault({ target: { hook: "ops" }, kind: "status", status: 503, count: 1 });
    const hook = new IncomingWebhook(emu.webhookUrl("ops"));
    await expect(hook.send({ text: "x" })).rejects.toMatchObject({ code: "slack_webhook_http_error" });
    const gone = new IncomingWebhook(`${emu.url}/services/T0001/B9999/nosuchsecret`);
    await expect(gone.send({ text: "x" })).rejects.toMatchObject({
      code: "slack_webhook_http_error",
      statusCode: 404,
      body: "no_service",
    });
  });

  it("gets a 429 with Retry-After when the hook is rate limited", async () => {
    emu.fault({ target: { hook: "dev" }, kind: "ratelimit", retryAfter: 7, count: 1 });
    const hook = new IncomingWebhook(emu.webhookUrl("dev"));
    await expect(hook.send({ text: "x" })).rejects.toMatchObject({ code: "slack_webhook_http_error" });
    expect(emu.records().at(-1)).toMatchObject({ status: 429, retryAfter: 7 });
  });
});
