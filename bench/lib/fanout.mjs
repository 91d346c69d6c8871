// Figures 1–4 and the reference-tool comparison: real HTTP against the Slack emulator with
// Slack-like rate limits and a fixed latency on every request.
import { createHash } from "node:crypto";
import { createEngine, parseScan } from "@socket-notify/core";
import { botPlugin } from "@socket-notify/slack-bot";
import { startEmulator } from "@socket-notify/slack-emulator";
import { webhookPlugin } from "@socket-notify/slack-webhook";
import { report, rng } from "./workload.mjs";

/** Emulator limits: Slack's 1 message/s per channel and per webhook, with a small burst. */
export const RATE = { perSecond: 1, burst: 3 };
/** Fixed latency added to every request (a Slack round trip from CI is ~50–300 ms). */
export const LATENCY_MS = 100;
export const ALERTS = 300;
const TOKEN = "xoxb-bench-bot-token";
const BOT_CHANNELS = Array.from({ length: 10 }, (_, i) => ({
  id: `C00000001${String(i).padStart(2, "0")}`,
  name: `bench-${i + 1}`,
}));
const HOOK_CHANNELS = Array.from({ length: 3 }, (_, i) => ({
  id: `C00000002${String(i).padStart(2, "0")}`,
  name: `hooks-${i + 1}`,
}));
const HOOKS = HOOK_CHANNELS.map((c, i) => ({
  name: `hook-${i + 1}`,
  id: `B000${i + 1}`,
  secret: `benchhooksecret000${i + 1}`,
  channel: c.name,
}));

function workspace() {
  return {
    team: { id: "T0001", name: "bench" },
    channels: [...BOT_CHANNELS, ...HOOK_CHANNELS].map((c) => ({ ...c, members: ["bot"] })),
    tokens: [{ token: TOKEN, user: "bot", scopes: ["chat:write", "channels:read", "groups:read"] }],
    hooks: HOOKS,
  };
}

function botConfig(emu) {
  return {
    mode: "bot",
    bot_token: TOKEN,
    slack_api_url: emu.apiUrl,
    max_messages: 50,
    bot_configs: [
      { name: "everything", channels: BOT_CHANNELS.slice(0, 6).map((c) => c.id) },
      { name: "serious", channels: BOT_CHANNELS.slice(6).map((c) => c.id), severities: ["critical", "high"] },
    ],
  };
}

function webhookConfig(emu) {
  return {
    mode: "webhook",
    max_messages: 50,
    url: HOOKS.map((h) => ({ name: h.name, url: emu.webhookUrl(h.name) })),
    url_configs: { "hook-3": { severities: ["critical", "high", "medium"] } },
  };
}

const LATENCY = { target: {}, kind: "latency", ms: LATENCY_MS, count: Infinity };

export async function startBenchEmulator() {
  const emu = await startEmulator({ workspace: workspace(), rateLimit: RATE });
  emu.fault(LATENCY);
  return emu;
}

/** Back to a clean emulator: no records, full buckets, only the latency fault. */
function resetEmulator(emu) {
  emu.reset();
  emu.fault(LATENCY);
}

/** Faults match first-added-first; to make a new fault win over the latency one, re-add the rest after it. */
async function armFault(emu, spec) {
  const active = emu.activeFaults();
  const res = await fetch(`${emu.url}/_emulator/faults`, { method: "DELETE" });
  await res.arrayBuffer();
  emu.fault(spec);
  for (const f of active) emu.fault(f);
}

export function identity(payload) {
  return createHash("sha256")
    .update(String(payload.text ?? ""))
    .update("\0")
    .update(JSON.stringify(payload.blocks ?? []))
    .digest("hex")
    .slice(0, 24);
}

/** Engines and plans for the workload: bot mode (10 channels) and webhook mode (3 hooks). */
export async function setup(emu) {
  const input = parseScan(JSON.stringify(report(ALERTS)));
  const bot = await createEngine({ config: botConfig(emu), plugins: [botPlugin, webhookPlugin], env: {} });
  const hook = await createEngine({ config: webhookConfig(emu), plugins: [botPlugin, webhookPlugin], env: {} });
  const plans = [bot.plan(input), hook.plan(input)];
  // Where each destination's messages land, as the emulator records them.
  const planned = [];
  for (const plan of plans) {
    for (const d of plan.destinations) {
      if (d.build.omitted)
        throw new Error(
          `bench workload: ${d.destination.target} omitted ${d.build.omitted} alerts; raise max_messages`,
        );
      const where = plan.mode === "bot" ? { channel: d.destination.address.channel } : { hook: d.destination.target };
      d.messages.forEach((m) =>
        planned.push({
          key: d.destination.key,
          target: d.destination.target,
          where,
          index: m.index,
          id: identity(m.payload),
          message: m,
        }),
      );
    }
  }
  return { input, engines: { bot, hook }, plans, planned };
}

