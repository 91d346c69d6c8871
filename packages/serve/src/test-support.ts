/** Shared by this package's tests: a recording handler, an alert message to click on, polling. */
import { type SlackEmulator } from "@socket-notify/slack-emulator";
import { type Inbound, type InboundHandler, type Reply } from "./dispatch.js";

export const BOT = "xoxb-emulator-bot-token";
export const APP_TOKEN = "xapp-1-A0000000001-emulator-app-token";
export const SIGNING_SECRET = "emulatorsigningsecret0000000001";

export class RecordingHandler implements InboundHandler {
  readonly got: Inbound[] = [];
  constructor(private readonly reply: (i: Inbound) => Reply | Promise<Reply> = () => ({})) {}
  handle(inbound: Inbound): Reply | Promise<Reply> {
    this.got.push(inbound);
    return this.reply(inbound);
  }
}

/** Posts a message with one button and returns its ts. */
export async function postButton(emu: SlackEmulator, channel = "security-alerts"): Promise<string> {
  const res = await fetch(`${emu.apiUrl}chat.postMessage`, {
    method: "POST",
    headers: { authorization: `Bearer ${BOT}`, "content-type": "application/json" },
    body: JSON.stringify({
      channel,
      text: "an alert",
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: "an alert" } },
        {
          type: "actions",
          elements: [{ type: "button", action_id: "ack", text: { type: "plain_text", text: "Ack" }, value: "a1" }],
        },
      ],
    }),
  });
  return ((await res.json()) as { ts: string }).ts;
}

/** Polls until `check` holds; the test's own timeout bounds it (no timed assertion). */
export async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 25));
}
