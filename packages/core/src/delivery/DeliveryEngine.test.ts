import { createServer } from "node:http";
import { type AddressInfo } from "node:net";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";
import { SLACK_LIMITS } from "../blocks/types.js";
import { systemClock } from "../clock.js";
import { MemoryLogger } from "../logger.js";
import { type NotifierCapabilities } from "../contract/capabilities.js";
import { type Destination, type OutboundMessage } from "../contract/destination.js";
import { type DeliveryFailure } from "../contract/failure.js";
import { type Notifier, type SendContext, type SendResult } from "../contract/notifier.js";
import { FakeClock } from "../testing/index.js";
import { TOKENS } from "../contract/context.js";
import { DeliveryEngine, type DeliveryOptions, type DeliveryProgress } from "./DeliveryEngine.js";

const CAPS: NotifierCapabilities = { ...SLACK_LIMITS, ratePerSecond: 1, burst: 1, threads: false, update: false };
const FAST: NotifierCapabilities = { ...CAPS, ratePerSecond: 1000, burst: 10 };

function destination(key: string, target = key): Destination {
  return { route: "r", target, key, filter: {}, address: { secret: "never-printed" }, configPath: "url" };
}

/** `pages` messages for each destination, in plan order. */
function messages(dests: Destination[], pages: number): OutboundMessage[] {
  return dests.flatMap((d) =>
    Array.from(
      { length: pages },
      (_, i): OutboundMessage => ({
        payload: { text: `${d.key} part ${i + 1}`, blocks: [], unfurl_links: false, unfurl_media: false },
        alerts: [],
        index: i + 1,
        count: pages,
        destination: d,
        kind: "alerts",
        key: `${d.key}/${i + 1}`,
      }),
    ),
  );
}

interface Call {
  key: string;
  index: number;
  attempt: number;
  at: number;
  threadTs?: string;
}

/**
 * A notifier written in the test: it records every send with its virtual time and answers from
 * a script. It is the thing the engine drives, not a stand-in for the engine.
 */
class ScriptedNotifier implements Notifier {
  readonly calls: Call[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    private readonly clock: FakeClock,
    private readonly script: (
      m: OutboundMessage,
      ctx: SendContext,
      call: Call,
    ) => SendResult | Promise<SendResult> = () => ({ ok: true }),
    private readonly latencyMs = 0,
  ) {}
  async send(message: OutboundMessage, ctx: SendContext): Promise<SendResult> {
    const call: Call = {
      key: message.destination.key,
      index: message.index,
      attempt: ctx.attempt,
      at: this.clock.elapsed,
    };
    if (message.threadTs) call.threadTs = message.threadTs;
    this.calls.push(call);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.latencyMs) await this.clock.sleep(this.latencyMs, ctx.signal);
      return await this.script(message, ctx, call);
    } finally {
      this.inFlight--;
    }
  }
}

/** The engine as core wires it: resolved from a fresh child container with a fake clock. */
function engine(clock: FakeClock, logger = new MemoryLogger()): DeliveryEngine {
  const run = container.createChildContainer();
  run.register(TOKENS.Clock, { useValue: clock });
  run.register(TOKENS.Logger, { useValue: logger });
  return run.resolve(DeliveryEngine);
}

const fixedRandom = { random: () => 0.5 } satisfies DeliveryOptions; // jitter factor exactly 1
const fail = (f: Partial<DeliveryFailure> & Pick<DeliveryFailure, "code" | "retry">): SendResult => ({
  ok: false,
  failure: { message: f.code, ...f },
});