/** Rate-limit lower bound: every key sends its n messages at 1/s, the last one still needs a round trip. */
export function rateLowerBound(planned, burst = 1) {
  const perKey = new Map();
  for (const p of planned) perKey.set(p.key, (perKey.get(p.key) ?? 0) + 1);
  let worst = 0;
  for (const n of perKey.values())
    worst = Math.max(worst, (Math.max(0, n - burst) * 1000) / RATE.perSecond + LATENCY_MS);
  return { ms: worst, keys: perKey.size, maxPerKey: Math.max(...perKey.values()) };
}

/**
 * Pagination lower bound per destination: what must be sent is every package entry (its section,
 * as rendered) plus, in each message, a header, the scan context line, a divider and the context
 * line of its type keys (the shortest one sent); a message holds at most 50 blocks and 12,000
 * characters of block text. LB = max(ceil(entries / (50 − 4)), ceil(chars / (12,000 − per-message chars))).
 */
export function paginationLowerBound(plans, limits = { maxBlocks: 50, maxMessageChars: 12_000 }) {
  let total = 0;
  const rows = [];
  const text = (b) =>
    b.type === "context" ? b.elements.reduce((n, e) => n + e.text.length, 0) : (b.text?.text.length ?? 0);
  for (const plan of plans) {
    for (const d of plan.destinations) {
      if (!d.messages.length) continue;
      let alertChars = 0;
      let alerts = 0;
      let entries = 0;
      let fixed = Infinity;
      let fixedTypes = Infinity;
      for (const m of d.messages) {
        const blocks = m.payload.blocks;
        const header = blocks.find((b) => b.type === "header")?.text.text.length ?? 0;
        const divider = blocks.findIndex((b) => b.type === "divider");
        // Before the divider: header and scan context (no mention, no summary on this workload).
        const context = blocks.slice(1, divider).reduce((n, b) => n + text(b), 0);
        fixed = Math.min(fixed, header + context);
        const body = blocks.slice(divider + 1);
        const types = body.filter((b) => b.type === "context").reduce((n, b) => n + text(b), 0);
        fixedTypes = Math.min(fixedTypes, types);
        for (const b of body) if (b.type === "section") alertChars += text(b);
        entries += body.filter((b) => b.type === "section").length;
        alerts += m.alerts.length;
      }
      const perMessage = limits.maxBlocks - 4;
      const lb = Math.max(
        Math.ceil(entries / perMessage),
        Math.ceil(alertChars / (limits.maxMessageChars - fixed - fixedTypes)),
      );
      rows.push({ target: d.destination.target, sent: d.messages.length, lb, alerts, alertChars });
      total += lb;
    }
  }
  return { total, rows };
}

/** Accepted / refused records of this phase, checked against the plan. */
export function tally(emu, planned) {
  const records = emu.records();
  const posts = records.filter((r) => r.method === "chat.postMessage" || r.kind === "webhook");
  const accepted = posts.filter((r) => r.ok);
  const byId = new Map(planned.map((p) => [p.id + (p.where.channel ?? p.where.hook), p]));
  const seen = new Map();
  let unknown = 0;
  const arrival = new Map(); // target → indexes in arrival order
  for (const r of accepted) {
    const key = identity(r.payload) + (r.kind === "webhook" ? r.hook : r.channel);
    const p = byId.get(key);
    if (!p) {
      unknown++;
      continue;
    }
    seen.set(key, (seen.get(key) ?? 0) + 1);
    const list = arrival.get(p.target) ?? [];
    list.push(p.index);
    arrival.set(p.target, list);
  }
  let duplicates = 0;
  for (const n of seen.values()) duplicates += n - 1;
  let orderViolations = 0;
  for (const list of arrival.values())
    for (let i = 1; i < list.length; i++) if (list[i] < list[i - 1]) orderViolations++;
  return {
    requests: posts.length,
    accepted: accepted.length,
    delivered: seen.size,
    duplicates,
    unknown,
    orderViolations,
    status429: records.filter((r) => r.status === 429).length,
    faults: countBy(
      records.filter((r) => r.fault && r.fault !== "latency"),
      (r) => (r.fault === "status" ? `http_${r.status}` : r.fault),
    ),
  };
}

function countBy(list, f) {
  const out = {};
  for (const x of list) out[f(x)] = (out[f(x)] ?? 0) + 1;
  return out;
}

