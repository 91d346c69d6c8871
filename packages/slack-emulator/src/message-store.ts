/**
 * Posted messages by channel and ts, so `thread_ts` and chat.update can be checked, and the
 * ts generator. Slack message timestamps are "<unix seconds>.<6 digits>", unique per
 * channel and increasing; here they are unique across the whole emulator.
 */

export interface StoredMessage {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs?: string;
  /** Author's user ID; undefined for webhook posts (no token user can edit them). */
  readonly userId?: string;
  text?: string;
  blocks?: unknown;
}

export class MessageStore {
  private readonly byChannel = new Map<string, Map<string, StoredMessage>>();
  private lastMicros = 0;

  /** A new ts, microseconds since the epoch, one higher than the last if the clock has not moved. */
  nextTs(): string {
    this.lastMicros = Math.max(Date.now() * 1000, this.lastMicros + 1);
    const seconds = Math.floor(this.lastMicros / 1_000_000);
    const micros = this.lastMicros % 1_000_000;
    return `${seconds}.${String(micros).padStart(6, "0")}`;
  }

  add(message: StoredMessage): void {
    let channel = this.byChannel.get(message.channel);
    if (channel === undefined) {
      channel = new Map();
      this.byChannel.set(message.channel, channel);
    }
    channel.set(message.ts, message);
  }

  get(channel: string, ts: string): StoredMessage | undefined {
    return this.byChannel.get(channel)?.get(ts);
  }

  /** Deletes a message (a response_url's delete_original); true if it was there. */
  remove(channel: string, ts: string): boolean {
    return this.byChannel.get(channel)?.delete(ts) ?? false;
  }

  /** Forgets messages; ts values keep increasing so none is ever reused. */
  clear(): void {
    this.byChannel.clear();
  }
}
