/**
 * A loopback fake of Discord's webhook endpoint (`POST /api/webhooks/{id}/{token}`), for testing
 * a Discord notifier: it records what arrived, refuses messages over Discord's limits with
 * Discord's error shape (400, code 50035 "Invalid Form Body") and rate-limits each webhook with
 * Discord's headers (`X-RateLimit-Limit/Remaining/Reset/Reset-After/Bucket`) and 429 body
 * (`{"message", "retry_after": seconds (float), "global"}`). Sources: see README ("Discord fake").
 *
 * It is separate from the Slack emulator (its own server) and small on purpose: the limits and
 * the rate limit are what a notifier can get wrong, so they are what it checks.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, type Socket } from "node:net";

/** Discord's per-message limits (Message resource: Embed limits; Execute Webhook). */
export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  /** Characters of title, description, field names and values, footer text and author name, all embeds together. */
  totalEmbedChars: 6000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
} as const;

export interface DiscordEmbedField {
  name: string;
  value: string;
  inline?: boolean;
}

export interface DiscordEmbed {
  title?: string;
  description?: string;
  url?: string;
  color?: number;
  timestamp?: string;
  footer?: { text: string; icon_url?: string };
  author?: { name: string; url?: string; icon_url?: string };
  fields?: DiscordEmbedField[];
}

/** An Execute Webhook JSON body (the parts the fake checks). */
export interface DiscordWebhookBody {
  content?: string;
  username?: string;
  avatar_url?: string;
  embeds?: DiscordEmbed[];
  allowed_mentions?: { parse?: string[]; users?: string[]; roles?: string[] };
}

/** A message the fake accepted. */
export interface DiscordMessageRecord {
  /** Snowflake-like id the fake gave it. */
  id: string;
  /** Name of the webhook it was posted to (`webhookUrl(name)`). */
  webhook: string;
  body: DiscordWebhookBody;
  /** `now()` when it arrived. */
  at: number;
}

/** A request the fake received, accepted or not. */
export interface DiscordRequestRecord {
  webhook: string | undefined;
  status: number;
  /** The answer's JSON body (`{"code":50035,…}`, `{"retry_after":…}`), undefined for 204 and 200. */
  error?: unknown;
  at: number;
}

export interface DiscordRateLimit {
  /** Requests per window per webhook (Discord answers `X-RateLimit-Limit: 5` for webhooks). @default 5 */
  limit: number;
  /** Window length (Discord: `X-RateLimit-Reset-After: 2` on a fresh bucket). @default 2000 */
  windowMs: number;
}

export interface DiscordFakeOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** Per-webhook rate limit; `false` turns it off. @default { limit: 5, windowMs: 2000 } */
  rateLimit?: DiscordRateLimit | false;
  /** The clock the rate-limit windows and records use (a fake clock's `now` in virtual-time tests). @default Date.now */
  now?: () => number;
}

/** A scripted answer for the next request (instead of the fake's own). */
export interface DiscordFakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface DiscordFake {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /**
   * The URL of a webhook on the fake (created on first use), shaped like Discord's:
   * `http://127.0.0.1:<port>/api/webhooks/<id>/<token>`. The token is a random secret.
   */
  webhookUrl(name?: string): string;
  /** The token (secret part) of a webhook's URL. */
  tokenOf(name?: string): string;
  /** Accepted messages, in arrival order. */
  readonly messages: DiscordMessageRecord[];
  /** Every request with its status. */
  readonly requests: DiscordRequestRecord[];
  /** Accepted messages of one webhook. */
  messagesOf(name?: string): DiscordMessageRecord[];
  /** Answer the next requests with these, in order (then the fake's own behaviour again). */
  respond(...responses: DiscordFakeResponse[]): void;
  /** The next request gets a 429 with `retry_after` seconds (and `global` when asked). */
  rateLimitNext(retryAfterSeconds: number, options?: { global?: boolean }): void;
  /** Where the clock comes from; settable after start. */
  now: () => number;
  /** Forget messages, requests, scripted answers and rate-limit windows (webhooks stay). */
  reset(): void;
  close(): Promise<void>;
}

