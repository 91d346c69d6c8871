/**
 * Slack mrkdwn parsed into a small tree, so one parser serves both the HTML page and the
 * terminal: `*bold*`, `_italic_`, `~strike~`, `` `code` ``, fenced ``` code blocks ```,
 * `<url|label>` links, `<@U…>`/`<#C…|name>`/`<!here>` mentions, `>` quotes and the three
 * entities Slack defines (`&lt;` `&gt;` `&amp;`). Text is kept as text: nothing here ever
 * produces markup, the renderers escape every leaf.
 */

export type Inline =
  | { t: "text"; v: string }
  | { t: "bold" | "italic" | "strike"; c: Inline[] }
  | { t: "code"; v: string }
  | { t: "link"; href: string; c: Inline[] }
  | { t: "mention"; v: string };

export type Line = { quote: boolean; c: Inline[] };

export type Chunk = { t: "lines"; lines: Line[] } | { t: "pre"; v: string };

/** Slack's only entities; anything else (`&quot;`) is shown as written, as Slack does. */
export function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|amp);/g, (_m, e: string) => (e === "lt" ? "<" : e === "gt" ? ">" : "&"));
}

/** Splits on ``` fences (a fence may open mid-line, as Slack allows), then into lines. */
export function parseMrkdwn(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  const parts = text.split("```");
  // An unclosed fence is text, as in Slack.
  const closed = parts.length % 2 === 1 ? parts.length : parts.length - 1;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? "";
    if (i % 2 === 1 && i < closed) {
      chunks.push({ t: "pre", v: decodeEntities(part.replace(/^\n/, "").replace(/\n$/, "")) });
      continue;
    }
    let raw = i % 2 === 1 ? `\`\`\`${part}` : part;
    // The newlines that only frame a fence are not lines of their own.
    if (i > 0 && i % 2 === 0) raw = raw.replace(/^\n/, "");
    if (i + 1 < closed) raw = raw.replace(/\n$/, "");
    if (raw === "") continue;
    const lines = raw.split("\n").map((l): Line => {
      const q = /^&gt; ?/.exec(l);
      return q ? { quote: true, c: parseInline(l.slice(q[0].length)) } : { quote: false, c: parseInline(l) };
    });
    chunks.push({ t: "lines", lines });
  }
  return chunks;
}

const MARKS: Record<string, "bold" | "italic" | "strike"> = { "*": "bold", _: "italic", "~": "strike" };

/** A formatting mark opens only after a start, space or punctuation (Slack: not inside a word). */
function edge(ch: string | undefined): boolean {
  return ch === undefined || !/[\p{L}\p{N}]/u.test(ch);
}

/** Inline mrkdwn of one line. */
export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  let text = "";
  const flush = () => {
    if (text) out.push({ t: "text", v: decodeEntities(text) });
    text = "";
  };
  let i = 0;
  while (i < s.length) {
    const ch = s[i] as string;
    if (ch === "`") {
      const end = s.indexOf("`", i + 1);
      if (end > i + 1) {
        flush();
        out.push({ t: "code", v: decodeEntities(s.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    } else if (ch === "<") {
      const end = s.indexOf(">", i + 1);
      if (end > i + 1) {
        flush();
        out.push(angle(s.slice(i + 1, end)));
        i = end + 1;
        continue;
      }
    } else if (MARKS[ch] && edge(s[i - 1]) && s[i + 1] !== undefined && !/\s/.test(s[i + 1] as string)) {
      const end = closing(s, i, ch);
      if (end !== -1) {
        flush();
        out.push({ t: MARKS[ch], c: parseInline(s.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    text += ch;
    i++;
  }
  flush();
  return out;
}

/** The closing mark: not after a space, followed by an edge; `<…>` and `` `…` `` are skipped over. */
function closing(s: string, open: number, mark: string): number {
  for (let j = open + 2; j < s.length; j++) {
    const c = s[j];
    if (c === "`" || c === "<") {
      const end = s.indexOf(c === "`" ? "`" : ">", j + 1);
      if (end !== -1) j = end;
      continue;
    }
    if (c === mark && !/\s/.test(s[j - 1] as string) && edge(s[j + 1])) return j;
  }
  return -1;
}

/** `<…>`: a link, a mention, a channel, a special command; its label when it has one. */
function angle(body: string): Inline {
  const bar = body.indexOf("|");
  const target = bar === -1 ? body : body.slice(0, bar);
  const label = bar === -1 ? undefined : body.slice(bar + 1);
  if (target.startsWith("@")) return { t: "mention", v: label ? `@${decodeEntities(label)}` : target };
  if (target.startsWith("#")) return { t: "mention", v: `#${decodeEntities(label ?? target.slice(1))}` };
  if (target.startsWith("!")) {
    const cmd = target.slice(1);
    if (cmd === "here" || cmd === "channel" || cmd === "everyone") return { t: "mention", v: `@${cmd}` };
    if (cmd.startsWith("subteam^"))
      return { t: "mention", v: label ? decodeEntities(label) : `@${cmd.slice("subteam^".length)}` };
    return { t: "text", v: decodeEntities(label ?? body) };
  }
  const href = decodeEntities(target);
  return { t: "link", href, c: label === undefined ? [{ t: "text", v: href }] : parseInline(label) };
}

/** The words of a tree, without formatting. */
export function plainText(nodes: readonly Inline[]): string {
  return nodes.map((n) => ("c" in n ? plainText(n.c) : n.v)).join("");
}

/**
 * Only http(s) and mailto links become links; anything else (`javascript:`, `data:`, a
 * relative path) is shown as text. Controls and spaces are refused as well.
 */
export function safeHref(href: string): string | undefined {
  if (href.length > 3000 || /[\s\u0000-\u001f\u007f-\u009f"'<>\\`]/.test(href)) return undefined;
  if (!/^(https?:\/\/|mailto:)/i.test(href)) return undefined;
  try {
    const u = new URL(href);
    return u.protocol === "https:" || u.protocol === "http:" || u.protocol === "mailto:" ? u.href : undefined;
  } catch {
    return undefined;
  }
}
