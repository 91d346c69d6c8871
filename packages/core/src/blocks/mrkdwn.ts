/**
 * Making untrusted text (package names, titles, descriptions, repo and branch names — anyone
 * can publish a package or open a pull request) inert in Slack mrkdwn.
 *
 * - `&`, `<`, `>` are Slack's only control characters; escaping them neutralises every
 *   `<…>` sequence: `<!channel>`, `<@U…>`, `<#C…>`, disguised links (slack-platform.md §2).
 * - mrkdwn objects we build carry `verbatim: true`, so plain-form `@here`/`#chan`/URLs are
 *   not auto-parsed either.
 * - Slack defines no escape for `*`, `_`, `~`, `` ` ``; we swap them for look-alike code points
 *   where they could open or close formatting, so untrusted text can't unbalance ours.
 * - Control characters (NUL, …) and bidirectional overrides (which can make text read
 *   backwards) are removed.
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function stripControl(text: string): string {
  return text.replace(CONTROL, "");
}

export function escapeMrkdwn(text: string): string {
  const escaped = stripControl(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\*/g, "\u2217") // ∗ asterisk operator
    .replace(/~/g, "\u223c") // ∼ tilde operator
    .replace(/`/g, "\u02cb"); // ˋ modifier letter grave
  return escaped.includes("_") ? escapeUnderscores(escaped) : escaped;
}

/**
 * `_` only formats at a word edge, so it is swapped (＿, fullwidth low line) only there: when the
 * character before or after it is not a letter or digit, or is the start or end of the text.
 * Inside names like direct_package_3 it is kept as is.
 */
function escapeUnderscores(text: string): string {
  let out = "";
  let from = 0;
  for (let i = text.indexOf("_"); i !== -1; i = text.indexOf("_", i + 1)) {
    const before = i === 0 ? -1 : codePointBefore(text, i);
    const after = i + 1 < text.length ? (text.codePointAt(i + 1) as number) : -1;
    if (isLetterOrDigit(before) && isLetterOrDigit(after)) continue;
    out += text.slice(from, i) + "\uff3f";
    from = i + 1;
  }
  return out + text.slice(from);
}

function codePointBefore(text: string, i: number): number {
  const low = text.charCodeAt(i - 1);
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) {
    const high = text.charCodeAt(i - 2);
    if (high >= 0xd800 && high <= 0xdbff) return (text.codePointAt(i - 2) as number);
  }
  return low;
}

// Built on first use: compiling \p{…} classes takes milliseconds, a large part of a dry run's
// start-up (bench figure 5), and ASCII text, by far the most common, never needs it.
let letterOrDigit: RegExp | undefined;

function isLetterOrDigit(cp: number): boolean {
  if (cp < 0) return false;
  if (cp < 0x80) return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  letterOrDigit ??= /^[\p{L}\p{N}]$/u;
  return letterOrDigit.test(String.fromCodePoint(cp));
}

/** Untrusted text on one line (newlines would break our layout), escaped and capped. */
export function inline(text: string, max = 200): string {
  return escapeMrkdwn(truncate(text.replace(/\s+/g, " ").trim(), max));
}

/** Cut to at most `max` characters, ending in `…` when cut. Never splits a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - 1);
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}

/** Only plain http(s) URLs with nothing that could close or re-label a Slack link. */
export function isSafeUrl(url: string | undefined): url is string {
  if (!url || url.length > 3000) return false;
  if (!/^https?:\/\/[^\s]+$/i.test(url)) return false;
  if (/[|<>\u0000-\u001f\u007f"]/.test(url)) return false;
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

/** `<url|label>` when the URL is safe; otherwise just the (escaped) label. Label is escaped here. */
export function link(url: string | undefined, label: string): string {
  const l = escapeMrkdwn(label);
  return isSafeUrl(url) ? `<${url.replace(/&/g, "&amp;")}|${l}>` : l;
}

/** A code block for a trace: backticks inside are swapped so the fence can't be closed early. */
export function codeBlock(text: string, max: number): string {
  const body = truncate(stripControl(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/`/g, "\u02cb"), max);
  return "```\n" + body + "\n```";
}