async function runBoth(ctx, options = {}) {
  const t0 = performance.now();
  const [bot, hook] = await Promise.all([
    ctx.engines.bot.run(ctx.input, options),
    ctx.engines.hook.run(ctx.input, options),
  ]);
  const ms = performance.now() - t0;
  const outcomes = [...bot.outcomes, ...hook.outcomes];
  return {
    ms,
    outcomes,
    failed: outcomes.filter((o) => !o.ok),
    possibleDuplicates: outcomes.filter((o) => o.possibleDuplicate).length,
  };
}

/** Loads the notifiers' lazy modules and warms the JIT and connections, so figure 1 measures scheduling, not module loading. */
export async function warmUp(emu, ctx) {
  resetEmulator(emu);
  const small = parseScan(JSON.stringify(report(20, 99)));
  await Promise.all([ctx.engines.bot.run(small), ctx.engines.hook.run(small)]);
}

/** Figures 1–3: the clean fan-out. */
export async function fanout(emu, ctx) {
  resetEmulator(emu);
  const run = await runBoth(ctx);
  const t = tally(emu, ctx.planned);
  return {
    ...run,
    tally: t,
    lb: rateLowerBound(ctx.planned),
    lbBurst: rateLowerBound(ctx.planned, RATE.burst),
    pages: paginationLowerBound(ctx.plans),
  };
}

/** The Socket CLI's way (B17, B18): every message one after another, no pacing, no retry. */
export async function sequentialReference(emu, ctx) {
  resetEmulator(emu);
  const t0 = performance.now();
  for (const p of ctx.planned) {
    const body = { ...p.message.payload };
    let res;
    try {
      if (p.where.channel) {
        res = await fetch(`${emu.apiUrl}chat.postMessage`, {
          method: "POST",
          headers: { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify({ channel: p.where.channel, ...body }),
        });
      } else {
        res = await fetch(emu.webhookUrl(p.where.hook), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      }
      await res.arrayBuffer();
    } catch {
      /* the reference tool logs and moves on (bot mode) */
    }
  }
  const ms = performance.now() - t0;
  return { ms, tally: tally(emu, ctx.planned) };
}

/**
 * Figure 4: the same fan-out while the emulator injects 500s on ~10% of the messages, a burst
 * of 429s, two connection resets and one request that never gets an answer. Faults are armed
 * at seeded random moments on destinations that still have messages to send.
 */
export async function faulted(emu, ctx, { seed = 3, expectedMs = 8_000 } = {}) {
  resetEmulator(emu);
  const r = rng(seed);
  const planned = ctx.planned.length;
  const n500 = Math.round(planned * 0.1);
  const schedule = [];
  for (let i = 0; i < n500; i++)
    schedule.push({ at: r() * expectedMs * 0.85, spec: { kind: "status", status: 500, count: 1 } });
  schedule.push({ at: expectedMs * 0.25, spec: { kind: "ratelimit", retryAfter: 2, count: 6 }, anywhere: true });
  schedule.push({ at: expectedMs * 0.15, spec: { kind: "reset", count: 1 } });
  schedule.push({ at: expectedMs * 0.55, spec: { kind: "reset", count: 1 } });
  schedule.push({ at: expectedMs * 0.35, spec: { kind: "hang", count: 1 } });
  schedule.sort((a, b) => a.at - b.at);

  const pendingTargets = () => {
    const counts = new Map();
    for (const rec of emu.messages()) {
      const k = rec.kind === "webhook" ? `hook:${rec.hook}` : `channel:${rec.channel}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const left = new Map();
    for (const p of ctx.planned) {
      const k = p.where.hook ? `hook:${p.where.hook}` : `channel:${p.where.channel}`;
      left.set(k, (left.get(k) ?? 0) + 1);
    }
    // Keys with at least two messages still to go, so the fault is met and recovered from.
    return [...left.entries()].filter(([k, n]) => n - (counts.get(k) ?? 0) >= 2).map(([k]) => k);
  };

  let armed = 0;
  const t0 = performance.now();
  const arming = (async () => {
    for (const s of schedule) {
      const wait = s.at - (performance.now() - t0);
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      if (done) return;
      let target = {};
      if (!s.anywhere) {
        const keys = pendingTargets();
        if (!keys.length) continue;
        const k = keys[Math.floor(r() * keys.length)];
        target = k.startsWith("hook:") ? { hook: k.slice(5) } : { channel: k.slice(8) };
      }
      await armFault(emu, { ...s.spec, target });
      armed++;
    }
  })();
  let done = false;
  const run = await runBoth(ctx);
  done = true;
  await arming;
  const leftover = emu.activeFaults().filter((f) => f.kind !== "latency");
  return { ...run, tally: tally(emu, ctx.planned), planned, armed, scheduled: schedule.length, leftover };
}
