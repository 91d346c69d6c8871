/**
 * A Discord body read back from an outbox (`socket-notify retry`): core hands it over only from
 * an entry whose signature checks out, and it is still checked here before it is sent, as
 * anything read from a file: only the fields our renderer writes, of the right types and within
 * Discord's limits, links only http(s). Pings stay off whatever the file says (`allowed_mentions`
 * is ours, not the file's), and the `username` is the current config's.
 */
import { isSafeUrl } from "@socket-notify/core/render";
import { DISCORD_LIMITS, type DiscordEmbed, type DiscordWebhookBody } from "./render.js";

type Obj = Record<string, unknown>;

const BODY_KEYS = new Set(["content", "embeds", "allowed_mentions", "username"]);
const EMBED_KEYS = new Set(["title", "description", "url", "color", "fields", "footer"]);
const FIELD_KEYS = new Set(["name", "value", "inline"]);

/** The stored body as it is sent, or where it is not one socket-notify writes (`embeds[2].url: …`). */
export function storedDiscordBody(
  raw: unknown,
  username: string | undefined,
): { body: DiscordWebhookBody } | { error: string } {
  const fail = (error: string) => ({ error });
  if (!isObj(raw)) return fail("body: not an object");
  const extra = unknownKey(raw, BODY_KEYS, "");
  if (extra) return fail(extra);
  const content = text(raw.content, "content", DISCORD_LIMITS.content, true);
  if (typeof content !== "string") return fail(content.error);
  if (!Array.isArray(raw.embeds) || raw.embeds.length > DISCORD_LIMITS.embeds)
    return fail(`embeds: expected a list of at most ${DISCORD_LIMITS.embeds}`);
  const embeds: DiscordEmbed[] = [];
  let chars = 0;
  for (const [i, e] of raw.embeds.entries()) {
    const at = `embeds[${i}]`;
    if (!isObj(e)) return fail(`${at}: not an object`);
    const bad = unknownKey(e, EMBED_KEYS, `${at}.`);
    if (bad) return fail(bad);
    const out: DiscordEmbed = {};
    for (const [k, max] of [
      ["title", DISCORD_LIMITS.title],
      ["description", DISCORD_LIMITS.description],
    ] as const) {
      if (e[k] === undefined) continue;
      const t = text(e[k], `${at}.${k}`, max);
      if (typeof t !== "string") return fail(t.error);
      out[k] = t;
      chars += t.length;
    }
    if (e.url !== undefined) {
      if (typeof e.url !== "string" || !isSafeUrl(e.url)) return fail(`${at}.url: not an http(s) link`);
      out.url = e.url;
    }
    if (e.color !== undefined) {
      if (!Number.isInteger(e.color) || (e.color as number) < 0 || (e.color as number) > 0xffffff)
        return fail(`${at}.color: not a colour`);
      out.color = e.color as number;
    }
    if (e.fields !== undefined) {
      if (!Array.isArray(e.fields) || e.fields.length > DISCORD_LIMITS.fields)
        return fail(`${at}.fields: expected a list of at most ${DISCORD_LIMITS.fields}`);
      out.fields = [];
      for (const [j, f] of e.fields.entries()) {
        const fat = `${at}.fields[${j}]`;
        if (!isObj(f)) return fail(`${fat}: not an object`);
        const badField = unknownKey(f, FIELD_KEYS, `${fat}.`);
        if (badField) return fail(badField);
        const name = text(f.name, `${fat}.name`, DISCORD_LIMITS.fieldName);
        if (typeof name !== "string") return fail(name.error);
        const value = text(f.value, `${fat}.value`, DISCORD_LIMITS.fieldValue);
        if (typeof value !== "string") return fail(value.error);
        if (f.inline !== undefined && typeof f.inline !== "boolean") return fail(`${fat}.inline: not true or false`);
        out.fields.push({ name, value, ...(f.inline !== undefined ? { inline: f.inline } : {}) });
        chars += name.length + value.length;
      }
    }
    if (e.footer !== undefined) {
      if (!isObj(e.footer) || unknownKey(e.footer, new Set(["text"]), ""))
        return fail(`${at}.footer: expected { text }`);
      const t = text(e.footer.text, `${at}.footer.text`, DISCORD_LIMITS.footer);
      if (typeof t !== "string") return fail(t.error);
      out.footer = { text: t };
      chars += t.length;
    }
    embeds.push(out);
  }
  if (chars > DISCORD_LIMITS.totalEmbedChars)
    return fail(`embeds: more than Discord's ${DISCORD_LIMITS.totalEmbedChars} characters`);
  if (!content && !embeds.length) return fail("body: no content and no embeds");
  return { body: { content, embeds, allowed_mentions: { parse: [] }, ...(username ? { username } : {}) } };
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function unknownKey(o: Obj, known: ReadonlySet<string>, at: string): string | undefined {
  const k = Object.keys(o).find((x) => !known.has(x));
  return k === undefined ? undefined : `${at}${k.slice(0, 40)}: not a field socket-notify sends`;
}

function text(v: unknown, at: string, max: number, optional = false): string | { error: string } {
  if (v === undefined && optional) return "";
  if (typeof v !== "string" || v.length > max)
    return { error: `${at}: expected a string of at most ${max} characters` };
  return v;
}
