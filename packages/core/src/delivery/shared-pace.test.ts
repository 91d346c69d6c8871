/**
 * The DeliveryEngine's sharedPace hook, in virtual time: two engines (two processes) sending to
 * one key through one shared pace never send at once and stay one interval apart; a store that
 * fails is reported once and the run goes on with its own pacing. The pace here is a small
 * store written in the test (the real ones, file and PostgreSQL, run the state conformance
 * suite and test/cli-shared-pacing.test.ts).
 */
import { describe, expect, it } from "vitest";
import { SLACK_LIMITS } from "../blocks/types.js";
import { type NotifierCapabilities } from "../contract/capabilities.js";
import { type Destination, type OutboundMessage } from "../contract/destination.js";
import { type Notifier, type SendResult } from "../contract/notifier.js";
import { MemoryLogger } from "../logger.js";
import { FakeClock } from "../testing/index.js";
import { DeliveryEngine } from "./DeliveryEngine.js";
import { type SharedPace, sharedPaceKey } from "./shared-pace.js";

const CAPS: NotifierCapabilities = { ...SLACK_LIMITS, ratePerSecond: 1, burst: 1, threads: false, update: false };
const DEST: Destination = {
  route: "r",
  target: "#ops",
  key: "https://hooks.example/secret-path",
  filter: {},
  address: {},
  configPath: "url",
};

function pages(n: number, tag: string): OutboundMessage[] {
  return Array.from({ length: n }, (_, i) => ({
    payload: { text: `${tag} ${i + 1}`, blocks: [], unfurl_links: false, unfurl_media: false },
    alerts: [],
    index: i + 1,
    count: n,
    destination: DEST,
    kind: "alerts",
    key: `${tag}/${i + 1}`,
  }));
}

/** One turn at a time per key; the next slot where the holder left it (the store contract). */
class MemoryPace implements SharedPace {
  readonly keys = new Set<string>();
  private slots = new Map<string, { next: number; holder?: string; fastest?: number }>();
  private n = 0;
  constructor(private readonly clock: FakeClock) {}
  async takeTurn(key: string) {
    this.keys.add(key);
    const now = this.clock.now();
    const s = this.slots.get(key) ?? { next: now };
    if (s.holder) return { busyMs: Math.max(0, s.next - now) };
    s.holder = `t${++this.n}`;
    this.slots.set(key, s);
    return {
      token: s.holder,
      waitMs: Math.max(0, s.next - now),
      ...(s.fastest === undefined ? {} : { fastestMs: s.fastest }),
    };
  }
  async endTurn(key: string, token: string, end: { nextInMs: number; rttMs?: number }) {
    const s = this.slots.get(key);
    if (!s) return;
    s.next = Math.max(s.next, this.clock.now() + end.nextInMs);
    if (end.rttMs !== undefined) s.fastest = Math.min(s.fastest ?? Infinity, end.rttMs);
    if (s.holder === token) delete s.holder;
  }
}

/** Records when each request starts and ends (virtual time); 30 ms per request. */
class TimedNotifier implements Notifier {
  readonly sends: { text: string; start: number; end: number }[] = [];
  constructor(private readonly clock: FakeClock) {}
  async send(m: OutboundMessage): Promise<SendResult> {
    const start = this.clock.elapsed;
    await this.clock.sleep(30);
    this.sends.push({ text: m.payload.text, start, end: this.clock.elapsed });
    return { ok: true };
  }
}

describe("shared pacing (DeliveryEngine sharedPace)", () => {
  it("two runs to one key: one request at a time, each at least one interval after the one before", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const pace = new MemoryPace(clock);
    const a = new TimedNotifier(clock);
    const b = new TimedNotifier(clock);
    const [ra, rb] = await Promise.all([
      new DeliveryEngine(clock, new MemoryLogger()).deliver(a, CAPS, pages(3, "a"), { sharedPace: pace }),
      new DeliveryEngine(clock, new MemoryLogger()).deliver(b, CAPS, pages(3, "b"), { sharedPace: pace }),
    ]);
    expect([...ra, ...rb].every((o) => o.ok)).toBe(true);
    const all = [...a.sends, ...b.sends].sort((x, y) => x.start - y.start);
    expect(all).toHaveLength(6);
    // Each run alone would send its pages 1 s apart, and the two would overlap.
    for (let i = 1; i < all.length; i++) {
      expect(all[i]!.start).toBeGreaterThanOrEqual(all[i - 1]!.end);
      expect(all[i]!.start - all[i - 1]!.start).toBeGreaterThanOrEqual(1000);
    }
    // The store sees a digest of the key, never the webhook URL.
    expect([...pace.keys]).toEqual([sharedPaceKey(DEST.key)]);
    expect([...pace.keys][0]).not.toContain("secret");
  });

  it("a store that fails: one warning, every message still delivered at the run's own pace", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const logger = new MemoryLogger();
    const broken: SharedPace = {
      takeTurn: async () => {
        throw new Error("state postgres://u:****@db/x: connection timeout");
      },
      endTurn: async () => {},
    };
    const n = new TimedNotifier(clock);
    const out = await new DeliveryEngine(clock, logger).deliver(n, CAPS, pages(3, "a"), { sharedPace: broken });
    expect(out.every((o) => o.ok)).toBe(true);
    // The run's own token bucket: 1 s apart (plus its margin for the round trip).
    const starts = n.sends.map((s) => s.start);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(1000);
    const warnings = logger.lines.filter((l) => l.level === "warn").map((l) => l.message);
    expect(warnings).toEqual([
      "shared pacing: state postgres://u:****@db/x: connection timeout; this run paces its own requests only (others may get a 429 and wait)",
    ]);
  });
});
