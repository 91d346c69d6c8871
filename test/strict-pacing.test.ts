/**
 * Pacing against the emulator's strict limiter (1 message/s per channel and per webhook, burst 1,
 * measured when a request ARRIVES): a fan-out of 2 messages to each of 10 channels (bot mode)
 * and to each of 3 webhooks gets no 429 at all, every message once, in order. The first request
 * of each key pays for its connection, so pacing by send start alone would make the second
 * arrive < 1 s after it. No timing assertions (the makespan is a bench figure).
 */
import { createEngine, parseScan, reportExitCode } from "@socket-notify/core";
import { botPlugin } from "@socket-notify/slack-bot";
import { type SlackEmulator, startEmulator, strictWorkload } from "@socket-notify/slack-emulator";
import { webhookPlugin } from "@socket-notify/slack-webhook";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

/** The bench's figure 7 workload (bench/lib/strict.mjs), with 3 webhooks instead of 10. */
const WORKLOAD = strictWorkload({ channels: 10, hooks: 3 });
const SCAN = parseScan(JSON.stringify(WORKLOAD.report));

let emu: SlackEmulator;

beforeAll(async () => {
  emu = await startEmulator(WORKLOAD.emulator);
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(() => emu.reset());

async function fanOut(mode: "bot" | "webhook"): Promise<void> {
  const config =
    mode === "bot" ? WORKLOAD.botConfig(emu.apiUrl) : WORKLOAD.webhookConfig((name) => emu.webhookUrl(name));
  const engine = await createEngine({ config, plugins: [botPlugin, webhookPlugin], env: {} });
  const { plan, report } = await engine.run(SCAN);
  const keys = mode === "bot" ? WORKLOAD.channels.length : WORKLOAD.hooks.length;
  expect(plan.destinations).toHaveLength(keys);
  for (const d of plan.destinations) expect(d.messages).toHaveLength(WORKLOAD.perKey);
  expect(reportExitCode(report)).toBe(0);

  const records = emu.records().filter((r) => r.kind === "webhook" || r.method === "chat.postMessage");
  expect(records.filter((r) => r.status === 429)).toEqual([]);
  expect(records).toHaveLength(2 * keys); // no retries either
  const accepted = emu.messages();
  expect(accepted).toHaveLength(2 * keys);
  // Page 1 before page 2 in every channel.
  for (const c of WORKLOAD.channels.slice(0, keys)) {
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
