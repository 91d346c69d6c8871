/**
 * The HTTP transport: one request URL (`/slack/events`) for events, interactions and slash
 * commands, plus `/healthz` (the process is up) and `/readyz` (it takes requests: 503 while
 * draining). Every request to `/slack/events` is checked before anything is parsed: size limit,
 * signature over the raw body, timestamp within ±5 minutes, and a signature seen before (a replay)
 * is refused unless Slack marked it as its own retry (X-Slack-Retry-Num), which is then
 * de-duplicated by event_id. Refusals are 401 with `X-Slack-No-Retry: 1`, and change nothing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { deliveryKey, type Dispatcher, type InboundKind, SeenSet } from "./dispatch.js";
import { answerProbe, listen, sendJson as send } from "./health.js";
import { type ServeLogger } from "./log.js";
import { MAX_SKEW_SECONDS, verifySignature } from "./verify.js";

export const EVENTS_PATH = "/slack/events";
/** Slack's payloads are small (a message's blocks at most ~50 KB); anything much larger is not Slack. */
export const DEFAULT_BODY_LIMIT = 256 * 1024;

export interface HttpReceiverOptions {
  signingSecret: string;
  port?: number;
  host?: string;
  bodyLimit?: number;
  /** For tests of the timestamp window. */
  now?: () => number;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export class HttpReceiver {
  private server: Server | undefined;
  private readonly signatures: SeenSet;
  private readonly now: () => number;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly logger: ServeLogger,
    private readonly options: HttpReceiverOptions,
  ) {
    if (options.signingSecret.length === 0)
      throw new TypeError("the signing secret is empty: every request would pass a check against it");
    this.now = options.now ?? Date.now;
    // A signature older than the window is refused as stale anyway: remember each for twice the window.
    this.signatures = new SeenSet(2 * MAX_SKEW_SECONDS * 1000, 100_000, this.now);
  }

  /** Listens; resolves with the bound address. */
  async start(): Promise<{ host: string; port: number; url: string }> {
    const server = createServer((req, res) => void this.onRequest(req, res));
    this.server = server;
    const at = await listen(server, this.options.port ?? 3000, this.options.host ?? "127.0.0.1");
    const url = `${at.url}${EVENTS_PATH}`;
    this.logger.log("info", "listening", { transport: "http", url });
    return { host: at.host, port: at.port, url };
  }

  /** Stops accepting connections; requests already read are answered (the dispatcher drains them). */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    try {
      if (answerProbe(req, res, () => (this.dispatcher.draining ? "draining" : undefined))) return;
      if (path !== EVENTS_PATH) return send(res, 404, { ok: false, error: "not_found" });
      if (req.method !== "POST") return send(res, 405, { ok: false, error: "method_not_allowed" }, { allow: "POST" });
      await this.onSlack(req, res);
    } catch (e) {
      if (e instanceof Refusal) {
        this.logger.log("warn", "request_refused", { transport: "http", status: e.status, reason: e.reason });
        if (!res.headersSent) send(res, e.status, { ok: false, error: e.reason }, { "x-slack-no-retry": "1" });
        if (e.status === 413) req.destroy();
        return;
      }
      this.logger.log("error", "request_failed", {
        transport: "http",
        error: e instanceof Error ? e.message : String(e),
      });
      if (!res.headersSent) send(res, 500, { ok: false, error: "internal_error" });
    }
  }

  private async onSlack(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.dispatcher.draining) {
      // Not X-Slack-No-Retry: Slack should try again, and will reach another replica.
      return send(res, 503, { ok: false, error: "draining" }, { connection: "close" });
    }
    const body = await readBody(req, this.options.bodyLimit ?? DEFAULT_BODY_LIMIT);
    const contentType = String(req.headers["content-type"] ?? "")
      .split(";")[0]!
      .trim()
      .toLowerCase();
    // Slack's ssl_check is unsigned: answer it only when it is exactly that and nothing else.
    if (contentType === "application/x-www-form-urlencoded") {
      const form = new URLSearchParams(body.toString("utf8"));
      if (form.get("ssl_check") === "1" && [...form.keys()].every((k) => k === "ssl_check" || k === "token"))
        return send(res, 200, { ok: true });
    }
    const check = verifySignature(
      this.options.signingSecret,
      { timestamp: header(req, "x-slack-request-timestamp"), signature: header(req, "x-slack-signature") },
      body,
      this.now(),
    );
    if (!check.ok) throw new Refusal(401, check.reason);
    const retryNum = header(req, "x-slack-retry-num");
    if (!this.signatures.claim(header(req, "x-slack-signature")!) && retryNum === undefined)
      throw new Refusal(401, "replayed");

    let kind: InboundKind;
    let payload: Record<string, unknown>;
    if (contentType === "application/json") {
      payload = parseObject(body.toString("utf8"));
      if (payload["type"] === "url_verification" && typeof payload["challenge"] === "string")
        return send(res, 200, { challenge: payload["challenge"] });
      if (payload["type"] !== "event_callback") throw new Refusal(400, "unsupported_payload");
      kind = "events_api";
    } else if (contentType === "application/x-www-form-urlencoded") {
      const form = new URLSearchParams(body.toString("utf8"));
      const raw = form.get("payload");
      if (raw !== null) {
        kind = "interactive";
        payload = parseObject(raw);
      } else if (form.get("command") !== null) {
        kind = "slash_commands";
        payload = Object.fromEntries(form);
      } else throw new Refusal(400, "unsupported_payload");
    } else throw new Refusal(415, "unsupported_media_type");

    const answer = await this.dispatcher.receive({
      kind,
      transport: "http",
      payload,
      key: deliveryKey(kind, payload, header(req, "x-slack-signature")!),
    });
    if (answer === "draining") return send(res, 503, { ok: false, error: "draining" }, { connection: "close" });
    if (answer === undefined) {
      res.writeHead(200, { "content-length": "0" });
      res.end();
      return;
    }
    send(res, 200, answer);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function parseObject(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Refusal(400, "invalid_json");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Refusal(400, "invalid_json");
  return v as Record<string, unknown>;
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw new Refusal(413, "body_too_large");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Refusal(413, "body_too_large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
