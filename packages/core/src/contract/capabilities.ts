import { type MessageLimits } from "../blocks/types.js";

/**
 * What a notifier tells core about its destination so core can paginate and schedule for it.
 * A notifier only renders and delivers; filtering, pagination, pacing and retries are core's.
 */
export interface NotifierCapabilities extends MessageLimits {
  /** Sustained messages per second per destination key (Slack: ~1 per channel / per webhook). */
  ratePerSecond: number;
  /** Messages that may go back to back before pacing applies. */
  burst: number;
  /** Continuation pages can be sent as thread replies to the first message. */
  threads: boolean;
  /** Sent messages can be updated later (chat.update). */
  update: boolean;
}
