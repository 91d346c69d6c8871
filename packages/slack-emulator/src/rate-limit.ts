/**
 * Token buckets shaped like Slack's message limits: "1 message per second per channel with
 * generous short bursts" (chat.postMessage page), the same for each incoming webhook
 * (rate-limits page), and a workspace-wide cap of "several hundred messages per minute".
 * A refused request never takes a token, so a client that waits Retry-After gets through.
 */

export interface RateLimitOptions {
  /** Tokens added per second. */
  readonly perSecond: number;
  /** Bucket capacity: how many requests may arrive at once. */
  readonly burst: number;
  /**
   * When a request counts: `handling` (default) when the emulator handles it (after its body
   * is read and any latency fault), `arrival` when its headers arrive, which is what a limiter
   * in front of Slack sees. `arrival` with burst 1 is the strict mode (`STRICT_RATE_LIMIT`):
   * two requests arriving less than 1/perSecond apart get a 429 even if the client started
   * them 1 s apart.
   */
  readonly at?: "handling" | "arrival";
}

export interface WorkspaceRateLimitOptions {
  readonly perMinute: number;
}

/** Slack: about 1 message per second per channel, short bursts allowed. */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perSecond: 1, burst: 3 };
/**
 * The strictest reading of Slack's limit, for testing pacing: 1 message/s per channel and per
 * webhook, no burst, measured at arrival. `rateLimit: "strict"` in the emulator options.
 */
export const STRICT_RATE_LIMIT: RateLimitOptions = { perSecond: 1, burst: 1, at: "arrival" };
/** Slack: "several hundred messages per minute" per workspace. */
export const DEFAULT_WORKSPACE_RATE_LIMIT: WorkspaceRateLimitOptions = { perMinute: 600 };

export type Clock = () => number;

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly capacity: number,
    private readonly perMs: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.updatedAt = now;
  }

  private refill(now: number): void {
    // Arrival times reach the bucket out of order (a later arrival can be handled first, e.g.
    // behind a slower body): time never runs backwards for the bucket.
    if (now <= this.updatedAt) return;
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.updatedAt) * this.perMs);
    this.updatedAt = now;
  }

  /** Milliseconds until one token is available; 0 if one is available now. */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : (1 - this.tokens) / this.perMs;
  }

  take(now: number): void {
    this.refill(now);
    this.tokens = Math.max(0, this.tokens - 1);
  }
}

export interface LimitKeys {
  /** Per-channel or per-hook bucket key, e.g. `channel:C123` or `hook:ops`. */
  readonly bucket: string;
  /** Whether the request counts towards the workspace-wide cap (posted messages do). */
  readonly workspace: boolean;
}

function checkPositive(value: number, what: string): void {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${what} must be a positive number (got ${value})`);
}

export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private workspaceBucket: TokenBucket | undefined;
  /** Set by `arrivedAt` while the request that arrived then is handled (`at: "arrival"`). */
  private arrival: number | undefined;

  constructor(
    private readonly perKey: RateLimitOptions | false,
    private readonly perWorkspace: WorkspaceRateLimitOptions | false,
    private readonly clock: Clock = () => performance.now(),
  ) {
    if (perKey !== false) {
      checkPositive(perKey.perSecond, "rateLimit.perSecond");
      // A bucket smaller than one token would refuse everything.
      if (!Number.isFinite(perKey.burst) || perKey.burst < 1) {
        throw new RangeError(`rateLimit.burst must be at least 1 (got ${perKey.burst})`);
      }
    }
    if (perWorkspace !== false) checkPositive(perWorkspace.perMinute, "workspaceRateLimit.perMinute");
  }

  private bucketFor(key: string, now: number): TokenBucket | undefined {
    if (this.perKey === false) return undefined;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.perKey.burst, this.perKey.perSecond / 1000, now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private workspaceFor(now: number): TokenBucket | undefined {
    if (this.perWorkspace === false) return undefined;
    // Capacity = one minute's allowance, refilled evenly over the minute.
    this.workspaceBucket ??= new TokenBucket(this.perWorkspace.perMinute, this.perWorkspace.perMinute / 60_000, now);
    return this.workspaceBucket;
  }

  /**
   * Runs `handle` (synchronously: nothing else is handled meanwhile) with the limiter's clock
   * reading `time` when it measures at arrival.
   */
  arrivedAt<T>(time: number, handle: () => T): T {
    if (this.perKey === false || this.perKey.at !== "arrival") return handle();
    this.arrival = time;
    try {
      return handle();
    } finally {
      this.arrival = undefined;
    }
  }

  private now(): number {
    return this.arrival ?? this.clock();
  }

  /**
   * Whole seconds to wait (at least 1, as Retry-After is an integer) when a bucket is empty;
   * 0 when the request may go ahead. Does not take a token.
   */
  check(keys: LimitKeys): number {
    const now = this.now();
    const buckets = [this.bucketFor(keys.bucket, now), keys.workspace ? this.workspaceFor(now) : undefined];
    const waitMs = Math.max(0, ...buckets.map((b) => b?.waitMs(now) ?? 0));
    return waitMs === 0 ? 0 : Math.max(1, Math.ceil(waitMs / 1000));
  }

  /** Takes a token for an accepted request. */
  consume(keys: LimitKeys): void {
    const now = this.now();
    this.bucketFor(keys.bucket, now)?.take(now);
    if (keys.workspace) this.workspaceFor(now)?.take(now);
  }

  reset(): void {
    this.buckets.clear();
    this.workspaceBucket = undefined;
  }
}
