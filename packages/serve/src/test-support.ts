/** Shared by this package's tests: a recording handler, an alert message to click on, polling. */
import { type SlackEmulator } from "@socket-notify/slack-emulator";
import { type Inbound, type InboundHandler, type Reply } from "./dispatch.js";
import { type Decision, type DecisionStore, type NewDecision } from "./store.js";

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

/**
 * An in-memory DecisionStore for this package's tests (the real engines and their conformance
 * suite live in @socket-notify/state; the CLI's end-to-end tests use those).
 */
export class MemoryStore implements DecisionStore {
  private readonly claims = new Map<string, number>();
  private readonly list: Decision[] = [];
  private readonly locks = new Map<string, Promise<unknown>>();
  private seq = 0;
  constructor(private readonly now: () => number = Date.now) {}

  async claim(id: string, ttlMs: number): Promise<boolean> {
    const at = this.claims.get(id);
    if (at !== undefined && this.now() - at < ttlMs) return false;
    this.claims.set(id, this.now());
    return true;
  }
  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const before = this.locks.get(name) ?? Promise.resolve();
    const run = before.then(fn, fn);
    this.locks.set(
      name,
      run.catch(() => undefined),
    );
    return run;
  }
  async addDecision(d: NewDecision): Promise<Decision> {
    const made: Decision = {
      ...d,
      id: d.id ?? `${d.kind}-${(++this.seq).toString(16).padStart(8, "0")}`,
      at: d.at ?? new Date(this.now()).toISOString(),
    };
    const i = this.list.findIndex((x) => x.id === made.id);
    if (i >= 0) this.list.splice(i, 1);
    this.list.push(made);
    return structuredClone(made);
  }
  async removeDecision(id: string): Promise<Decision | undefined> {
    const i = this.list.findIndex((x) => x.id === id);
    return i < 0 ? undefined : this.list.splice(i, 1)[0];
  }
  async decisions(options: { includeExpired?: boolean; now?: number } = {}): Promise<Decision[]> {
    const now = options.now ?? this.now();
    return structuredClone(
      this.list.filter((d) => options.includeExpired || d.until === undefined || Date.parse(d.until) > now),
    );
  }
}
