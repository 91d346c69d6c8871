/**
 * Pacing shared across processes (many CI jobs posting to one channel at once): each destination
 * key has one turn at a time, held in a store every process sees (the state store on
 * PostgreSQL). A turn is one request: take the turn, wait until the slot the previous holder
 * left, send, then say when the next request may leave, and give the turn back.
 *
 * The next slot counts from when this request ARRIVED, which a strict limiter measures and we
 * cannot see. It arrived after it left (`sentAt`) and before its answer began (`answeredAt`).
 * With the fastest round trip seen on this key by anyone (`fastestMs`, kept in the store), the
 * server's time and the way back are at least that fast, so it arrived no later than
 * `sentAt + (its round trip - fastestMs)` plus the fastest way there (about 0 on one network):
 * the next request leaves one interval after that, plus a margin for timers (TokenBucket's).
 * Before a fastest round trip is known, the next one counts from `answeredAt` (always safe).
 * Times go to the store as "in N ms from now", so hosts whose clocks disagree still agree on
 * the order (the store measures on its own clock).
 */
import { pacingMargin } from "./token-bucket.js";

/** The store side: the state store implements it (`takeTurn`/`endTurn`). */
export interface SharedPace {
  /**
   * Takes `key`'s turn if nobody holds it (a holder that died loses it after `leaseMs`).
   * `waitMs`: how long until the slot the previous holder left; `busyMs`: the turn is held, ask
   * again in about that long.
   */
  takeTurn(
    key: string,
    leaseMs: number,
  ): Promise<{ token: string; waitMs: number; fastestMs?: number } | { busyMs: number }>;
  /** Gives the turn back: the next request may leave `nextInMs` from now; `rttMs` this one's round trip. */
  endTurn(key: string, token: string, end: { nextInMs: number; rttMs?: number }): Promise<void>;
}

/** A turn held by this process: `end` (or `abandon`) it once. */
export interface HeldTurn {
  /** The request went out at `sentAt` and its answer began at `answeredAt` (none: no answer); `pauseMs`: a 429's wait. */
  end(result: { sentAt: number; answeredAt?: number; pauseMs?: number }): Promise<void>;
  /** Nothing was sent: the slot stays where it was. */
  abandon(): Promise<void>;
}

/** The store sees a digest of the key: a webhook's key holds its secret URL. */
export function sharedPaceKey(key: string): string {
  // node:crypto (with node:stream under it) costs every start ~4 ms; only a shared pace needs it.
  const { createHash } = process.getBuiltinModule("node:crypto");
  return `pace:${createHash("sha256").update(key).digest("hex").slice(0, 32)}`;
}

const POLL_MIN_MS = 20;
const POLL_MAX_MS = 250;

class StoreFailed extends Error {
  override name = "StoreFailed";
}

/**
 * The engine's side for one run. `hold` waits for a key's turn and its slot; `sleep` rejects
 * when the run stops (then no turn is held). A store that fails (the database went away) is
 * reported once and the run goes on with each process's own pacing: a 429 then costs a wait,
 * while giving up would lose the message.
 */
export function sharedTurns(
  pace: SharedPace,
  ratePerSecond: number,
  requestTimeoutMs: number,
  now: () => number,
  warn: (message: string) => void,
): { hold(destinationKey: string, sleep: (ms: number) => Promise<void>): Promise<HeldTurn | undefined> } {
  const intervalMs = 1000 / ratePerSecond;
  let broken = false;
  const store = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw new StoreFailed((e as Error)?.message ?? String(e));
    }
  };
  const failed = (e: unknown): undefined => {
    if (!(e instanceof StoreFailed)) throw e;
    if (!broken)
      warn(`shared pacing: ${e.message}; this run paces its own requests only (others may get a 429 and wait)`);
    broken = true;
    return undefined;
  };
  return {
    async hold(destinationKey, sleep) {
      if (broken) return undefined;
      const key = sharedPaceKey(destinationKey);
      try {
        for (;;) {
          // A holder keeps the turn for its slot and one request; one that died frees it then.
          const r = await store(() => pace.takeTurn(key, intervalMs + requestTimeoutMs + 1000));
          if ("busyMs" in r) {
            await sleep(Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, r.busyMs)));
            continue;
          }
          const give = (nextInMs: number, rttMs?: number) =>
            store(() => pace.endTurn(key, r.token, { nextInMs, ...(rttMs === undefined ? {} : { rttMs }) })).catch(
              failed,
            );
          let ended = false;
          const turn: HeldTurn = {
            async end({ sentAt, answeredAt, pauseMs }) {
              if (ended) return;
              ended = true;
              const at = now();
              const rtt = answeredAt === undefined ? undefined : Math.max(0, answeredAt - sentAt);
              const fastest = Math.min(rtt ?? Infinity, r.fastestMs ?? Infinity);
              // No answer: it may have arrived at any moment until now.
              const arrivedBy =
                answeredAt === undefined || rtt === undefined
                  ? at
                  : r.fastestMs === undefined
                    ? answeredAt + 2
                    : sentAt + Math.max(0, rtt - r.fastestMs) + pacingMargin(fastest, ratePerSecond);
              const next = Math.max(arrivedBy + intervalMs, at + (pauseMs ?? 0));
              await give(Math.max(0, Math.ceil(next - at)), rtt);
            },
            async abandon() {
              if (ended) return;
              ended = true;
              await give(0);
            },
          };
          try {
            if (r.waitMs > 0) await sleep(r.waitMs);
          } catch (e) {
            await turn.abandon();
            throw e;
          }
          return turn;
        }
      } catch (e) {
        return failed(e);
      }
    },
  };
}
