/**
 * Pacing for one destination key. Slack allows about one message per second per channel and
 * per incoming webhook, with short bursts (slack-platform.md §3, §5); the notifier declares the
 * rate and burst, and a 429's Retry-After pauses the key.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private notBefore = 0;
  /** A request of this key has completed (see `observe`). */
  observed = false;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  private refill(now: number): void {
    if (now <= this.last) return; // paused into the future, or the clock did not move
    const elapsed = now - this.last;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
    this.last = now;
  }

  /** Milliseconds until a send may start; 0 when one may start now. */
  delay(now: number): number {
    this.refill(now);
    if (now < this.notBefore) return this.notBefore - now;
    if (this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
  }

  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }

  /**
   * A request that took its token at `takenAt` left at `sentAt` (its headers written to the
   * socket: after a semaphore wait, the connection's setup, a cold start) and got its answer
   * at `end` (its response headers). Slack counts a message when it arrives, not when we take a token: a request that
   * left late, or whose way there was slower than usual, arrives later, and the next one,
   * leaving on time, would arrive less than 1/rate after it and get a 429 from a strict
   * limiter. So the refill is pushed back by how late it left, plus how much longer its round
   * trip was than the run's fastest (`fastestMs`: with the server's time and the way back about
   * constant, the excess is on the way there), plus a margin for jitter (`pacingMargin`).
   * A request that leaves at once and is as fast as the fastest pushes back only by the
   * margin: the steady state stays at the declared rate.
   *
   * `first`: the key's first request (a cold process, new connections, everyone's first request
   * at once: a fastest round trip measured then says little about when it arrived; seen: 60–120
   * ms from the headers' write to an in-process server reading them, under 10 ms later on). Its
   * arrival is only known to be before its answer, so the refill counts from `end`, the moment
   * the answer began to arrive (wire-time.ts), not when we had handled it. That bound holds
   * whatever the network and the server did, so no jitter margin is needed on top: only 2 ms
   * for converting between clocks and for timers that fire a little early.
   */
  observe(takenAt: number, sentAt: number, end: number, fastestMs: number, first = false): void {
    this.observed = true;
    const lagMs = first
      ? Math.max(0, end - takenAt) + Math.min(2, pacingMargin(fastestMs, this.ratePerSecond))
      : Math.max(0, sentAt - takenAt) +
        Math.max(0, end - sentAt - fastestMs) +
        pacingMargin(fastestMs, this.ratePerSecond);
    if (lagMs <= 0) return;
    this.refill(end);
    this.tokens -= (lagMs * this.ratePerSecond) / 1000;
  }

  /** Slack said wait: nothing goes to this key for `ms`, and no burst right after. */
  pause(now: number, ms: number): void {
    this.notBefore = Math.max(this.notBefore, now + ms);
    // One send when the pause ends, then the steady rate: no burst right after a 429.
    this.tokens = 1;
    this.last = this.notBefore;
  }
}

/**
 * Jitter allowance on top of the measured lag: 10 % of the fastest round trip, at least 2 ms
 * and at most 2 % of the interval (20 ms at 1/s, so pacing costs at most 2 % of throughput).
 * Requests that take no time (a fake clock) have no jitter to allow for.
 */
export function pacingMargin(fastestMs: number, ratePerSecond: number): number {
  if (!(fastestMs > 0)) return 0;
  return Math.min(20 / ratePerSecond, Math.max(2, fastestMs * 0.1));
}

/** A counting semaphore: the global cap on requests in flight. */
export class Semaphore {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
