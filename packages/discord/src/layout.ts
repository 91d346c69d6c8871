import { blockKitLayout, type LayoutFactory, type NativeMessage } from "@socket-notify/core/render";
import { type DiscordAddress } from "./options.js";
import { renderDiscordReachability } from "./reachability.js";
import { DISCORD_LIMITS, type DiscordWebhookBody, discordPage, fitsInFull, renderDiscordPage } from "./render.js";

/** The format name of Discord's own messages (`OutboundMessage.native.format`, the outbox's `native`). */
export const DISCORD_FORMAT = "discord";

/**
 * Discord's page layout. Core cuts the pages with Discord's own measure: a page is what one
 * Discord message shows in full (at most 10 embeds, 9 beside the "N more not shown" one; each
 * alert's field whole; 6,000 characters), so the renderer never has to count an alert of a
 * page as not fitting. `native` renders each page (and the reachability summary) as the
 * Execute Webhook body Discord receives: what is sent, and what `--dry-run`, `preview` and the
 * outbox show and keep. Each page is also rendered as Block Kit by core's builder, as the
 * record an old outbox entry or an unsigned one is re-sent from (converted, see
 * from-blocks.ts), so its limits are kept too.
 */
export const discordLayout: LayoutFactory = (ctx) => {
  const record = blockKitLayout(ctx);
  const { username } = ctx.destination.address as DiscordAddress;
  return {
    // An embed holds 25 fields: a package with more continues in the next entry (and embed).
    entry: (run, continued) => Math.min(record.entry(run, continued), DISCORD_LIMITS.fields),
    fits: (page, entry, slot) =>
      fitsInFull([...page.flatMap((e) => e.alerts), ...entry.alerts], slot.summary) && record.fits(page, entry, slot),
    maxEntries: (slot) => Math.min(record.maxEntries(slot), DISCORD_LIMITS.embeds - (slot.summary ? 1 : 0)),
    render: (page) => record.render(page),
    ...(record.reachability ? { reachability: record.reachability } : {}),
    native: (page) => discordMessage(renderDiscordPage(discordPage(page, username)).body),
    nativeReachability: (summary) => discordMessage(renderDiscordReachability(summary, username).body),
  };
};

/** A body as core keeps it, with its size as `--dry-run` says it. */
export function discordMessage(body: DiscordWebhookBody): NativeMessage {
  return { format: DISCORD_FORMAT, body, summary: describeDiscordBody(body) };
}

/** `4 embeds, 2345 characters`: the embeds and the characters Discord counts against its 6,000 (plus the content). */
export function describeDiscordBody(body: DiscordWebhookBody): string {
  let chars = body.content.length;
  for (const e of body.embeds) {
    chars += (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0);
    for (const f of e.fields ?? []) chars += f.name.length + f.value.length;
  }
  return `${body.embeds.length} embed${body.embeds.length === 1 ? "" : "s"}, ${chars} characters`;
}
