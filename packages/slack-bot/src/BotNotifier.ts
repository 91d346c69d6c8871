import {
  type DeliveryFailure,
  type Destination,
  type Notifier,
  type NotifyConfig,
  type OutboundMessage,
  type PluginHost,
  type SendContext,
  type SendResult,
  readBoundedBody,
  type Secret,
  UserError,
  TOKENS,
} from "@socket-notify/core";
import { requestSignal, ResponseTooLargeError, type FetchFunction } from "@socket-notify/core/internal";
import { ErrorCode, LogLevel, WebClient, type Logger as SlackLogger } from "@slack/web-api";
import { inject, injectable } from "tsyringe";
import { type BotAddress, type BotSettings, botSettings, CHANNEL_ID, TOKEN_ENV } from "./options.js";

const BUG_HINT =
  "Slack rejected the message content: this is a bug in socket-notify, please report it with the payload from `send --dry-run --out DIR`";
const DEAD_TOKEN = new Set([
  "invalid_auth",
  "token_revoked",
  "account_inactive",
  "token_expired",
  "not_authed",
  "not_allowed_token_type",
  "team_access_not_granted",
]);
const TRANSIENT = new Set([
  "internal_error",
  "service_unavailable",
  "request_timeout",
  "team_added_to_org",
  "fatal_error",
]);

/** Errors that mean the channel cannot take the app's messages in this run: its later pages are not attempted. */
const CHANNEL_UNUSABLE = new Set([
  "channel_not_found",
  "is_archived",
  "channel_is_archived",
  "not_in_channel",
  "missing_scope",
  "restricted_action",
  "restricted_action_read_only_channel",
  "action_prohibited",
  "team_disabled",
]);

/** Slack Web API errors (slack-platform.md §3) → what the engine should do, and what the user should do. */
export function classifyPlatformError(
  error: string,
  target: string,
  appName: string,
  needed?: string,
): DeliveryFailure {
  const chan = target.startsWith("#") ? target : `<#${target}>`;
  const hints: Record<string, string> = {
    not_in_channel: `invite the app: /invite @${appName} in ${chan}, or grant the chat:write.public scope (public channels)`,
    channel_not_found: `check the channel name or ID; private channels need the app invited (and groups:read to find them by name)`,
    is_archived: `unarchive ${chan} or remove it from bot_configs`,
    missing_scope: `add the ${needed ?? "missing"} scope under OAuth & Permissions and reinstall the app`,
    restricted_action: "a workspace setting stops the app from posting there; ask an admin",
    restricted_action_read_only_channel: `${chan} is read-only for apps`,
  };
  if (DEAD_TOKEN.has(error)) {
    return {
      code: error,
      message: `Slack says ${error}: the token does not work`,
      hint: `the token is dead: put a valid Bot User OAuth Token (xoxb-) in ${TOKEN_ENV}; reinstall the app if it was revoked`,
      retry: "never",
      // Nothing this token sends can succeed: the run stops.
      scope: "notifier",
    };
  }
  if (error === "ratelimited" || error === "rate_limited" || error === "message_limit_exceeded") {
    return {
      code: error,
      message: `Slack says ${error}`,
      retry: error === "message_limit_exceeded" ? "never" : "after",
      retryAfterMs: 1000,
    };
  }
  if (TRANSIENT.has(error)) {
    // fatal_error: "the operation may have partly succeeded": a retry may duplicate.
    return {
      code: error,
      message: `Slack had a problem (${error})`,
      retry: "backoff",
      ...(error === "fatal_error" ? { maybeDelivered: true } : {}),
    };
  }
  if (
    [
      "invalid_blocks",
      "invalid_blocks_format",
      "msg_blocks_too_long",
      "no_text",
      "msg_too_long",
      "invalid_arguments",
    ].includes(error)
  ) {
    return { code: error, message: `Slack rejected the message (${error})`, hint: BUG_HINT, retry: "never" };
  }
  const hint = hints[error];
  return {
    code: error,
    message: `Slack says ${error}${error === "missing_scope" && needed ? ` (needs ${needed})` : ""}`,
    ...(hint ? { hint } : {}),
    retry: "never",
    ...(CHANNEL_UNUSABLE.has(error) ? { scope: "destination" as const } : {}),
  };
}

interface SlackErrorShape {
  code?: string;
  data?: { error?: string; needed?: string };
  retryAfter?: number;
  statusCode?: number;
  original?: unknown;
  cause?: unknown;
}

/** Slack answers in kilobytes; a conversations.list page of 200 channels is well under this. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/**
 * Posts with chat.postMessage through @slack/web-api, configured so core owns retries and
 * pacing: no SDK retries, rate-limited calls rejected at once. Time is ours too: every request
 * goes through `boundedFetch` with the run's signal (per-request timeout, budget), so neither a
 * silent server nor one that drips headers or a body keeps a request (or the process) alive.
 */
