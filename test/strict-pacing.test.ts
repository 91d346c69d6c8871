/**
 * Pacing against the emulator's strict limiter (1 message/s per channel and per webhook, burst 1,
 * measured when a request ARRIVES): a fan-out of 2 messages to each of 10 channels (bot mode)
 * and to each of 3 webhooks gets no 429 at all, every message once, in order. The first request
 * of each key pays for its connection, so pacing by send start alone would make the second
 * arrive < 1 s after it. No timing assertions (the makespan is a bench figure).
 */
import { createEngine, parseScan, reportExitCode } from "@socket-notify/core";
import { botPlugin } from "@socket-notify/slack-bot";
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { webhookPlugin } from "@socket-notify/slack-webhook";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { enableJsonReport, issue } from "./cli-harness.js";

const CHANNELS = Array.from({ length: 10 }, (_, i) => ({
  id: `C00000009${String(i).padStart(2, "0")}`,
  name: `strict-${i + 1}`,
  members: ["bot"],
}));
const TOKEN = "xoxb-strict-bot-token";
const HOOKS = CHANNELS.slice(0, 3).map((c, i) => ({
  name: `strict-hook-${i + 1}`,
  id: `B00${i + 1}`,
  secret: `strictpacingsecret00${i + 1}`,
  channel: c.name,
}));
/** 60 packages: two messages per destination (a message holds 46 package entries). */
const SCAN = parseScan(
  JSON.stringify(
    enableJsonReport(
      Array.from({ length: 60 }, (_, i) => issue("networkAccess", "high", `strict-pkg-${String(i).padStart(2, "0")}`)),
    ),
  ),
);

let emu: SlackEmulator;

beforeAll(async () => {
  emu = await startEmulator({
    rateLimit: "strict",
    workspaceRateLimit: false,
    workspace: {
      team: { id: "T0009", name: "strict" },
      channels: CHANNELS,
      tokens: [{ token: TOKEN, user: "bot", scopes: ["chat:write", "channels:read"] }],
      hooks: HOOKS,
    },
  });
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(() => emu.reset());

async function fanOut(mode: "bot" | "webhook"): Promise<void> {
  const config =
    mode === "bot"
      ? {
          mode,
          bot_token: TOKEN,
          slack_api_url: emu.apiUrl,
          bot_configs: [{ name: "all", channels: CHANNELS.map((c) => c.id) }],
        }
      : { mode, url: HOOKS.map((h) => ({ name: h.name, url: emu.webhookUrl(h.name) })) };
  const engine = await createEngine({ config, plugins: [botPlugin, webhookPlugin], env: {} });
  const { plan, report } = await engine.run(SCAN);
  const keys = mode === "bot" ? CHANNELS.length : HOOKS.length;
  expect(plan.destinations).toHaveLength(keys);
  for (const d of plan.destinations) expect(d.messages).toHaveLength(2);
  expect(reportExitCode(report)).toBe(0);

  const records = emu.records().filter((r) => r.kind === "webhook" || r.method === "chat.postMessage");
  expect(records.filter((r) => r.status === 429)).toEqual([]);
  expect(records).toHaveLength(2 * keys); // no retries either
  const accepted = emu.messages();
  expect(accepted).toHaveLength(2 * keys);
  // Page 1 before page 2 in every channel.
  for (const c of CHANNELS.slice(0, keys)) {
    const texts = accepted.filter((m) => m.channel === c.id).map((m) => JSON.stringify(m.payload));
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain("strict-pkg-00");
    expect(texts[1]).not.toContain("strict-pkg-00");
  }
}

describe("pacing against a strict, arrival-measured limiter (burst 1)", () => {
  it("bot mode, 10 channels × 2 messages: 0 × 429", async () => {
    await fanOut("bot");
  });

  it("webhook mode, 3 webhooks × 2 messages: 0 × 429", async () => {
    await fanOut("webhook");
  });

  it("with 80 ms of latency on every request: still 0 × 429", async () => {
    emu.fault({ target: {}, kind: "latency", ms: 80, count: Infinity });
    await fanOut("bot");
    emu.reset();
    emu.fault({ target: {}, kind: "latency", ms: 80, count: Infinity });
    await fanOut("webhook");
  });
});
