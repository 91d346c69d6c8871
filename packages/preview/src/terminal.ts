/**
 * Block Kit and mrkdwn for a terminal: lines of styled spans. The caller decides how a style
 * looks (ANSI bold on a TTY, nothing otherwise) and makes each span's text safe to print;
 * spans never carry escape sequences of their own.
 */
import { type Inline, parseMrkdwn } from "./mrkdwn.js";

export interface Span {
  text: string;
  bold?: boolean;
  italic?: boolean;
  strike?: boolean;
  code?: boolean;
}

type Style = Omit<Span, "text">;

function inlineSpans(nodes: readonly Inline[], style: Style, out: Span[]): void {
  for (const n of nodes) {
    switch (n.t) {
      case "text":
      case "mention":
        out.push({ ...style, text: n.v });
        break;
      case "code":
        out.push({ ...style, code: true, text: n.v });
        break;
      case "bold":
        inlineSpans(n.c, { ...style, bold: true }, out);
        break;
      case "italic":
        inlineSpans(n.c, { ...style, italic: true }, out);
        break;
      case "strike":
        inlineSpans(n.c, { ...style, strike: true }, out);
        break;
      case "link":
        // The label is what Slack shows; the address only when there is no label.
        inlineSpans(n.c, style, out);
        break;
    }
  }
}

/** mrkdwn as terminal lines: formatting as styles, links as their label, entities decoded. */
export function mrkdwnLines(text: string): Span[][] {
  const lines: Span[][] = [];
  for (const c of parseMrkdwn(text)) {
    if (c.t === "pre") {
      for (const l of c.v.split("\n")) lines.push([{ text: `  ${l}`, code: true }]);
      continue;
    }
    for (const l of c.lines) {
      const spans: Span[] = l.quote ? [{ text: "┃ " }] : [];
      inlineSpans(l.c, {}, spans);
      lines.push(spans);
    }
  }
  return lines;
}

function textOf(t: unknown): { text: string; mrkdwn: boolean } {
  const o = (typeof t === "object" && t !== null ? t : {}) as { type?: unknown; text?: unknown };
  return { text: typeof o.text === "string" ? o.text : "", mrkdwn: o.type === "mrkdwn" };
}

function textLines(t: unknown): Span[][] {
  const { text, mrkdwn } = textOf(t);
  return mrkdwn ? mrkdwnLines(text) : text.split("\n").map((l) => [{ text: l }]);
}

/** A message roughly as Slack shows it: header bold, sections and context as text, dividers as rules. */
export function messageLines(payload: { text?: unknown; blocks?: unknown }): Span[][] {
  const blocks = Array.isArray(payload.blocks) ? (payload.blocks as unknown[]) : [];
  if (!blocks.length) return mrkdwnLines(typeof payload.text === "string" ? payload.text : "");
  const out: Span[][] = [];
  for (const raw of blocks) {
    const b = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    switch (b.type) {
      case "header":
        out.push([{ text: "▌ " }, { text: textOf(b.text).text, bold: true }]);
        break;
      case "divider":
        out.push([{ text: "─".repeat(40) }]);
        break;
      case "section":
        if (b.text !== undefined) out.push(...textLines(b.text));
        if (Array.isArray(b.fields)) for (const f of b.fields) out.push(...textLines(f));
        break;
      case "context": {
        const line: Span[] = [];
        for (const e of Array.isArray(b.elements) ? b.elements : []) {
          if (line.length) line.push({ text: "  " });
          for (const l of textLines(e)) line.push(...l);
        }
        out.push(line);
        break;
      }
      case "actions": {
        const labels = (Array.isArray(b.elements) ? b.elements : []).map(
          (e) => `[ ${textOf((e as { text?: unknown })?.text).text} ]`,
        );
        out.push([{ text: labels.join(" "), bold: true }]);
        break;
      }
      default:
        out.push([{ text: `[a ${String(b.type)} block]`, italic: true }]);
    }
  }
  return out;
}

const ANSI: [keyof Style, string, string][] = [
  ["bold", "\x1b[1m", "\x1b[22m"],
  ["italic", "\x1b[3m", "\x1b[23m"],
  ["strike", "\x1b[9m", "\x1b[29m"],
  ["code", "\x1b[36m", "\x1b[39m"],
];

/**
 * One line for a terminal. `clean` makes each span's text safe to print (it must remove escape
 * characters: the spans come from untrusted text); the styles are added after, as ANSI only when `ansi`.
 */
export function spansToTerminal(spans: readonly Span[], ansi: boolean, clean: (s: string) => string): string {
  return spans
    .map((s) => {
      const text = clean(s.text);
      if (!ansi || !text) return text;
      let open = "";
      let close = "";
      for (const [k, on, off] of ANSI)
        if (s[k]) {
          open += on;
          close = off + close;
        }
      return open + text + close;
    })
    .join("");
}