@injectable()
export class BotNotifier implements Notifier {
  private readonly settings: BotSettings;
  private appName = "your-app";
  /** The config's `request_timeout`: only for SDK calls made without a run's signal (none today). */
  private readonly defaultTimeoutMs: number;

  /** Everything it needs comes from the host: fetch (with the run's proxy), logger, scrub, classification. */
  constructor(
    @inject(TOKENS.Config) config: NotifyConfig,
    @inject(TOKENS.Host) private readonly host: PluginHost,
  ) {
    this.settings = botSettings(config, host);
    this.defaultTimeoutMs = Math.round(((config.request_timeout as number | undefined) ?? 10) * 1000);
  }

  /**
   * A client whose every request ends when `signal` fires. One per call: the SDK has no
   * per-call signal, and its own `timeout` is an `AbortSignal.timeout` from the config only,
   * which does not bound a body read the way ours does.
   */
  private client(signal: AbortSignal): WebClient {
    const token = this.requireToken();
    return new WebClient(token.reveal(), {
      slackApiUrl: this.settings.apiUrl,
      // The SDK's default retries for ~30 minutes and has no timeout (toolchain.md §7): wrong for CI.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 0,
      // Core's fetch (it honours HTTPS_PROXY/NO_PROXY), bounded: the SDK's requests are fetch calls.
      fetch: boundedFetch(this.host.fetch, signal),
      logger: this.sdkLogger(),
      logLevel: LogLevel.ERROR,
    });
  }

  /** A request of setup: ends at the run's per-request timeout or when the budget (`signal`) ends. */
  private async call<T>(signal: AbortSignal, timeoutMs: number, f: (c: WebClient) => Promise<T>): Promise<T> {
    const request = requestSignal(signal, timeoutMs);
    try {
      return await withSignal(f(this.client(request.signal)), request.signal);
    } finally {
      request.done();
    }
  }

  private sdkLogger(): SlackLogger {
    const scrub = (args: unknown[]) => this.host.scrub(args.map(String).join(" "));
    // Given a logger, the SDK ignores `logLevel` and calls every method: its debug/info lines
    // are every request and response body in full (megabytes for a big report). Keep only
    // its warnings and errors, as our debug lines (we report failures ourselves).
    return {
      debug: () => {},
      info: () => {},
      warn: (...a: unknown[]) => this.host.logger.debug(`slack sdk: ${scrub(a)}`),
      error: (...a: unknown[]) => this.host.logger.debug(`slack sdk: ${scrub(a)}`),
      setLevel: () => {},
      getLevel: () => LogLevel.ERROR,
      setName: () => {},
    };
  }

  private requireToken(): Secret {
    if (!this.settings.token) {
      throw new UserError("token_missing", `${TOKEN_ENV} is not set: bot mode needs a bot token`, {
        hint: `set ${TOKEN_ENV} to the Bot User OAuth Token (xoxb-…) from your app's OAuth & Permissions page`,
      });
    }
    return this.settings.token;
  }

