/**
 * The preview page: one self-contained HTML document (inline CSS, no fonts, images or scripts
 * from anywhere) with a Content-Security-Policy meta tag that allows only that CSS by hash,
 * and, for the emulator's live view, only its one inline script by hash and connections back
 * to the page's own origin. The CSP is the second wall; the first is that every string is
 * escaped (html.ts).
 */
// node:crypto loads on first use (a page is rendered), not when the CLI starts and imports the terminal renderer.
const nodeCrypto = (): typeof import("node:crypto") => process.getBuiltinModule("node:crypto");
import { escapeHtml, messageBodyHtml, nativeBodyHtml } from "./html.js";

export interface PreviewMessage {
  /** The message as posted: `text` and `blocks` (a chat.postMessage or incoming-webhook body). */
  payload: { text?: unknown; blocks?: unknown };
  /** The message in the notifier's own format (Discord's embeds), shown instead of `payload` when given. */
  native?: { format: string; body: unknown };
  /** What the message is, e.g. "message 2 of 3 · alerts". */
  label?: string;
  /** Short notes shown with the message, e.g. "edited (chat.update)". */
  notes?: string[];
  /** Thread replies, shown indented under this message. */
  replies?: PreviewMessage[];
}

export interface PreviewGroup {
  /** Where the messages go, e.g. "security → #security". */
  title: string;
  /** Shown beside the messages: route, filter, counts. Plain text. */
  details?: readonly string[];
  /** Shown instead of messages when there are none. */
  empty?: string;
  messages: PreviewMessage[];
}

export interface PreviewPageModel {
  title: string;
  /** Lines under the title. Plain text. */
  summary?: readonly string[];
  warnings?: readonly string[];
  groups: PreviewGroup[];
  /** Shown when there are no groups. */
  empty?: string;
}

export interface PageOptions {
  /** Live view: a same-origin Server-Sent Events path whose events carry `{ html, count }` JSON. */
  liveEventsPath?: string;
}

const CSS = `
:root{color-scheme:light;--fg:#1d1c1d;--muted:#616061;--line:#e2e2e2;--link:#1264a3;--bg:#f8f8f8}
*{box-sizing:border-box}
body{margin:0;font:15px/1.46668 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
header.page{padding:16px 24px;background:#3f0e40;color:#fff}
header.page h1{margin:0 0 4px;font-size:20px}
header.page p{margin:2px 0;color:#e8d8e8;font-size:13px}
#live-status{display:inline-block;margin-top:6px;padding:1px 8px;border-radius:10px;background:#611f69;font-size:12px}
main{padding:16px 24px;max-width:1280px}
.warnings{margin:0 0 16px;padding:8px 12px 8px 28px;background:#fff8e1;border:1px solid #f2c744;border-radius:6px;font-size:13px}
.group{display:grid;grid-template-columns:280px 1fr;gap:16px;margin:0 0 24px;background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px}
.group>aside h2{margin:0 0 8px;font-size:16px;word-break:break-word}
.group>aside ul{margin:0;padding:0;list-style:none;color:var(--muted);font-size:13px}
.group>aside li{margin:0 0 4px;word-break:break-word}
.empty{color:var(--muted);font-style:italic}
.msg{border-left:3px solid transparent;padding:8px 12px;margin:0 0 12px}
.msg:hover{background:#f8f8f8}
.msg-meta{font-size:12px;color:var(--muted);margin:0 0 4px}
.msg-meta b{color:var(--fg);font-size:15px;margin-right:6px}
.app{display:inline-block;padding:0 3px;margin-right:6px;border-radius:2px;background:#ddd;font-size:10px;font-weight:700;color:#555}
.note{display:inline-block;margin-left:6px;padding:0 6px;border-radius:8px;background:#e8f5fa;color:#1264a3}
.thread{margin:4px 0 0 24px;padding-left:12px;border-left:2px solid #d1d1d1}
.thread-title{font-size:12px;color:var(--muted);margin:4px 0}
.block{margin:4px 0}
.header{font-size:18px;font-weight:900}
.divider{border:0;border-top:1px solid var(--line);margin:10px 0}
.section{display:flex;gap:12px}
.section-body{flex:1;min-width:0}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:4px 16px;margin-top:4px}
.context{display:flex;flex-wrap:wrap;gap:8px;color:var(--muted);font-size:12px}
.mrkdwn,.plain{white-space:pre-wrap;word-break:break-word}
pre{margin:4px 0;padding:8px;background:#f8f8f8;border:1px solid var(--line);border-radius:4px;white-space:pre-wrap;word-break:break-word;font:12px/1.5 Monaco,Menlo,Consolas,"Courier New",monospace}
code{padding:1px 3px;border:1px solid var(--line);border-radius:3px;background:#f6f6f6;color:#c01343;font:12px Monaco,Menlo,Consolas,"Courier New",monospace}
blockquote{margin:2px 0;padding-left:10px;border-left:4px solid #ddd}
a{color:var(--link);text-decoration:none}
a:hover{text-decoration:underline}
.mention{padding:0 2px;border-radius:3px;background:#e8f5fa;color:#1264a3}
.unsafe-link{text-decoration:underline dotted}
.actions{display:flex;flex-wrap:wrap;gap:8px}
.button{display:inline-block;padding:3px 12px;border:1px solid #bbb;border-radius:4px;font-weight:700;font-size:13px;color:var(--fg);background:#fff}
.button.primary{background:#007a5a;border-color:#007a5a;color:#fff}
.button.danger{background:#e01e5a;border-color:#e01e5a;color:#fff}
.image,.unknown{color:var(--muted);font-style:italic}
.native-note{font-size:12px;color:var(--muted);font-style:italic;margin:0 0 4px}
.embed{margin:6px 0;padding:8px 12px;border-left:4px solid #5865f2;border-radius:4px;background:#f2f3f5}
.embed-title{font-weight:700;margin:0 0 4px}
.embed-field{margin:4px 0}
.embed-footer{font-size:12px;color:var(--muted)}
@media (max-width:800px){.group{grid-template-columns:1fr}}
`.trim();

