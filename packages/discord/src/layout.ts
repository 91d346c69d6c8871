import { DISCORD_LIMITS, fitsInFull } from "./render.js";
import { blockKitLayout, type LayoutFactory } from "@socket-notify/core/render";

/**
 * Discord's page layout. Core cuts the pages with Discord's own measure: a page is what one
 * Discord message shows in full (at most 10 embeds, 9 beside the "N more not shown" one; each
 * alert's field whole; 6,000 characters), so the renderer never has to count an alert of a
 * page as not fitting. Each page is also rendered as Block Kit by core's builder: that is what
 * `--dry-run`, `preview` and the outbox keep (a retry from the outbox converts it, see
 * from-blocks.ts), so its limits are kept too. What is sent is `renderDiscordPage`'s (send), and
 * for the reachability summary `renderDiscordReachability`'s.
 */
export const discordLayout: LayoutFactory = (ctx) => {
  const record = blockKitLayout(ctx);
  return {
    // An embed holds 25 fields: a package with more continues in the next entry (and embed).
    entry: (run, continued) => Math.min(record.entry(run, continued), DISCORD_LIMITS.fields),
    fits: (page, entry, slot) =>
      fitsInFull([...page.flatMap((e) => e.alerts), ...entry.alerts], slot.summary) && record.fits(page, entry, slot),
    maxEntries: (slot) => Math.min(record.maxEntries(slot), DISCORD_LIMITS.embeds - (slot.summary ? 1 : 0)),
    render: (page) => record.render(page),
    // The summary's record is core's Block Kit too; what is sent is `renderDiscordReachability`'s.
    ...(record.reachability ? { reachability: record.reachability } : {}),
  };
};
