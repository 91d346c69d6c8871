/**
 * The emulator's page at `/`: what arrived, per channel and per webhook, rendered as Slack
 * shows it (by @socket-notify/preview), with thread replies under their parent and chat.update
 * / replace_original edits applied in place. It updates live: `/_emulator/live` is a
 * Server-Sent Events stream that sends the re-rendered view whenever the record log changes.
 * The page's one inline script is allowed by its hash in the Content-Security-Policy (sent as
 * a header and a meta tag); payload text is escaped, so a message can't script the page.
 */
import { type IncomingMessage, type ServerResponse } from "node:http";
import { groupsHtml, pageCsp, type PreviewGroup, type PreviewMessage, renderPage } from "@socket-notify/preview";
import { type EmulatorRecord } from "./records.js";

export const LIVE_EVENTS_PATH = "/_emulator/live";
const EMPTY = "Nothing has arrived yet: post to a webhook URL or chat.postMessage, and it shows here.";
/** Changes within this window are sent as one update (a burst of 50 posts re-renders once or twice, not 50 times). */
const COALESCE_MS = 100;

interface Shown extends PreviewMessage {
  replies: PreviewMessage[];
  edits: number;
}

function where(r: EmulatorRecord): string {
  const channel = `#${r.channelName ?? r.channel ?? "unknown"}`;
  return r.kind === "webhook" ? `webhook ${r.hook ?? "?"} → ${channel}` : channel;
}

/** The records' messages as the page's groups: one per channel (Web API, response_url) and one per webhook. */
export function liveGroups(records: readonly EmulatorRecord[]): PreviewGroup[] {
  const groups = new Map<string, { messages: Shown[]; channel: string | undefined }>();
  const byTs = new Map<string, Shown>();
  const key = (channel: string | undefined, ts: string) => `${channel ?? ""}\u0000${ts}`;
  for (const r of records) {
    if (!r.ok || r.ts === undefined) continue;
    const payload = { text: r.payload.text, blocks: r.payload.blocks };
    const existing = byTs.get(key(r.channel, r.ts));
    if (r.method === "chat.update" || r.action === "replace_original") {
      if (existing) {
        existing.payload = payload;
        existing.edits++;
        existing.notes = [`edited${existing.edits > 1 ? ` ${existing.edits}×` : ""} (${r.method ?? r.action})`];
      }
      continue;
    }
    if (r.method === "chat.delete" || r.action === "delete_original") {
      if (existing) {
        existing.payload = { text: "_This message was deleted._" };
        existing.notes = ["deleted"];
      }
      continue;
    }
    const shown: Shown = {
      payload,
      label: `${r.method ?? r.kind} · ts ${r.ts} · ${r.at.slice(11, 19)}`,
      replies: [],
      edits: 0,
    };
    if (r.ephemeral) shown.notes = [`only visible to ${r.user ?? "one user"}`];
    const parent = r.threadTs === undefined ? undefined : byTs.get(key(r.channel, r.threadTs));
    byTs.set(key(r.channel, r.ts), shown);
    if (parent) {
      parent.replies.push(shown);
      continue;
    }
    const g = where(r);
    let group = groups.get(g);
    if (!group) groups.set(g, (group = { messages: [], channel: r.channel }));
    group.messages.push(shown);
  }
  return [...groups].map(([title, g]) => {
    const replies = g.messages.reduce((n, m) => n + m.replies.length, 0);
    return {
      title,
      details: [
        ...(g.channel ? [`channel ${g.channel}`] : []),
        `${g.messages.length} message${g.messages.length === 1 ? "" : "s"}${replies ? `, ${replies} thread repl${replies === 1 ? "y" : "ies"}` : ""}`,
      ],
      messages: g.messages,
    };
  });
}

function messageCount(records: readonly EmulatorRecord[]): number {
  return records.filter(
    (r) =>
      r.ok &&
      r.ts !== undefined &&
      r.method !== "chat.update" &&
      r.action !== "replace_original" &&
      r.action !== "delete_original",
  ).length;
}

export class LiveView {
  private readonly streams = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly records: () => EmulatorRecord[],
    private readonly title: () => string,
  ) {}

  /** Serves `GET /` and the event stream; false for any other request. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if (path === "/") {
      const html = renderPage(
        {
          title: this.title(),
          summary: [
            "What arrived, per channel and per webhook, as Slack shows it; thread replies under their parent, edits in place.",
          ],
          groups: liveGroups(this.records()),
          empty: EMPTY,
        },
        { liveEventsPath: LIVE_EVENTS_PATH },
      );
      res.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": pageCsp(html) ?? "default-src 'none'",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      });
      res.end(req.method === "HEAD" ? undefined : html);
      return true;
    }
    if (path === LIVE_EVENTS_PATH) {
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      });
      this.streams.add(res);
      req.once("close", () => this.streams.delete(res));
      this.push(res);
      return true;
    }
    return false;
  }

  /** The record log changed: send the new view to every open page (coalesced). */
  changed(): void {
    if (this.streams.size === 0 || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const s of this.streams) this.push(s);
    }, COALESCE_MS);
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const s of this.streams) s.end();
    this.streams.clear();
  }

  private fragment(): string {
    return groupsHtml(liveGroups(this.records()), EMPTY);
  }

  private push(res: ServerResponse): void {
    // One line of JSON per event: the HTML's newlines are escaped inside the string.
    const data = JSON.stringify({ html: this.fragment(), count: messageCount(this.records()) });
    res.write(`data: ${data}\n\n`);
  }
}
