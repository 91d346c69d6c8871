/** The subset of Slack Block Kit we emit. */
export interface TextObject {
  type: "mrkdwn" | "plain_text";
  text: string;
  verbatim?: boolean;
  emoji?: boolean;
}
/** The Block Kit blocks socket-notify's messages use. */
export type Block =
  | { type: "header"; text: TextObject }
  | { type: "section"; text: TextObject }
  | { type: "context"; elements: TextObject[] }
  | { type: "divider" }
  /** Buttons and menus (interactive alerts, see BuildOptions.actions); its text is not counted. */
  | { type: "actions"; block_id?: string; elements: Record<string, unknown>[] };

/** A chat.postMessage / incoming-webhook body. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
  unfurl_links: false;
  unfurl_media: false;
}

/** Slack's limits (slack-platform.md §1); a notifier may declare tighter ones. */
export interface MessageLimits {
  /** Blocks per message: 50. */
  maxBlocks: number;
  /** Characters in one text object: 3,000. */
  maxSectionChars: number;
  /** Characters of all block text in one message; Slack answers msg_blocks_too_long above ~12,000. */
  maxMessageChars: number;
  /** Top-level `text` fallback; we keep it to 3,000 (Slack truncates at 40,000, notifications show far less). */
  maxFallbackChars: number;
  /** Header block text: 150. */
  maxHeaderChars: number;
}

/** Slack's message limits (blocks, section, message, fallback and header characters): what a notifier's capabilities default to. */
export const SLACK_LIMITS: MessageLimits = {
  maxBlocks: 50,
  maxSectionChars: 3000,
  maxMessageChars: 12000,
  maxFallbackChars: 3000,
  maxHeaderChars: 150,
};

export function blockText(b: Block): number {
  switch (b.type) {
    case "header":
    case "section":
      return b.text.text.length;
    case "context":
      return b.elements.reduce((n, e) => n + e.text.length, 0);
    default:
      return 0;
  }
}

export function messageText(blocks: readonly Block[]): number {
  let n = 0;
  for (const b of blocks) n += blockText(b);
  return n;
}
