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
 * - Control characters (C0 but tab and newline, DEL, C1 such as U+009B, the single-character
 *   CSI), carriage returns, the Unicode line and paragraph separators and bidirectional
 *   overrides (which can make text read backwards) are removed.
 * - A `>` that starts a line would make it a quote, and `:name:` an emoji: both are defused.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** Remove control, bidirectional-override and line-separator characters (see above); CRLF becomes LF. */
export function stripControl(text: string): string {
  // CRLF is a line break: keep it as one; a lone CR (which can overprint a line) goes.
  return text.replace(/\r\n/g, "\n").replace(CONTROL, "");
}

export function escapeMrkdwn(text: string): string {
  const escaped = stripControl(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    // A `>` at the start of a line quotes it (Slack reads `&gt;` there as `>`): a zero-width
    // space in front keeps the character and breaks the quote.
    .replace(/(^|\n)&gt;/g, "$1\u200b&gt;")
    // `:white_check_mark:` from untrusted text would render as an emoji (a ✅ next to a
    // package's name); the colon that opens a shortcode becomes ∶ (U+2236 ratio).
    .replace(/:(?=[\w+'-]+:)/g, "\u2236")
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
    if (high >= 0xd800 && high <= 0xdbff) return text.codePointAt(i - 2) as number;
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

// Characters refused anywhere in a URL: mrkdwn link syntax, controls, and invisible or combining code points.
const URL_REFUSED =
  /[|<>"\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb]/;

/**
 * Only plain http(s) URLs with nothing that could close or re-label a Slack link, or disguise
 * where it goes: no control characters (C0, DEL, C1), bidi controls (U+202E would show
 * `moc.live` as `evil.com`), zero-width or invisible characters, line separators.
 */
export function isSafeUrl(url: string | undefined): url is string {
  if (!url || url.length > 3000) return false;
  if (!/^https?:\/\/[^\s]+$/i.test(url)) return false;
  if (URL_REFUSED.test(url)) return false;
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

/**
 * A code block for a trace: backticks inside are swapped so the fence can't be closed early;
 * control characters, lone CRs and U+2028/U+2029 are removed (stripControl), newlines kept.
 */
export function codeBlock(text: string, max: number): string {
  const body = truncate(
    stripControl(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/`/g, "\u02cb"),
    max,
  );
  return "```\n" + body + "\n```";
}
