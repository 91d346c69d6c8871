// Figure 7: pacing against the emulator's strict limiter (issue 15 §3): 1 message/s per channel
// and per webhook, burst 1, measured when a request ARRIVES, with a fixed latency on every
// request. A fan-out of 2 messages to each of 10 channels (bot mode) and to each of 10 webhooks.
// The workload (workspace, report, configs) is the emulator's `strictWorkload()`, the one
// test/strict-pacing.test.ts checks for 0 × 429.
import { createEngine, parseScan } from "@socket-notify/core";
import { botPlugin } from "@socket-notify/slack-bot";
import { startEmulator, strictWorkload } from "@socket-notify/slack-emulator";
import { webhookPlugin } from "@socket-notify/slack-webhook";
import { LATENCY_MS } from "./fanout.mjs";

const WORKLOAD = strictWorkload({ channels: 10 });
const PER_KEY = WORKLOAD.perKey;
const LATENCY = { target: {}, kind: "latency", ms: LATENCY_MS, count: Infinity };

async function once(emu, mode, input) {
  emu.reset();
  emu.fault(LATENCY);
  const config =
    mode === "bot" ? WORKLOAD.botConfig(emu.apiUrl) : WORKLOAD.webhookConfig((name) => emu.webhookUrl(name));
  const engine = await createEngine({ config, plugins: [botPlugin, webhookPlugin], env: {} });
  const plan = engine.plan(input);
  for (const d of plan.destinations)
    if (d.messages.length !== PER_KEY)
      throw new Error(`strict workload: ${d.destination.target} has ${d.messages.length} messages, not ${PER_KEY}`);
  const t0 = performance.now();
  const { outcomes } = await engine.run(input);
  const ms = performance.now() - t0;
  const posts = emu.records().filter((r) => r.kind === "webhook" || r.method === "chat.postMessage");
  return {
    ms,
    keys: plan.destinations.length,
    delivered: outcomes.filter((o) => o.ok).length,
    planned: outcomes.length,
    status429: emu.records().filter((r) => r.status === 429).length,
    requests: posts.length,
  };
}

/**
 * Rate-limit lower bound: per key, PER_KEY arrivals 1 s apart (burst 1), then the last one's
 * round trip; bot mode also needs its one auth.test round trip before the first message.
 */
export function strictLowerBound(mode) {
  return (PER_KEY - 1) * 1000 + LATENCY_MS + (mode === "bot" ? LATENCY_MS : 0);
}

/** Both modes, 1 + `runs` times each: every run's 429s count; the fastest timed run's makespan is the figure. */
export async function strictFanout({ runs = 2 } = {}) {
  const emu = await startEmulator(WORKLOAD.emulator);
  try {
    const input = parseScan(JSON.stringify(WORKLOAD.report));
    const out = {};
    for (const mode of ["bot", "webhook"]) {
      // The first run loads modules and opens every connection (the case that used to get a
      // 429 per key): its 429s count, its makespan does not.
      const all = [];
      for (let i = 0; i < runs + 1; i++) all.push(await once(emu, mode, input));
      const timed = all.slice(1);
      out[mode] = {
        runs: all,
        lb: strictLowerBound(mode),
        best: timed.reduce((a, b) => (b.ms < a.ms ? b : a)),
        status429: all.reduce((n, r) => n + r.status429, 0),
        failed: all.reduce((n, r) => n + r.planned - r.delivered, 0),
      };
    }
    return out;
  } finally {
    await emu.close();
  }
}
