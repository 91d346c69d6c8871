/**
 * A message re-sent from an outbox (`socket-notify retry FILE`) whose entry has no Discord body
 * to send (written before outboxes kept one, or not signed: see stored.ts) comes back as its
 * cleaned Block Kit payload, without the alerts. This turns that payload into a Discord body so
 * the retry says what the first try would have said.
 *
 * Core's mrkdwn is already inert: untrusted `*`, `~`, `` ` `` and word-edge `_` were swapped
 * for look-alikes and `&`, `<`, `>` entity-escaped, so every remaining `*`, `_`, `` ` `` and
 * `<url|label>` is core's own formatting. The characters Discord reads but Slack does not
 * (`[ ] ( ) | \` and a leading `#`, `-`, `>`) are escaped here.
 */
import { type Block, type SlackMessage } from "@socket-notify/core";
import { truncate } from "@socket-notify/core/render";
import { escapeDiscord } from "./markdown.js";
import { DISCORD_LIMITS, type DiscordEmbed, type DiscordWebhookBody } from "./render.js";

const TOKEN = /<([^|>\s]+)\|([^>]*)>|```[\s\S]*?```|`[^`\n]*`/g;

/** One mrkdwn text as Discord markdown. */
export function mrkdwnToDiscord(text: string): string {
  let out = "";
  let from = 0;
  for (const m of text.matchAll(TOKEN)) {
    out += plain(text.slice(from, m.index));
    if (m[1] !== undefined) {
      const url = unescapeEntities(m[1]).replace(/\(/g, "%28").replace(/\)/g, "%29");
      out += /^https?:\/\//i.test(url) ? `[${plain(m[2]!)}](${url})` : plain(m[2]!);
    } else out += unescapeEntities(m[0]);
    from = m.index + m[0].length;
  }
  return out + plain(text.slice(from));
}

function unescapeEntities(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Text outside links and code: Discord-only markdown escaped, Slack's `*bold*` as `**bold**`. */
function plain(s: string): string {
  return unescapeEntities(s)
    .replace(/[\\[\]()|<>]/g, "\\$&")
    .replace(/(^|\n)([#-])/g, "$1\\$2")
    .replace(/\*([^*\n]+)\*/g, "**$1**")
    .replace(/@(everyone|here)/g, "@\u200b$1");
}

function blockText(b: Block): string {
  if (b.type === "section" || b.type === "header") return b.text.text;
  if (b.type === "context") return b.elements.map((e) => e.text).join(" ");
  return "";
}

/** The stored payload as content (its header) and embeds (its sections), within Discord's limits. */
export function bodyFromBlocks(payload: SlackMessage, username?: string): DiscordWebhookBody {
  const header = payload.blocks.find((b) => b.type === "header");
  const heading = header ? blockText(header) : payload.text;
  const parts = payload.blocks
    .filter((b) => b.type !== "header" && b.type !== "divider")
    .map((b) => mrkdwnToDiscord(blockText(b)))
    .filter(Boolean);
  const embeds: DiscordEmbed[] = [];
  let total = 0;
  let cut = false;
  for (const p of parts) {
    const room = Math.min(DISCORD_LIMITS.description, DISCORD_LIMITS.totalEmbedChars - total - 100);
    if (room < 40 || embeds.length >= DISCORD_LIMITS.embeds - 1) {
      cut = true;
      break;
    }
    const last = embeds[embeds.length - 1];
    if (last?.description && last.description.length + 1 + p.length <= room) {
      total += p.length + 1;
      last.description += `\n${p}`;
      continue;
    }
    const d = p.length <= room ? p : truncate(p, room);
    if (d !== p) cut = true;
    embeds.push({ description: d });
    total += d.length;
  }
  if (cut) embeds.push({ description: "_Cut to fit Discord's limits: the Socket report has everything._" });
  return {
    // The header is plain text (not mrkdwn): escaped as any untrusted text.
    content: `**${escapeDiscord(truncate(heading.replace(/\s+/g, " "), 1800))}**`,
    embeds: embeds.length ? embeds : [{ description: plain(truncate(payload.text, 2000)) || "\u2026" }],
    allowed_mentions: { parse: [] },
    ...(username ? { username } : {}),
  };
}