interface Hook {
  name: string;
  id: string;
  token: string;
  windowStart: number;
  used: number;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** Start the fake on 127.0.0.1. */
export async function startDiscordFake(options: DiscordFakeOptions = {}): Promise<DiscordFake> {
  const rate = options.rateLimit === false ? undefined : (options.rateLimit ?? { limit: 5, windowMs: 2000 });
  const hooks = new Map<string, Hook>();
  const byId = new Map<string, Hook>();
  const messages: DiscordMessageRecord[] = [];
  const requests: DiscordRequestRecord[] = [];
  let scripted: DiscordFakeResponse[] = [];
  let nextId = 1n;
  const sockets = new Set<Socket>();

  const hook = (name = "default"): Hook => {
    let h = hooks.get(name);
    if (!h) {
      // Discord ids are 17–20 digit snowflakes; tokens are 68 URL-safe characters.
      const id = String(1_200_000_000_000_000_000n + BigInt(hooks.size + 1));
      h = { name, id, token: randomBytes(51).toString("base64url"), windowStart: 0, used: 0 };
      hooks.set(name, h);
      byId.set(id, h);
    }
    return h;
  };

  const fake: DiscordFake = {
    origin: "",
    webhookUrl: (name) => {
      const h = hook(name);
      return `${fake.origin}/api/webhooks/${h.id}/${h.token}`;
    },
    tokenOf: (name) => hook(name).token,
    messages,
    requests,
    messagesOf: (name = "default") => messages.filter((m) => m.webhook === name),
    respond: (...responses) => {
      scripted.push(...responses);
    },
    rateLimitNext: (seconds, o = {}) => {
      scripted.push(tooMany(seconds, o.global === true, rate));
    },
    now: options.now ?? Date.now,
    reset: () => {
      messages.length = 0;
      requests.length = 0;
      scripted = [];
      for (const h of hooks.values()) {
        h.used = 0;
        h.windowStart = 0;
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const answer = (
    res: ServerResponse,
    webhook: string | undefined,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    requests.push({
      webhook,
      status,
      ...(status >= 400 ? { error: body } : {}),
      at: fake.now(),
    });
    const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
      ...(text ? { "content-type": typeof body === "string" ? "text/plain" : "application/json" } : {}),
      ...headers,
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const m = /^\/api(?:\/v\d+)?\/webhooks\/(\d+)\/([^/]+)\/?$/.exec(url.pathname);
    const raw = await readBody(req);
    if (!m) return answer(res, undefined, 404, { message: "404: Not Found", code: 0 });
    const h = byId.get(m[1]!);
    if (!h) return answer(res, undefined, 404, { message: "Unknown Webhook", code: 10015 });
    if (m[2] !== h.token) return answer(res, h.name, 401, { message: "Invalid Webhook Token", code: 50027 });
    if (req.method !== "POST") return answer(res, h.name, 405, { message: "405: Method Not Allowed", code: 0 });

    const next = scripted.shift();
    if (next) return answer(res, h.name, next.status, next.body, next.headers);

    const now = fake.now();
    let limitHeaders: Record<string, string> = {};
    if (rate) {
      if (now - h.windowStart >= rate.windowMs) {
        h.windowStart = now;
        h.used = 0;
      }
      const resetAfter = Math.max(0, h.windowStart + rate.windowMs - now) / 1000;
      const bucket = createHash("sha256").update(`webhook:${h.id}`).digest("hex").slice(0, 32);
      if (h.used >= rate.limit) {
        const r = tooMany(resetAfter, false, rate);
        return answer(res, h.name, 429, r.body, {
          ...r.headers,
          "x-ratelimit-reset": ((now + resetAfter * 1000) / 1000).toFixed(3),
          "x-ratelimit-bucket": bucket,
        });
      }
      h.used++;
      limitHeaders = {
        "x-ratelimit-limit": String(rate.limit),
        "x-ratelimit-remaining": String(rate.limit - h.used),
        "x-ratelimit-reset": ((now + resetAfter * 1000) / 1000).toFixed(3),
        "x-ratelimit-reset-after": resetAfter.toFixed(3),
        "x-ratelimit-bucket": bucket,
      };
    }

    if (raw === undefined)
      return answer(res, h.name, 413, { message: "Request entity too large", code: 40005 }, limitHeaders);
    if (!/^application\/json\b/i.test(req.headers["content-type"] ?? ""))
      return answer(res, h.name, 400, { message: "Cannot send an empty message", code: 50006 }, limitHeaders);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return answer(
        res,
        h.name,
        400,
        { message: "The request body contains invalid JSON.", code: 50109 },
        limitHeaders,
      );
    }
    const problem = validateDiscordMessage(body);
    if (problem) return answer(res, h.name, 400, problem, limitHeaders);
    const record: DiscordMessageRecord = {
      id: String(1_300_000_000_000_000_000n + nextId++),
      webhook: h.name,
      body: body as DiscordWebhookBody,
      at: now,
    };
    messages.push(record);
    // `?wait=true`: Discord answers 200 with the message; without it, 204 and no body.
    if (url.searchParams.get("wait") === "true")
      return answer(res, h.name, 200, { id: record.id, webhook_id: h.id, ...record.body }, limitHeaders);
    return answer(res, h.name, 204, undefined, limitHeaders);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  (fake as { origin: string }).origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

function tooMany(seconds: number, global: boolean, rate: DiscordRateLimit | undefined): DiscordFakeResponse {
  return {
    status: 429,
    body: { message: "You are being rate limited.", retry_after: Math.round(seconds * 1000) / 1000, global },
    headers: {
      "retry-after": String(Math.ceil(seconds)),
      "x-ratelimit-limit": String(rate?.limit ?? 5),
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset-after": seconds.toFixed(3),
      "x-ratelimit-scope": global ? "global" : "user",
      ...(global ? { "x-ratelimit-global": "true" } : {}),
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(c);
  }
  return tooLarge ? undefined : Buffer.concat(chunks).toString("utf8");
}

type ErrorTree = { _errors?: { code: string; message: string }[]; [k: string]: unknown };

/**
 * Discord's checks of an Execute Webhook body, answered as Discord does: `undefined` when it
 * is fine, else the 400 body (`{"code": 50035, "message": "Invalid Form Body", "errors": …}`,
 * or 50006 for an empty message). Lengths are UTF-16 code units, at least as strict as Discord.
 */
export function validateDiscordMessage(body: unknown): Record<string, unknown> | undefined {
  if (!body || typeof body !== "object" || Array.isArray(body))
    return { message: "Cannot send an empty message", code: 50006 };
  const b = body as Record<string, unknown>;
  const errors: ErrorTree = {};
  const add = (path: (string | number)[], code: string, message: string) => {
    let node: ErrorTree = errors;
    for (const p of path) node = (node[String(p)] ??= {}) as ErrorTree;
    (node._errors ??= []).push({ code, message });
  };
  const maxLen = (path: (string | number)[], v: unknown, max: number, required = false) => {
    if (v === undefined && !required) return;
    if (typeof v !== "string") return add(path, "STRING_TYPE_CONVERT", "Could not interpret value as string.");
    if (required && v.length === 0) return add(path, "BASE_TYPE_REQUIRED", "This field is required");
    if (v.length > max) add(path, "BASE_TYPE_MAX_LENGTH", `Must be ${max} or fewer in length.`);
  };
  maxLen(["content"], b.content, DISCORD_LIMITS.content);
  const embeds = b.embeds;
  let total = 0;
  if (embeds !== undefined) {
    if (!Array.isArray(embeds)) add(["embeds"], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType");
    else {
      if (embeds.length > DISCORD_LIMITS.embeds)
        add(["embeds"], "BASE_TYPE_MAX_LENGTH", `Must be ${DISCORD_LIMITS.embeds} or fewer in length.`);
      embeds.forEach((e: DiscordEmbed, i) => {
        const at = (...p: (string | number)[]) => ["embeds", i, ...p];
        maxLen(at("title"), e.title, DISCORD_LIMITS.title);
        maxLen(at("description"), e.description, DISCORD_LIMITS.description);
        maxLen(at("footer", "text"), e.footer?.text, DISCORD_LIMITS.footer, e.footer !== undefined);
        maxLen(at("author", "name"), e.author?.name, DISCORD_LIMITS.author, e.author !== undefined);
        if (e.url !== undefined && (typeof e.url !== "string" || !/^https?:\/\//.test(e.url)))
          add(at("url"), "URL_TYPE_INVALID_URL", "Not a well formed URL.");
        if (e.color !== undefined && (!Number.isInteger(e.color) || e.color < 0 || e.color > 0xffffff))
          add(at("color"), "NUMBER_TYPE_MAX", "int value should be less than or equal to 16777215.");
        const fields = e.fields ?? [];
        if (fields.length > DISCORD_LIMITS.fields)
          add(at("fields"), "BASE_TYPE_MAX_LENGTH", `Must be ${DISCORD_LIMITS.fields} or fewer in length.`);
        fields.forEach((f, j) => {
          maxLen(at("fields", j, "name"), f?.name, DISCORD_LIMITS.fieldName, true);
          maxLen(at("fields", j, "value"), f?.value, DISCORD_LIMITS.fieldValue, true);
        });
        total += embedChars(e);
      });
    }
  }
  if (total > DISCORD_LIMITS.totalEmbedChars)
    add(["embeds"], "MAX_EMBED_SIZE_EXCEEDED", `Embed size exceeds maximum size of ${DISCORD_LIMITS.totalEmbedChars}`);
  if (Object.keys(errors).length) return { code: 50035, message: "Invalid Form Body", errors };
  const hasContent = typeof b.content === "string" && b.content.length > 0;
  if (!hasContent && !(Array.isArray(embeds) && embeds.length > 0))
    return { message: "Cannot send an empty message", code: 50006 };
  return undefined;
}

/** What counts towards Discord's 6,000 characters for one embed. */
export function embedChars(e: DiscordEmbed): number {
  const len = (s: unknown) => (typeof s === "string" ? s.length : 0);
  let n = len(e.title) + len(e.description) + len(e.footer?.text) + len(e.author?.name);
  for (const f of e.fields ?? []) n += len(f?.name) + len(f?.value);
  return n;
}
