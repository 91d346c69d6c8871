/**
 * Making untrusted text (package names, titles, descriptions, traces: anyone can publish a
 * package) inert in Discord's markdown.
 *
 * - Discord honours a backslash before any markdown character, so `*_~`|[]()<>\` and a
 *   leading `#`, `-` or `>` (headings, lists, quotes) are escaped: no bold, no masked link
 *   `[docs](https://evil)`, no `<@id>`/`<#id>`/`<t:…>` mention syntax, no spoiler `||…||`.
 * - Pings are off for the whole message anyway (`allowed_mentions: {parse: []}`), so an
 *   `@everyone` in a package description notifies no one.
 * - Control characters, bidirectional overrides and line separators go (core's stripControl).
 */
import { isSafeUrl, stripControl, truncate } from "@socket-notify/core/render";

const SPECIAL = /[\\*_~`|[\]()<>]/g;

/** Untrusted text, escaped (newlines kept). */
export function escapeDiscord(text: string): string {
  return stripControl(text)
    .replace(SPECIAL, "\\$&")
    .replace(/(^|\n)([#>-])/g, "$1\\$2")
    .replace(/@(everyone|here)/g, "@\u200b$1");
}

/** Untrusted text on one line, capped before escaping (so the cut never splits an escape). */
export function inlineDiscord(text: string, max: number): string {
  return escapeDiscord(truncate(text.replace(/\s+/g, " ").trim(), max));
}

/** `[label](url)` when the URL is plain http(s); else the escaped label alone. */
export function linkDiscord(url: string | undefined, label: string): string {
  const l = escapeDiscord(label);
  if (!isSafeUrl(url)) return l;
  // Parentheses and spaces would end the link target early; encoded they are the same URL.
  return `[${l}](${url.replace(/\(/g, "%28").replace(/\)/g, "%29").replace(/ /g, "%20")})`;
}

/** A code block that untrusted text cannot close: backticks inside become ˋ (U+02CB). */
export function codeBlockDiscord(text: string, max: number): string {
  const body = truncate(stripControl(text).replace(/`/g, "\u02cb"), Math.max(1, max - 8));
  return "```\n" + body + "\n```";
}

/** Untrusted plain text (a URL for the embed's `url`): safe, or nothing. */
export function safeUrl(url: string | undefined): string | undefined {
  return isSafeUrl(url) && url.length <= 2048 ? url : undefined;
}