describe("DeliveryEngine", () => {
  it("keeps the planned order within a key and paces at the declared rate", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const n = new ScriptedNotifier(clock);
    const out = await engine(clock).deliver(n, CAPS, messages([destination("A")], 4), fixedRandom);
    expect(out.every((o) => o.ok && o.attempts === 1)).toBe(true);
    expect(n.calls.map((c) => [c.index, c.at])).toEqual([
      [1, 0],
      [2, 1000],
      [3, 2000],
      [4, 3000],
    ]);
  });

  it("allows the declared burst, then the steady rate", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const n = new ScriptedNotifier(clock);
    await engine(clock).deliver(
      n,
      { ...CAPS, ratePerSecond: 2, burst: 3 },
      messages([destination("A")], 6),
      fixedRandom,
    );
    expect(n.calls.map((c) => c.at)).toEqual([0, 0, 0, 500, 1000, 1500]);
  });

  it("runs keys in parallel, each in order", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const n = new ScriptedNotifier(clock);
    const keys = ["A", "B", "C"].map((k) => destination(k));
    const out = await engine(clock).deliver(n, CAPS, messages(keys, 3), fixedRandom);
    for (const k of ["A", "B", "C"]) {
      expect(n.calls.filter((c) => c.key === k).map((c) => [c.index, c.at])).toEqual([
        [1, 0],
        [2, 1000],
        [3, 2000],
      ]);
    }
    // Outcomes come back in plan order.
    expect(out.map((o) => `${o.message.destination.key}${o.message.index}`)).toEqual([
      "A1",
      "A2",
      "A3",
      "B1",
      "B2",
      "B3",
      "C1",
      "C2",
      "C3",
    ]);
  });

  it("never has more requests in flight than the concurrency cap", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const n = new ScriptedNotifier(clock, undefined, 500);
    const keys = Array.from({ length: 6 }, (_, i) => destination(`K${i}`));
    await engine(clock).deliver(n, CAPS, messages(keys, 1), { ...fixedRandom, concurrency: 2 });
    expect(n.maxInFlight).toBe(2);
    expect(n.calls.map((c) => c.at)).toEqual([0, 0, 500, 500, 1000, 1000]);

    const clock2 = new FakeClock({ autoAdvance: true });
    const wide = new ScriptedNotifier(clock2, undefined, 500);
    await engine(clock2).deliver(wide, CAPS, messages(keys, 1), fixedRandom);
    expect(wide.maxInFlight).toBe(6);
  });

  it("a 429 waits Retry-After, then pauses the key (no burst right after)", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const progress: DeliveryProgress[] = [];
    const n = new ScriptedNotifier(clock, (m, ctx) =>
      m.index === 1 && ctx.attempt === 1
        ? fail({ code: "rate_limited", retry: "after", retryAfterMs: 30_000 })
        : { ok: true },
    );
    const out = await engine(clock).deliver(n, { ...CAPS, burst: 5 }, messages([destination("A")], 3), {
      ...fixedRandom,
      onProgress: (p) => progress.push(p),
    });
    expect(n.calls.map((c) => [c.index, c.attempt, c.at])).toEqual([
      [1, 1, 0],
      [1, 2, 30_000],
      [2, 1, 31_000],
      [3, 1, 32_000],
    ]);
    expect(out.map((o) => o.attempts)).toEqual([2, 1, 1]);
    expect(progress.some((p) => p.rateLimited === 1 && /A: rate limited, waiting 30 s/.test(p.event ?? ""))).toBe(true);
    expect(progress[progress.length - 1]).toMatchObject({ sent: 3, failed: 0, total: 3, rateLimited: 0 });
  });

  it("a 429 with a Retry-After beyond the policy's maximum fails as rate_limited, and later pages are not attempted", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const n = new ScriptedNotifier(clock, () =>
      fail({ code: "rate_limited", retry: "after", retryAfterMs: 3_600_000 }),
    );
    const out = await engine(clock).deliver(n, CAPS, messages([destination("A")], 2), fixedRandom);
    expect(n.calls).toHaveLength(1);
    expect(out[0]!.failure?.code).toBe("rate_limited");
    expect(out[1]).toMatchObject({ ok: false, attempts: 0 });
    expect(out[1]!.failure?.message).toBe("not sent: rate_limited");
  });

  it("5xx backs off exponentially and succeeds", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const n = new ScriptedNotifier(clock, (_m, ctx) =>
      ctx.attempt < 3 ? fail({ code: "http_503", retry: "backoff" }) : { ok: true, ts: "1.2" },
    );
    // A fast key, so only the backoff sets the pace (a retry is a request too, and waits for the key's rate).
    const out = await engine(clock).deliver(n, FAST, messages([destination("A")], 1), fixedRandom);
    expect(out[0]).toMatchObject({ ok: true, attempts: 3, ts: "1.2" });
    // Backoff 500 ms then 1000 ms (base 500, factor 2, jitter factor 1 with random 0.5).
    expect(n.calls.map((c) => c.at)).toEqual([0, 500, 1500]);
  });

  it("a retry still waits for the key's rate", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const n = new ScriptedNotifier(clock, (_m, ctx) =>
      ctx.attempt < 3 ? fail({ code: "http_503", retry: "backoff" }) : { ok: true },
    );
    await engine(clock).deliver(n, CAPS, messages([destination("A")], 1), fixedRandom);
    expect(n.calls.map((c) => c.at)).toEqual([0, 1000, 2000]); // backoff 500 and 1000, but 1 message/s
  });

  it("gives up after maxAttempts transient failures, reporting the last failure", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const n = new ScriptedNotifier(clock, () => fail({ code: "network", retry: "backoff" }));
    const out = await engine(clock).deliver(n, FAST, messages([destination("A")], 1), {
      ...fixedRandom,
      retry: {
        maxAttempts: 3,
        maxRateLimitedAttempts: 1,
        baseDelayMs: 100,
        factor: 3,
        maxDelayMs: 250,
        jitter: 0,
        maxRetryAfterMs: 1000,
      },
    });
    expect(out[0]).toMatchObject({ ok: false, attempts: 3, failure: { code: "network" } });
    expect(n.calls.map((c) => c.at)).toEqual([0, 100, 350]); // 100, then 300 capped at 250
  });

  it("a permanent failure is never retried; later pages of that destination are reported, not attempted", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const n = new ScriptedNotifier(clock, (m) =>
      m.destination.key === "A" ? fail({ code: "invalid_payload", retry: "never" }) : { ok: true },
    );
    const out = await engine(clock).deliver(n, CAPS, messages([destination("A"), destination("B")], 2), fixedRandom);
    expect(n.calls.filter((c) => c.key === "A")).toHaveLength(1);
    expect(out.map((o) => [o.message.destination.key, o.message.index, o.ok, o.attempts, o.failure?.message])).toEqual([
      ["A", 1, false, 1, "invalid_payload"],
      ["A", 2, false, 0, "not sent: invalid_payload"],
      ["B", 1, true, 1, undefined],
      ["B", 2, true, 1, undefined],
    ]);
  });

  it("a failed later page (content error) does not stop the next pages", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const n = new ScriptedNotifier(clock, (m) =>
      m.index === 2 ? fail({ code: "invalid_blocks", retry: "never" }) : { ok: true },
    );
    const out = await engine(clock).deliver(n, CAPS, messages([destination("A")], 3), fixedRandom);
    expect(out.map((o) => o.ok)).toEqual([true, false, true]);
  });

  it("a failure's scope decides what else it stops: destination stops later pages, message only itself", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const n = new ScriptedNotifier(clock, (m) =>
      m.destination.key === "A" && m.index === 2
        ? fail({ code: "channel_gone", retry: "never", scope: "destination" })
        : m.destination.key === "B" && m.index === 1
          ? fail({ code: "one_bad_page", retry: "never", scope: "message" })
          : { ok: true },
    );
    const out = await engine(clock).deliver(n, CAPS, messages([destination("A"), destination("B")], 3), fixedRandom);
    expect(out.map((o) => [o.message.destination.key, o.message.index, o.ok, o.attempts])).toEqual([
      ["A", 1, true, 1],
      ["A", 2, false, 1],
      ["A", 3, false, 0],
      ["B", 1, false, 1],
      ["B", 2, true, 1],
      ["B", 3, true, 1],
    ]);
  });

  it("a failure of scope notifier stops the whole run", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const n = new ScriptedNotifier(clock, (m) =>
      m.destination.key === "A" ? fail({ code: "invalid_auth", retry: "never", scope: "notifier" }) : { ok: true },
    );
    const out = await engine(clock).deliver(n, CAPS, messages([destination("A"), destination("B")], 3), fixedRandom);
    expect(n.calls.filter((c) => c.key === "A")).toHaveLength(1);
    // B's first page was sent at the same moment; nothing after the fatal failure is attempted.
    expect(n.calls.filter((c) => c.key === "B").map((c) => c.index)).toEqual([1]);
    expect(out.filter((o) => !o.ok).map((o) => o.failure?.code)).toEqual([
      "invalid_auth",
      "invalid_auth",
      "invalid_auth",
      "invalid_auth",
      "invalid_auth",
    ]);
    expect(out.filter((o) => o.attempts === 0).every((o) => o.failure?.message.startsWith("not sent: "))).toBe(true);
  });

  it("a message already waiting for a concurrency slot on another key is not sent after a fatal failure", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    // One slot: B's first page waits while A's first page is in flight and comes back fatal.
    const n = new ScriptedNotifier(
      clock,
      (m) =>
        m.destination.key === "A" ? fail({ code: "token_revoked", retry: "never", scope: "notifier" }) : { ok: true },
      500,
    );
    const out = await engine(clock).deliver(n, CAPS, messages([destination("A"), destination("B")], 2), {
      ...fixedRandom,
      concurrency: 1,
    });
    expect(n.calls.map((c) => `${c.key}${c.index}`)).toEqual(["A1"]);
    expect(
      out.map((o) => [
        o.message.destination.key,
        o.message.index,
        o.ok,
        o.attempts,
        o.failure?.code,
        o.failure?.message,
      ]),
    ).toEqual([
      ["A", 1, false, 1, "token_revoked", "token_revoked"],
      ["A", 2, false, 0, "token_revoked", "not sent: token_revoked"],
      ["B", 1, false, 0, "token_revoked", "not sent: token_revoked"],
      ["B", 2, false, 0, "token_revoked", "not sent: token_revoked"],
    ]);
  });

  it("a retry waiting in backoff is not sent after another key's fatal failure", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    // B fails with a 503 at 0 and backs off 500 ms; A's first page comes back fatal at 200 ms.
    const n = new ScriptedNotifier(clock, async (m, ctx) => {
      if (m.destination.key === "B")
        return ctx.attempt === 1 ? fail({ code: "http_503", retry: "backoff" }) : { ok: true };
      await clock.sleep(200);
      return fail({ code: "token_revoked", retry: "never", scope: "notifier" });
    });
    const out = await engine(clock).deliver(n, FAST, messages([destination("A"), destination("B")], 1), fixedRandom);
    expect(n.calls.map((c) => `${c.key}${c.index}/${c.attempt}`)).toEqual(["A1/1", "B1/1"]);
    expect(out[1]).toMatchObject({
      ok: false,
      attempts: 1,
      failure: { code: "token_revoked", message: "not sent: token_revoked" },
    });
  });

  it("a message waiting for a concurrency slot when the budget runs out is not sent", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    // One slot; A's request takes 3 s, B's first page waits for the slot; the budget ends at 2 s.
    const n = new ScriptedNotifier(clock, (m) =>
      m.destination.key === "A" ? clock.sleep(3_000).then(() => ({ ok: true as const })) : { ok: true },
    );
    const out = await engine(clock).deliver(n, CAPS, messages([destination("A"), destination("B")], 1), {
      ...fixedRandom,
      concurrency: 1,
      budgetMs: 2_000,
    });
    expect(n.calls.map((c) => c.key)).toEqual(["A"]);
    expect(out[1]).toMatchObject({ ok: false, attempts: 0, failure: { code: "timeout" } });
  });

  it("when the time budget runs out, the rest is reported as timeout", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const n = new ScriptedNotifier(clock);
    const out = await engine(clock).deliver(n, CAPS, messages([destination("A")], 10), {
      ...fixedRandom,
      budgetMs: 4_500,
    });
    expect(n.calls.map((c) => c.at)).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(out.map((o) => o.ok)).toEqual([true, true, true, true, true, false, false, false, false, false]);
    for (const o of out.slice(5)) {
      expect(o.failure?.code).toBe("timeout");
      expect(o.failure?.message).toBe("not delivered within the run's time budget (5 s)");
      expect(o.failure?.hint).toMatch(/--timeout/);
    }
  });

  it("a timeout names the real cause it was retrying, not the budget's own abort of the last try", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    // 1st try: HTTP 500. 2nd try: hangs until the budget aborts it, which a notifier sees as a network error.
    const n = new ScriptedNotifier(clock, (_m, ctx) =>
      ctx.attempt === 1
        ? fail({ code: "http_500", retry: "backoff", message: "server error (HTTP 500)" })
        : clock.sleep(60_000, ctx.signal).then(
            () => ({ ok: true as const }),
            () => fail({ code: "network", retry: "backoff", message: "fetch failed" }),
          ),
    );
    const out = await engine(clock).deliver(n, CAPS, messages([destination("A")], 1), {
      ...fixedRandom,
      budgetMs: 3_000,
      requestTimeoutMs: 60_000,
    });
    expect(out[0]!.failure?.code).toBe("timeout");
    expect(out[0]!.failure?.message).toBe(
      "not delivered within the run's time budget (3 s); last error: http_500: server error (HTTP 500)",
    );
  });

  it("a Retry-After longer than the remaining budget ends in timeout, not a hang", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const n = new ScriptedNotifier(clock, () => fail({ code: "rate_limited", retry: "after", retryAfterMs: 50_000 }));
    const out = await engine(clock).deliver(n, CAPS, messages([destination("A")], 2), {
      ...fixedRandom,
      budgetMs: 10_000,
    });
    expect(out.map((o) => o.failure?.code)).toEqual(["timeout", "timeout"]);
    expect(clock.elapsed).toBe(10_000);
  });

  it("thread replies carry the parent's ts (notifiers with threads)", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    let ts = 0;
    const n = new ScriptedNotifier(clock, (m) => ({
      ok: true,
      ts: `1700000000.00000${++ts}`,
      channel: m.destination.key,
    }));
    const out = await engine(clock).deliver(
      n,
      { ...CAPS, threads: true },
      messages([destination("C1"), destination("C2")], 3),
      fixedRandom,
    );
    const byKey = (k: string) => n.calls.filter((c) => c.key === k);
    for (const k of ["C1", "C2"]) {
      const parent = out.find((o) => o.message.destination.key === k && o.message.index === 1)!.ts;
      expect(parent).toBeDefined();
      expect(byKey(k).map((c) => c.threadTs)).toEqual([undefined, parent, parent]);
    }
    // The outcome refers to the planned message, not the threaded copy, and says which thread it went to.
    expect(out[1]!.message.threadTs).toBeUndefined();
    expect(out.map((o) => o.threadTs)).toEqual([undefined, out[0]!.ts, out[0]!.ts, undefined, out[3]!.ts, out[3]!.ts]);

    const clock2 = new FakeClock({ autoAdvance: true });
    const flat = new ScriptedNotifier(clock2, () => ({ ok: true, ts: "1.1" }));
    await engine(clock2).deliver(flat, CAPS, messages([destination("C1")], 2), fixedRandom);
    expect(flat.calls.map((c) => c.threadTs)).toEqual([undefined, undefined]);
  });

  it("a notifier that throws is reported as notifier_error, and the run goes on", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const n = new ScriptedNotifier(clock, (m) => {
      if (m.index === 1) throw new TypeError("boom");
      return { ok: true };
    });
    const out = await engine(clock).deliver(n, CAPS, messages([destination("A"), destination("B")], 1), fixedRandom);
    expect(out.map((o) => o.failure?.code)).toEqual(["notifier_error", "notifier_error"]);
    expect(out[0]!.failure?.message).toBe("notifier error: boom");
  });

  it("marks a retried maybe-delivered message as a possible duplicate", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const n = new ScriptedNotifier(clock, (_m, ctx) =>
      ctx.attempt === 1 ? fail({ code: "timeout", retry: "backoff", maybeDelivered: true }) : { ok: true },
    );
    const out = await engine(clock).deliver(n, CAPS, messages([destination("A")], 1), fixedRandom);
    expect(out[0]).toMatchObject({ ok: true, attempts: 2, possibleDuplicate: true });
  });

  it("passes the attempt number and an abort signal to the notifier", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const seen: SendContext[] = [];
    const n = new ScriptedNotifier(clock, (_m, ctx) => (seen.push(ctx), { ok: true }));
    await engine(clock).deliver(n, CAPS, messages([destination("A")], 1), { ...fixedRandom, requestTimeoutMs: 2_000 });
    expect(seen[0]).toMatchObject({ attempt: 1, timeoutMs: 2_000 });
    expect(seen[0]!.signal).toBeInstanceOf(AbortSignal);
  });

  it("30 keys waiting and 30 requests in flight add no pile of listeners to one signal (no MaxListenersExceededWarning)", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const clock = new FakeClock({ autoAdvance: true });
      const n = new ScriptedNotifier(clock, () => ({ ok: true }), 100);
      const keys = Array.from({ length: 30 }, (_, i) => destination(`K${i}`));
      const cancel = new AbortController();
      const out = await engine(clock).deliver(n, CAPS, messages(keys, 3), {
        ...fixedRandom,
        concurrency: 30,
        signal: cancel.signal,
      });
      expect(out.every((o) => o.ok)).toBe(true);
      expect(n.maxInFlight).toBe(30);
      await new Promise((r) => setImmediate(r)); // process warnings are emitted on a later tick
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning").map((w) => w.message)).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
  it("a key's first request is paced from when its answer arrived, not from when the notifier had handled it", async () => {
    // Real HTTP on loopback and the real clock: a notifier that takes 1.5 s to handle each answer
    // (a busy machine, a slow SDK). The second page may leave 1 s after the first page's answer
    // came; before, it waited for the notifier too (≥ 2.5 s between the two arrivals).
    const arrivals: number[] = [];
    const server = createServer((_req, res) => {
      arrivals.push(performance.now());
      res.end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const slow: Notifier = {
      async send(_m, ctx) {
        const res = await fetch(url, { method: "POST", body: "{}", signal: ctx.signal });
        await res.text();
        await new Promise((r) => setTimeout(r, 1500));
        return { ok: true };
      },
    };
    try {
      const run = container.createChildContainer();
      run.register(TOKENS.Clock, { useValue: systemClock });
      run.register(TOKENS.Logger, { useValue: new MemoryLogger() });
      const out = await run.resolve(DeliveryEngine).deliver(slow, CAPS, messages([destination("A")], 2), fixedRandom);
      expect(out.map((o) => o.ok)).toEqual([true, true]);
      expect(arrivals).toHaveLength(2);
      const gap = arrivals[1]! - arrivals[0]!;
      expect(gap).toBeGreaterThanOrEqual(1000);
      expect(gap).toBeLessThan(2400);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  }, 20_000);

  it("delivers nothing, and returns at once, for no messages", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    expect(await engine(clock).deliver(new ScriptedNotifier(clock), CAPS, [], fixedRandom)).toEqual([]);
  });
});
