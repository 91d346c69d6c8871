/**
 * Pacing for one destination key. Slack allows about one message per second per channel and
 * per incoming webhook, with short bursts (slack-platform.md §3, §5); the notifier declares the
 * rate and burst, and a 429's Retry-After pauses the key.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private notBefore = 0;

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

  /** Slack said wait: nothing goes to this key for `ms`, and no burst right after. */
  pause(now: number, ms: number): void {
    this.notBefore = Math.max(this.notBefore, now + ms);
    // One send when the pause ends, then the steady rate: no burst right after a 429.
    this.tokens = 1;
    this.last = this.notBefore;
  }
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
