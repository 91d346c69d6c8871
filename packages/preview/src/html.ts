/**
 * Block Kit and mrkdwn as HTML, the way Slack shows them. Every string that reaches the page
 * goes through `escapeHtml` (text and attribute values alike), links only point at http(s)
 * or mailto URLs (`safeHref`), and nothing here emits `style` attributes, event handlers,
 * images or anything else that could run code or fetch: what the report says stays text.
 */
import { type Chunk, type Inline, parseMrkdwn, safeHref } from "./mrkdwn.js";

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

function inlineHtml(nodes: readonly Inline[]): string {
  let out = "";
  for (const n of nodes) {
    switch (n.t) {
      case "text":
        out += escapeHtml(n.v);
        break;
      case "bold":
        out += `<b>${inlineHtml(n.c)}</b>`;
        break;
      case "italic":
        out += `<i>${inlineHtml(n.c)}</i>`;
        break;
      case "strike":
        out += `<s>${inlineHtml(n.c)}</s>`;
        break;
      case "code":
        out += `<code>${escapeHtml(n.v)}</code>`;
        break;
      case "mention":
        out += `<span class="mention">${escapeHtml(n.v)}</span>`;
        break;
      case "link": {
        const href = safeHref(n.href);
        out += href
          ? `<a href="${escapeHtml(href)}" rel="noopener noreferrer nofollow" target="_blank">${inlineHtml(n.c)}</a>`
          : `<span class="unsafe-link" title="not a web link: not clickable">${inlineHtml(n.c)}</span>`;
        break;
      }
    }
  }
  return out;
}

function chunksHtml(chunks: readonly Chunk[]): string {
  return chunks
    .map((c) => {
      if (c.t === "pre") return `<pre>${escapeHtml(c.v)}</pre>`;
      // Runs of quoted and plain lines; a run of `>` lines is one quote, as in Slack.
      let html = "";
      for (let i = 0; i < c.lines.length; ) {
        const quote = c.lines[i]!.quote;
        const run: string[] = [];
        while (i < c.lines.length && c.lines[i]!.quote === quote) run.push(inlineHtml(c.lines[i++]!.c));
        html += quote ? `<blockquote>${run.join("<br>")}</blockquote>` : `<span>${run.join("<br>")}</span>`;
      }
      return `<div class="mrkdwn">${html}</div>`;
    })
    .join("");
}