function cspHash(text: string): string {
  return `'sha256-${nodeCrypto().createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

function liveScript(path: string): string {
  // The page's one script: replace the view with what the emulator pushes. The HTML it gets
  // was rendered (escaped) by this package on the server.
  return `(()=>{const v=document.getElementById("view"),s=document.getElementById("live-status");const es=new EventSource(${JSON.stringify(path)});es.onopen=()=>{s.textContent="live";};es.onmessage=(e)=>{const d=JSON.parse(e.data);v.innerHTML=d.html;s.textContent="live · "+d.count+" message"+(d.count===1?"":"s");document.body.dataset.updates=String(Number(document.body.dataset.updates||0)+1);};es.onerror=()=>{s.textContent="reconnecting…";};})();`;
}

function messageHtml(m: PreviewMessage, reply = false): string {
  const notes = (m.notes ?? []).map((n) => `<span class="note">${escapeHtml(n)}</span>`).join("");
  const label = m.label ? escapeHtml(m.label) : "";
  const replies = m.replies?.length
    ? `<div class="thread"><div class="thread-title">${m.replies.length} thread ${m.replies.length === 1 ? "reply" : "replies"}</div>${m.replies.map((r) => messageHtml(r, true)).join("")}</div>`
    : "";
  return `<article class="msg${reply ? " reply" : ""}"><div class="msg-meta"><b>socket-notify</b><span class="app">APP</span>${label}${notes}</div><div class="msg-body">${m.native ? nativeBodyHtml(m.native) : messageBodyHtml(m.payload)}</div>${replies}</article>`;
}

/** The groups (destinations, channels) as an HTML fragment: the body of the page, and what a live update replaces. */
export function groupsHtml(groups: readonly PreviewGroup[], empty = "No destinations: nothing to show."): string {
  if (!groups.length) return `<p class="empty">${escapeHtml(empty)}</p>`;
  return groups
    .map((g) => {
      const details = (g.details ?? []).map((d) => `<li>${escapeHtml(d)}</li>`).join("");
      const messages = g.messages.length
        ? g.messages.map((m) => messageHtml(m)).join("")
        : `<p class="empty">${escapeHtml(g.empty ?? "No messages.")}</p>`;
      return `<section class="group"><aside><h2>${escapeHtml(g.title)}</h2><ul>${details}</ul></aside><div class="messages">${messages}</div></section>`;
    })
    .join("");
}

/** A whole page. Static unless `liveEventsPath` is given. */
export function renderPage(model: PreviewPageModel, options: PageOptions = {}): string {
  const script = options.liveEventsPath === undefined ? undefined : liveScript(options.liveEventsPath);
  const csp = [
    "default-src 'none'",
    `style-src ${cspHash(CSS)}`,
    script ? `script-src ${cspHash(script)}` : "script-src 'none'",
    script ? "connect-src 'self'" : "connect-src 'none'",
    "img-src 'none'",
    "font-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; "); // our constants and base64 hashes only: nothing to escape in the attribute
  const summary = (model.summary ?? []).map((s) => `<p>${escapeHtml(s)}</p>`).join("");
  const warnings = model.warnings?.length
    ? `<ul class="warnings">${model.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul>`
    : "";
  const status = script ? `<span id="live-status">connecting…</span>` : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(model.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header class="page"><h1>${escapeHtml(model.title)}</h1>${summary}${status}</header>
<main>${warnings}<div id="view">${groupsHtml(model.groups, model.empty)}</div></main>
${script ? `<script>${script}</script>\n` : ""}</body>
</html>
`;
}

/** The Content-Security-Policy of a page, for a server to send as a header too. */
export function pageCsp(html: string): string | undefined {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  return m?.[1];
}
