import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limit.js";

function fakeClock() {
  let now = 0;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

const channel = { bucket: "channel:C1", workspace: true };

describe("RateLimiter", () => {
  it("allows a burst, then asks for at least 1 whole second", () => {
    const t = fakeClock();
    const limiter = new RateLimiter({ perSecond: 1, burst: 2 }, false, t.clock);
    for (let i = 0; i < 2; i++) {
      expect(limiter.check(channel)).toBe(0);
      limiter.consume(channel);
    }
    expect(limiter.check(channel)).toBe(1);
    t.advance(999);
    expect(limiter.check(channel)).toBe(1);
    t.advance(1);
    expect(limiter.check(channel)).toBe(0);
  });

  it("rounds Retry-After up to whole seconds", () => {
    const t = fakeClock();
    const limiter = new RateLimiter({ perSecond: 0.25, burst: 1 }, false, t.clock);
    limiter.consume(channel);
    expect(limiter.check(channel)).toBe(4);
    t.advance(500);
    expect(limiter.check(channel)).toBe(4);
    t.advance(1000);
    expect(limiter.check(channel)).toBe(3);
  });

  it("does not take a token for a refused request", () => {
    const t = fakeClock();
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, false, t.clock);
    limiter.consume(channel);
    for (let i = 0; i < 5; i++) expect(limiter.check(channel)).toBe(1);
    t.advance(1000);
    expect(limiter.check(channel)).toBe(0);
  });

  it("keeps separate buckets per key", () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, false, fakeClock().clock);
    limiter.consume(channel);
    expect(limiter.check(channel)).toBe(1);
    expect(limiter.check({ bucket: "hook:ops", workspace: true })).toBe(0);
  });

  it("caps the workspace per minute across keys", () => {
    const t = fakeClock();
    const limiter = new RateLimiter(false, { perMinute: 3 }, t.clock);
    for (const bucket of ["a", "b", "c"]) limiter.consume({ bucket, workspace: true });
    expect(limiter.check({ bucket: "d", workspace: true })).toBe(20);
    expect(limiter.check({ bucket: "d", workspace: false })).toBe(0);
    t.advance(20_000);
    expect(limiter.check({ bucket: "d", workspace: true })).toBe(0);
  });

  it("forgets everything on reset, and can be turned off", () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, false, fakeClock().clock);
    limiter.consume(channel);
    limiter.reset();
    expect(limiter.check(channel)).toBe(0);
    const off = new RateLimiter(false, false);
    for (let i = 0; i < 100; i++) off.consume(channel);
    expect(off.check(channel)).toBe(0);
  });

  it("refuses nonsense options", () => {
    expect(() => new RateLimiter({ perSecond: 0, burst: 1 }, false)).toThrow(/rateLimit.perSecond/);
    expect(() => new RateLimiter({ perSecond: 1, burst: 0.5 }, false)).toThrow(/rateLimit.burst/);
    expect(() => new RateLimiter(false, { perMinute: -1 })).toThrow(/workspaceRateLimit.perMinute/);
  });
});