/** mrkdwn text as HTML. */
export function mrkdwnHtml(text: string): string {
  return chunksHtml(parseMrkdwn(text));
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** A text object: mrkdwn is rendered, plain_text is shown as written. */
function textObjectHtml(t: unknown): string {
  if (!isObj(t)) return "";
  const text = str(t.text);
  return t.type === "mrkdwn" ? mrkdwnHtml(text) : `<div class="plain">${escapeHtml(text).replace(/\n/g, "<br>")}</div>`;
}

/** A button (or another interactive element, shown by its label): never a form, never a script. */
function elementHtml(e: unknown): string {
  if (!isObj(e)) return "";
  if (e.type === "button") {
    const label = escapeHtml(str(isObj(e.text) ? e.text.text : ""));
    const style = e.style === "primary" || e.style === "danger" ? ` ${e.style}` : "";
    const href = typeof e.url === "string" ? safeHref(e.url) : undefined;
    const action = typeof e.action_id === "string" ? ` title="action ${escapeHtml(e.action_id)}"` : "";
    return href
      ? `<a class="button${style}" href="${escapeHtml(href)}" rel="noopener noreferrer nofollow" target="_blank"${action}>${label}</a>`
      : `<span class="button${style}"${action}>${label}</span>`;
  }
  if (e.type === "image") return `<span class="image">[image: ${escapeHtml(str(e.alt_text))}]</span>`;
  const placeholder = isObj(e.placeholder) ? str(e.placeholder.text) : "";
  return `<span class="button select">${escapeHtml(placeholder || str(e.type) || "element")} ▾</span>`;
}

function richTextHtml(elements: unknown): string {
  if (!Array.isArray(elements)) return "";
  return elements
    .map((el) => {
      if (!isObj(el)) return "";
      const inner = richInline(el.elements);
      switch (el.type) {
        case "rich_text_preformatted":
          return `<pre>${inner}</pre>`;
        case "rich_text_quote":
          return `<blockquote>${inner}</blockquote>`;
        case "rich_text_list": {
          const tag = el.style === "ordered" ? "ol" : "ul";
          const items = Array.isArray(el.elements)
            ? el.elements.map((i) => `<li>${isObj(i) ? richInline(i.elements) : ""}</li>`).join("")
            : "";
          return `<${tag}>${items}</${tag}>`;
        }
        default:
          return `<div class="mrkdwn">${inner}</div>`;
      }
    })
    .join("");
}

function richInline(elements: unknown): string {
  if (!Array.isArray(elements)) return "";
  return elements
    .map((e) => {
      if (!isObj(e)) return "";
      let html: string;
      switch (e.type) {
        case "text":
          html = escapeHtml(str(e.text)).replace(/\n/g, "<br>");
          break;
        case "link": {
          const href = safeHref(str(e.url));
          const label = escapeHtml(str(e.text) || str(e.url));
          html = href
            ? `<a href="${escapeHtml(href)}" rel="noopener noreferrer nofollow" target="_blank">${label}</a>`
            : `<span class="unsafe-link">${label}</span>`;
          break;
        }
        case "emoji":
          html =
            typeof e.unicode === "string" && /^[0-9a-f-]{1,40}$/i.test(e.unicode)
              ? e.unicode
                  .split("-")
                  .map((h) => `&#x${h};`)
                  .join("")
              : `:${escapeHtml(str(e.name))}:`;
          break;
        case "user":
          html = `<span class="mention">@${escapeHtml(str(e.user_id))}</span>`;
          break;
        case "channel":
          html = `<span class="mention">#${escapeHtml(str(e.channel_id))}</span>`;
          break;
        case "usergroup":
          html = `<span class="mention">@${escapeHtml(str(e.usergroup_id))}</span>`;
          break;
        case "broadcast":
          html = `<span class="mention">@${escapeHtml(str(e.range))}</span>`;
          break;
        default:
          html = escapeHtml(str(e.text));
      }
      const s = isObj(e.style) ? e.style : {};
      if (s.code) html = `<code>${html}</code>`;
      if (s.bold) html = `<b>${html}</b>`;
      if (s.italic) html = `<i>${html}</i>`;
      if (s.strike) html = `<s>${html}</s>`;
      return html;
    })
    .join("");
}

/** One block as HTML; a block type this preview does not know is named, not dropped. */
export function blockHtml(b: unknown): string {
  if (!isObj(b)) return "";
  switch (b.type) {
    case "header":
      return `<div class="block header">${escapeHtml(str(isObj(b.text) ? b.text.text : ""))}</div>`;
    case "divider":
      return `<hr class="block divider">`;
    case "section": {
      const fields = Array.isArray(b.fields)
        ? `<div class="fields">${b.fields.map((f) => `<div class="field">${textObjectHtml(f)}</div>`).join("")}</div>`
        : "";
      const accessory = b.accessory === undefined ? "" : `<div class="accessory">${elementHtml(b.accessory)}</div>`;
      return `<div class="block section"><div class="section-body">${textObjectHtml(b.text)}${fields}</div>${accessory}</div>`;
    }
    case "context": {
      const els = Array.isArray(b.elements) ? b.elements : [];
      return `<div class="block context">${els
        .map((e) =>
          isObj(e) && e.type === "image"
            ? `<span class="image">[${escapeHtml(str(e.alt_text))}]</span>`
            : `<span class="context-el">${textObjectHtml(e)}</span>`,
        )
        .join("")}</div>`;
    }
    case "actions": {
      const els = Array.isArray(b.elements) ? b.elements : [];
      return `<div class="block actions">${els.map(elementHtml).join("")}</div>`;
    }
    case "rich_text":
      return `<div class="block rich-text">${richTextHtml(b.elements)}</div>`;
    case "markdown":
      return `<div class="block markdown"><div class="plain">${escapeHtml(str(b.text)).replace(/\n/g, "<br>")}</div></div>`;
    case "image":
      return `<div class="block image">[image: ${escapeHtml(str(b.alt_text))}]</div>`;
    default:
      return `<div class="block unknown">[a ${escapeHtml(str(b.type) || "malformed")} block]</div>`;
  }
}

/** A message body: its blocks, or its `text` (mrkdwn) when it has none. */
export function messageBodyHtml(payload: { text?: unknown; blocks?: unknown }): string {
  const blocks = Array.isArray(payload.blocks) ? payload.blocks : [];
  if (blocks.length) return blocks.map(blockHtml).join("");
  return `<div class="block section">${mrkdwnHtml(str(payload.text))}</div>`;
}

/**
 * A message in a notifier's own format (`OutboundMessage.native`) as HTML. A Discord webhook
 * body is shown as its parts (content; each embed's title, linked when its URL is http(s),
 * description, fields and footer) with Discord's markdown as written: escaped text, not
 * rendered, and said so. Any other format is its JSON body, as sent.
 */
export function nativeBodyHtml(native: { format: string; body: unknown }): string {
  const b = native.body;
  if (native.format === "discord" && isObj(b)) {
    const text = (v: unknown, cls = "plain") => `<div class="${cls}">${escapeHtml(str(v))}</div>`;
    const embeds = (Array.isArray(b.embeds) ? b.embeds : []).filter(isObj).map((e) => {
      const href = typeof e.url === "string" ? safeHref(e.url) : undefined;
      const title = e.title === undefined ? "" : escapeHtml(str(e.title));
      const head = !title
        ? ""
        : href
          ? `<div class="embed-title"><a href="${escapeHtml(href)}" rel="noopener noreferrer nofollow" target="_blank">${title}</a></div>`
          : `<div class="embed-title">${title}</div>`;
      const fields = (Array.isArray(e.fields) ? e.fields : [])
        .filter(isObj)
        .map((f) => `<div class="embed-field"><b>${escapeHtml(str(f.name))}</b>${text(f.value)}</div>`)
        .join("");
      const footer = isObj(e.footer) ? text(e.footer.text, "plain embed-footer") : "";
      return `<div class="embed">${head}${e.description === undefined ? "" : text(e.description)}${fields}${footer}</div>`;
    });
    return `<div class="native-note">Discord webhook body: markdown shown as written</div>${b.content ? text(b.content) : ""}${embeds.join("")}`;
  }
  return `<div class="native-note">${escapeHtml(native.format)} body (JSON, as sent)</div><pre>${escapeHtml(JSON.stringify(b, null, 2) ?? "")}</pre>`;
}