  /**
   * One auth.test, then one paginated conversations.list to turn channel names into IDs. Each
   * request ends after `ctx.timeoutMs`; when the run's budget (`signal`) ends, setup stops and
   * rejects, and core fails every message with that reason (report, outbox, exit 1).
   */
  async prepare(destinations: Destination[], signal: AbortSignal, ctx?: { timeoutMs: number }): Promise<Destination[]> {
    this.requireToken();
    const timeoutMs = ctx?.timeoutMs ?? this.defaultTimeoutMs;
    try {
      const auth = await this.call(signal, timeoutMs, (c) => c.auth.test());
      if (typeof auth.user === "string" && auth.user) this.appName = auth.user;
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      const err = e as SlackErrorShape;
      const code = err.data?.error;
      if (code && DEAD_TOKEN.has(code)) {
        throw new UserError("token_invalid", `${TOKEN_ENV}: Slack says ${code}: the bot token does not work`, {
          hint: "copy the Bot User OAuth Token (xoxb-) from OAuth & Permissions; reinstall the app if it was revoked",
        });
      }
      this.host.logger.warn(
        `auth.test failed (${this.host.scrub(code ?? this.failureText(e, timeoutMs))}); sending anyway`,
      );
    }

    const names = new Set(
      destinations.map((d) => (d.address as BotAddress).channel).filter((c) => !CHANNEL_ID.test(c)),
    );
    if (!names.size) return destinations;
    const ids = new Map<string, string>();
    const walk = async (types: string) => {
      let cursor: string | undefined;
      // Tier 2 method (20+/min): one paginated walk per run, 200 per page.
      for (let page = 0; page < 100; page++) {
        const res = await this.call(signal, timeoutMs, (c) =>
          c.conversations.list({ types, exclude_archived: false, limit: 200, ...(cursor ? { cursor } : {}) }),
        );
        for (const c of res.channels ?? []) if (c.name && c.id) ids.set(c.name.toLowerCase(), c.id);
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!cursor || [...names].every((n) => ids.has(n))) break;
      }
    };
    try {
      try {
        await walk("public_channel,private_channel");
      } catch (e) {
        // Many bots have channels:read but not groups:read: still resolve the public names.
        if ((e as SlackErrorShape).data?.error !== "missing_scope") throw e;
        this.host.logger.debug(
          "conversations.list: no groups:read scope; resolving public channel names only (give private channels by ID)",
        );
        await walk("public_channel");
      }
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      const err = e as SlackErrorShape;
      this.host.logger.warn(
        `cannot list channels to resolve names (${this.host.scrub(err.data?.error ?? this.failureText(e, timeoutMs))}${err.data?.needed ? `, needs ${this.host.scrub(err.data.needed)}` : ""}); posting by name, which works for public channels`,
      );
    }
    return destinations.map((d) => {
      const a = d.address as BotAddress;
      const id = ids.get(a.channel);
      return id ? { ...d, key: `channel:${id}`, address: { ...a, channel: id } } : d;
    });
  }

  /** A failed setup request in words: the classified failure (timeout, network…), never a raw SDK code. */
  private failureText(e: unknown, timeoutMs: number): string {
    const f = this.classify(e, "", { signal: new AbortController().signal, attempt: 1, timeoutMs });
    return `${f.code}: ${f.message}`;
  }

  async send(message: OutboundMessage, ctx: SendContext): Promise<SendResult> {
    const client = this.client(ctx.signal);
    const a = message.destination.address as BotAddress;
    try {
      const res = await withSignal<{ ts?: string; channel?: string }>(
        message.updateTs
          ? client.chat.update({
              channel: a.channel,
              ts: message.updateTs,
              text: message.payload.text,
              blocks: message.payload.blocks,
            })
          : client.chat.postMessage({
              channel: a.channel,
              text: message.payload.text,
              blocks: message.payload.blocks,
              unfurl_links: false,
              unfurl_media: false,
              ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
            }),
        ctx.signal,
      );
      const out: SendResult = { ok: true };
      if (res.ts) out.ts = res.ts;
      if (res.channel) out.channel = res.channel;
      return out;
    } catch (e) {
      return { ok: false, failure: this.classify(e, message.destination.target, ctx) };
    }
  }

  private classify(e: unknown, target: string, ctx: SendContext): DeliveryFailure {
    const err = e as SlackErrorShape;
    switch (err.code) {
      case ErrorCode.PlatformError:
        return classifyPlatformError(err.data?.error ?? "unknown_error", target, this.appName, err.data?.needed);
      case ErrorCode.RateLimitedError:
        return {
          code: "rate_limited",
          message: `rate limited (HTTP 429, Retry-After ${err.retryAfter ?? 1} s)`,
          retry: "after",
          retryAfterMs: (err.retryAfter ?? 1) * 1000,
        };
      case ErrorCode.HTTPError:
        return this.host.classifyHttpStatus(err.statusCode ?? 0, "", null);
      case ErrorCode.RequestError:
        return this.host.classifyNetworkError(err.original ?? err.cause ?? e, ctx.timeoutMs);
      default:
        if ((e as Error)?.name === "TimeoutError" || (e as Error)?.name === "AbortError")
          return this.host.classifyNetworkError(e, ctx.timeoutMs);
        return { code: "error", message: this.host.scrub((e as Error)?.message ?? String(e)), retry: "never" };
    }
  }
}

/**
 * The SDK's fetch: the run's signal on every request (the SDK's own, from its `timeout`, is
 * replaced), and the body read here, bounded in size and by the same signal, so the SDK gets a
 * complete response or an error, never a connection still dripping after the run.
 */
function boundedFetch(base: FetchFunction, signal: AbortSignal): FetchFunction {
  return async (input, init) => {
    const res = await base(input, { ...init, signal });
    const { bytes, truncated } = await readBoundedBody(res, signal, MAX_RESPONSE_BYTES);
    if (truncated) throw new ResponseTooLargeError(MAX_RESPONSE_BYTES);
    const empty = bytes.byteLength === 0 || res.status === 204 || res.status === 304;
    return new Response(empty ? null : bytes, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/** WebClient calls take no AbortSignal: stop waiting when ours fires (boundedFetch also ends the request itself). */
function withSignal<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The call was already started and its fetch is aborted: it will reject too, unobserved
    // (an unhandled rejection, which ends a Node process by default).
    p.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
