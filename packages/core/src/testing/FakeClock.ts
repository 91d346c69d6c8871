import { type Clock } from "../clock.js";

export interface FakeClockOptions {
  /** Virtual start time, ms since the epoch. @default 1_700_000_000_000 */
  now?: number;
  /**
   * Auto-advance: whenever the process has nothing else to do, virtual time jumps to the
   * earliest pending sleep and ends it. Sleeps then resolve at once in wall time, in the
   * order and at the virtual times they would have, and `sleeps` records what was waited.
   *
   * - `true`: jump to any pending sleep (all work is in-process, e.g. an in-test notifier).
   * - a number: jump only when the earliest sleep ends at most this many ms from now; longer
   *   ones (a run's time budget) wait for `advance()`. Use this when real I/O (a loopback
   *   server) is in flight, so the clock does not race past a request that is still running.
   * - `false` (default): time moves only with `advance()` / `advanceTo()` / `runAll()`.
   */
  autoAdvance?: boolean | number;
  /**
   * Event-loop turns with no new sleep before the clock counts the process as idle in
   * auto-advance mode. Raise it if in-test code awaits several macrotasks between sleeps.
   * @default 3
   */
  idleTurns?: number;
}

/** One requested sleep: when it was asked for (virtual), for how long, and how it ended. */
export interface SleepRecord {
  at: number;
  ms: number;
  /** `pending` until it ends; `aborted` when its signal fired first. */
  state: "pending" | "done" | "aborted";
}

interface Timer {
  due: number;
  seq: number;
  record: SleepRecord;
  resolve: () => void;
  cleanup: () => void;
}

const turn = () => new Promise<void>((r) => setImmediate(r));

/**
 * A `Clock` whose time moves only when the test says so (or, in auto-advance mode, when the
 * process is idle). Every sleep is recorded, so a test can assert "the engine waited 30 s for
 * Retry-After" without waiting at all.
 *
 * @example
 * const clock = new FakeClock({ autoAdvance: true });
 * await engine.run(scan);              // pacing and back-off happen in virtual time
 * expect(clock.elapsed).toBe(3000);
 */
export class FakeClock implements Clock {
  readonly start: number;
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  private readonly auto: number;
  private readonly idleTurns: number;
  private pumping = false;
  private activity = 0;
  /** Every sleep asked for, in the order asked. */
  readonly sleeps: SleepRecord[] = [];

  constructor(options: FakeClockOptions = {}) {
    this.start = this.t = options.now ?? 1_700_000_000_000;
    const a = options.autoAdvance ?? false;
    this.auto = a === true ? Infinity : a === false ? 0 : Math.max(0, a);
    this.idleTurns = Math.max(1, options.idleTurns ?? 3);
  }

  now(): number {
    return this.t;
  }

  /** Virtual ms since the clock was created. */
  get elapsed(): number {
    return this.t - this.start;
  }

  /** Sleeps not yet ended. */
  get pending(): number {
    return this.timers.length;
  }

  /** Durations of the sleeps that ran to their end (not aborted), in the order asked. */
  get completedSleeps(): number[] {
    return this.sleeps.filter((s) => s.state === "done").map((s) => s.ms);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const record: SleepRecord = { at: this.t, ms, state: "pending" };
    this.sleeps.push(record);
    this.activity++;
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        record.state = "aborted";
        return reject(signal.reason);
      }
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        record.state = "aborted";
        reject(signal!.reason);
      };
      const timer: Timer = {
        due: this.t + Math.max(0, ms),
        seq: this.seq++,
        record,
        resolve,
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.timers.push(timer);
      this.timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
      if (ms <= 0) this.fireDue();
      this.pump();
    });
  }

  /**
   * Move virtual time forward by `ms`, ending the sleeps that fall due in order and letting the
   * code they wake run (and sleep again) before time moves on.
   */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.t + ms);
  }

  async advanceTo(time: number): Promise<void> {
    await turn();
    for (;;) {
      const next = this.timers[0];
      if (!next || next.due > time) break;
      if (next.due > this.t) this.t = next.due;
      this.fireDue();
      for (let i = 0; i < this.idleTurns; i++) await turn();
    }
    if (time > this.t) this.t = time;
  }

  /** Run until no sleep is pending (at most `limit` virtual ms ahead); returns the virtual time. */
  async runAll(limit = 24 * 3600_000): Promise<number> {
    await this.advanceTo(this.t + limit);
    return this.t;
  }

  private fireDue(): void {
    while (this.timers.length && this.timers[0]!.due <= this.t) {
      const timer = this.timers.shift()!;
      timer.cleanup();
      timer.record.state = "done";
      timer.resolve();
    }
  }

  /** In auto-advance mode: once the process is idle, jump to the earliest sleep if allowed. */
  private pump(): void {
    if (this.auto <= 0 || this.pumping) return;
    this.pumping = true;
    void (async () => {
      try {
        for (;;) {
          // Idle = a few event-loop turns in which nobody asked for a new sleep.
          let seen = this.activity;
          for (let i = 0; i < this.idleTurns; i++) {
            await turn();
            if (this.activity !== seen) {
              seen = this.activity;
              i = -1;
            }
          }
          const next = this.timers[0];
          if (!next || next.due - this.t > this.auto) return;
          if (next.due > this.t) this.t = next.due;
          this.fireDue();
        }
      } finally {
        this.pumping = false;
      }
    })();
  }
}
