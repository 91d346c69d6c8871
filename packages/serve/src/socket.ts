/**
 * The Socket Mode transport, our own small client on `ws` rather than `@slack/socket-mode`.
 * The failure modes its users report are all in that client's connection state machine, which a
 * wrapper cannot reach into (socket-mode-protocol.md):
 * - after any `disconnect` frame it closes first and reconnects ~5 s later, so clicks in that gap
 *   fail; here every slot opens its replacement first and closes the old socket only once the new
 *   one has said hello, and there are two slots by default, so one is always open;
 * - a network error during `apps.connections.open` on reconnect is an unhandled rejection or a
 *   socket that stays dead; here every attempt is one awaited loop with a timeout and backoff;
 * - its server-ping watchdog starts only after a first server ping; here each socket is pinged
 *   and one that answers nothing (no pong, no frame) within the timeout is dropped and replaced.
 * Only errors that retrying cannot fix (a wrong token, Socket Mode off) stop it, loudly.
 */
import { setTimeout as sleep } from "node:timers/promises";
import WebSocket from "ws";
import { deliveryKey, type Dispatcher, errorText, type InboundKind } from "./dispatch.js";
import { type ServeLogger } from "./log.js";

export interface SocketModeOptions {
  /** The app-level token (`xapp-…`, scope `connections:write`). */
  appToken: string;
  /** Web API base, e.g. `https://slack.com/api/` (the emulator's `apiUrl` in tests). */
  apiUrl: string;
  /** Connections kept open at once (Slack allows 10 per app). @default 2 */
  connections?: number;
  /** How often each socket is pinged. @default 5000 */
  pingIntervalMs?: number;
  /** A socket that answers nothing for this long is replaced. @default 15000 */
  silentTimeoutMs?: number;
  /** apps.connections.open, the upgrade and the hello frame, together. @default 10000 */
  openTimeoutMs?: number;
  /** A refreshed connection is closed after this long without an envelope on it… @default 1000 */
  retireIdleMs?: number;
  /** …or this long after its replacement opened, whichever comes first. @default 10000 */
  retireMaxMs?: number;
  /** Reconnect backoff bounds. @default { minMs: 500, maxMs: 30000 } */
  backoff?: { minMs: number; maxMs: number };
  fetch?: typeof fetch;
}

/** Retrying does not help: the token is wrong or the app is not set up for Socket Mode. */
export class SocketModeSetupError extends Error {
  constructor(readonly code: string) {
    super(
      code === "not_allowed_token_type"
        ? "apps.connections.open refused the token: Socket Mode needs the app-level token (xapp-…), not a bot or user token"
        : `apps.connections.open failed: ${code}`,
    );
    this.name = "SocketModeSetupError";
  }
}

const FATAL = new Set(["not_authed", "invalid_auth", "not_allowed_token_type", "account_inactive", "token_revoked"]);
const KINDS = new Set<InboundKind>(["interactive", "slash_commands", "events_api"]);

interface Conn {
  readonly id: number;
  readonly ws: WebSocket;
  lastHeard: number;
  /** When the last envelope came (for retiring a refreshed connection in a quiet moment). */
  lastEnvelope: number;
  /** Resolves with why the connection is ending: `disconnect:<reason>` (still open) or its close. */
  readonly ending: Promise<string>;
  /** Resolves when the hello frame has come. */
  readonly hello: Promise<void>;
  /** Resolves when the socket has closed (Slack answered our close frame, or it broke). */
  readonly closed: Promise<void>;
}

export class SocketModeReceiver {
  private readonly open = new Set<Conn>();
  private stopping = false;
  private nextId = 1;
  private readonly loops: Promise<void>[] = [];
  private readonly pendingAcks = new Set<Promise<void>>();
  private fatal: SocketModeSetupError | undefined;
  private finished: Promise<void> = Promise.resolve();
  private readonly wake = new AbortController();
  private readonly opts: Required<Omit<SocketModeOptions, "fetch">> & { fetch: typeof fetch };

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly logger: ServeLogger,
    options: SocketModeOptions,
  ) {
    if (!options.appToken.startsWith("xapp-"))
      throw new SocketModeSetupError(
        /^xox[bp]-/.test(options.appToken) ? "not_allowed_token_type" : "the app-level token must start with xapp-",
      );
    this.opts = {
      connections: 2,
      pingIntervalMs: 5000,
      silentTimeoutMs: 15_000,
      openTimeoutMs: 10_000,
      retireIdleMs: 1000,
      retireMaxMs: 10_000,
      backoff: { minMs: 500, maxMs: 30_000 },
      fetch,
      ...options,
    };
  }

  /** Open connections (said hello, not closed yet). */
  get openConnections(): number {
    return this.open.size;
  }

  /** For `/readyz`: undefined when it takes envelopes (a connection is open), else why not. */
  readiness(): string | undefined {
    if (this.stopping) return "stopping";
    return [...this.open].some((c) => c.ws.readyState === WebSocket.OPEN)
      ? undefined
      : "no Socket Mode connection open";
  }

  /**
   * Starts the connection slots; resolves once the first connection is ready, rejects with
   * SocketModeSetupError when Slack refuses the token (then nothing keeps running).
   */
  async start(): Promise<void> {
    let first!: () => void;
    const ready = new Promise<void>((r) => (first = r));
    for (let slot = 0; slot < this.opts.connections; slot++) this.loops.push(this.slot(slot, first));
    this.finished = Promise.all(this.loops).then(() => {
      if (this.fatal !== undefined) throw this.fatal;
    });
    // Observed through start() or ended(); never an unhandled rejection.
    this.finished.catch(() => undefined);
    await Promise.race([ready, this.finished]);
  }

  /** Settles when the receiver has stopped: rejects with SocketModeSetupError if Slack refused the token later. */
  ended(): Promise<void> {
    return this.finished;
  }

  /**
   * Stops taking envelopes without losing one. Closing is the only way to tell Slack to stop
   * sending on a socket, and an envelope it sends while our close frame is on the way still
   * arrives. So: no reconnects; the sockets are closed one at a time, and until the last one an
   * envelope arriving on a closing socket is taken and acked on one still open; the last one is
   * closed in a quiet moment once every ack being prepared is sent; an envelope that arrives
   * after that is neither taken nor acked, so Slack redelivers it (to another replica). The
   * caller then drains the dispatcher: the work of every envelope acked is finished before exit.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    const closeAndWait = async (c: Conn) => {
      c.ws.close(1000);
      // Slack answers a close frame at once; one that does not is cut off rather than waited for.
      const cut = setTimeout(() => c.ws.terminate(), 5000);
      await c.closed;
      clearTimeout(cut);
    };
    for (;;) {
      const live = [...this.open].filter((c) => c.ws.readyState === WebSocket.OPEN);
      if (live.length > 1) await closeAndWait(live[0] as Conn);
      else if (live.length === 1) {
        const last = live[0] as Conn;
        await this.quiet(last, () => this.pendingAcks.size === 0);
        // Still open, and nothing came meanwhile that needs it: close it in this same tick.
        if (last.ws.readyState === WebSocket.OPEN && this.pendingAcks.size === 0) await closeAndWait(last);
      } else break;
    }
    while (this.pendingAcks.size > 0) await Promise.allSettled([...this.pendingAcks]);
    for (const c of this.open) c.ws.terminate();
    await Promise.allSettled(this.loops);
  }

  /**
   * Waits until no envelope has come on `conn` for `retireIdleMs` and `ready()` holds (at most
   * `retireMaxMs`, then as soon as `ready()` holds), or until the socket is no longer open.
   */
  private async quiet(conn: Conn, ready: () => boolean = () => true): Promise<void> {
    const started = Date.now();
    while (conn.ws.readyState === WebSocket.OPEN) {
      const calm = Date.now() - conn.lastEnvelope >= this.opts.retireIdleMs;
      if (ready() && (calm || Date.now() - started >= this.opts.retireMaxMs)) return;
      await sleep(25);
    }
  }

  /**
   * One slot: keeps one connection open for as long as the receiver runs. When Slack asks a
   * connection to go (refresh_requested, warning…), the replacement is opened first and the old
   * socket, which still takes and acks envelopes meanwhile, is closed only once it is ready.
   */
  private async slot(slot: number, onReady: () => void): Promise<void> {
    let conn: Conn | undefined;
    let failures = 0;
    while (!this.stopping) {
      if (conn === undefined || conn.ws.readyState !== WebSocket.OPEN) {
        try {
          conn = await this.connect(slot);
          failures = 0;
          onReady();
        } catch (e) {
          conn = undefined;
          if (this.isFatal(e)) return;
          failures++;
          this.logger.log("warn", "socket_connect_failed", { slot, attempt: failures, error: errorText(e) });
          await this.backoff(failures);
          continue;
        }
      }
      const ending = await conn.ending;
      if (this.stopping) return;
      if (!ending.startsWith("disconnect")) {
        this.logger.log("info", "socket_closed", { connection: conn.id, slot, reason: ending });
        conn = undefined;
        continue;
      }
      this.logger.log("info", "socket_refresh", { connection: conn.id, slot, reason: ending });
      const old = conn;
      conn = undefined;
      while (!this.stopping && conn === undefined) {
        try {
          conn = await this.connect(slot);
          failures = 0;
        } catch (e) {
          if (this.isFatal(e)) return;
          failures++;
          this.logger.log("warn", "socket_connect_failed", { slot, attempt: failures, error: errorText(e) });
          if (old.ws.readyState !== WebSocket.OPEN) break;
          await this.backoff(failures);
        }
      }
      void this.retire(old);
    }
  }

  /**
   * Closes a connection Slack asked us to leave, once its replacement is open: not at once, but
   * when no envelope has come on it for `retireIdleMs` (at most `retireMaxMs`). An envelope Slack
   * sends while our close frame is on its way is lost on the server side, so the close waits for
   * a quiet moment; acks for envelopes it still brings go out on any open socket.
   */
  private async retire(conn: Conn): Promise<void> {
    await this.quiet(conn, () => !this.stopping);
    // Stopping meanwhile: stop() closes it in turn, with the others.
    if (!this.stopping) conn.ws.close(1000);
  }

  private isFatal(e: unknown): boolean {
    if (!(e instanceof SocketModeSetupError)) return false;
    if (this.fatal === undefined) {
      this.fatal = e;
      this.logger.log("error", "socket_setup_failed", { code: e.code });
    }
    this.stopping = true;
    this.wake.abort();
    for (const c of this.open) c.ws.close(1000);
    return true;
  }

  private async backoff(failures: number): Promise<void> {
    const { minMs, maxMs } = this.opts.backoff;
    const ms = Math.min(maxMs, minMs * 2 ** (failures - 1)) * (0.5 + Math.random() / 2);
    await sleep(ms, undefined, { signal: this.wake.signal }).catch(() => undefined);
  }

  /** apps.connections.open, the upgrade, and the hello frame, within openTimeoutMs; then serves it. */
  private async connect(slot: number): Promise<Conn> {
    const deadline = AbortSignal.any([AbortSignal.timeout(this.opts.openTimeoutMs), this.wake.signal]);
    const res = await this.opts.fetch(new URL("apps.connections.open", this.opts.apiUrl), {
      method: "POST",
      headers: {
        authorization: `Bearer ${this.opts.appToken}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      signal: deadline,
    });
    const text = await res.text();
    let body: { ok?: boolean; url?: string; error?: string };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new Error(`apps.connections.open answered HTTP ${res.status} without JSON`);
    }
    if (body.ok !== true || typeof body.url !== "string") {
      const code = body.error ?? `HTTP ${res.status}`;
      if (FATAL.has(code)) throw new SocketModeSetupError(code);
      throw new Error(`apps.connections.open failed: ${code}`);
    }
    const ws = new WebSocket(body.url, { handshakeTimeout: this.opts.openTimeoutMs });
    const conn = this.wire(this.nextId++, ws);
    try {
      await new Promise<void>((resolve, reject) => {
        deadline.addEventListener("abort", () => reject(new Error("no hello from Slack in time")), { once: true });
        ws.once("unexpected-response", (_req, r) => reject(new Error(`upgrade refused: HTTP ${r.statusCode}`)));
        void conn.hello.then(resolve);
        void conn.ending.then((why) => reject(new Error(`socket ended before hello: ${why}`)));
      });
    } catch (e) {
      ws.terminate();
      throw e;
    }
    this.logger.log("info", "socket_ready", { connection: conn.id, slot, open: this.open.size });
    return conn;
  }

  /**
   * Wires a socket from its first byte, so an envelope in the same read as the hello frame is not
   * missed: envelopes, disconnect frames, the watchdog, and its end.
   */
  private wire(id: number, ws: WebSocket): Conn {
    let end!: (why: string) => void;
    let helloed!: () => void;
    let shut!: () => void;
    const conn: Conn = {
      id,
      ws,
      lastHeard: Date.now(),
      lastEnvelope: 0,
      ending: new Promise<string>((r) => (end = r)),
      hello: new Promise<void>((r) => (helloed = r)),
      closed: new Promise<void>((r) => (shut = r)),
    };
    ws.on("error", (e) => this.logger.log("warn", "socket_error", { connection: id, error: errorText(e) }));
    const heard = () => (conn.lastHeard = Date.now());
    ws.on("pong", heard);
    ws.on("ping", heard);
    let silent = false;
    const watchdog = setInterval(() => {
      if (Date.now() - conn.lastHeard > this.opts.silentTimeoutMs) {
        silent = true;
        this.logger.log("warn", "socket_silent", { connection: id, ms: Date.now() - conn.lastHeard });
        ws.terminate();
      } else if (ws.readyState === WebSocket.OPEN) ws.ping();
    }, this.opts.pingIntervalMs);
    ws.on("message", (data, isBinary) => {
      heard();
      if (isBinary) return;
      const frame = parse(data.toString());
      if (frame === undefined) return;
      if (frame["type"] === "hello") {
        this.open.add(conn);
        helloed();
      } else if (frame["type"] === "disconnect") end(`disconnect:${String(frame["reason"])}`);
      else if (typeof frame["envelope_id"] === "string") {
        conn.lastEnvelope = Date.now();
        this.onEnvelope(conn, frame);
      }
    });
    ws.once("close", (code) => {
      clearInterval(watchdog);
      this.open.delete(conn);
      end(`${silent ? "silent" : "closed"} (code ${code})`);
      shut();
    });
    return conn;
  }

  private onEnvelope(conn: Conn, frame: Record<string, unknown>): void {
    const envelopeId = frame["envelope_id"] as string;
    const kind = frame["type"] as InboundKind;
    const payload = frame["payload"];
    if (this.ackTarget(conn) === undefined) {
      // Our close frame crossed it: no socket left to ack on. Not taken, so Slack sends it again.
      this.logger.log("info", "envelope_not_taken", {
        connection: conn.id,
        envelope_id: envelopeId,
        reason: "closing",
      });
      return;
    }
    if (!KINDS.has(kind) || typeof payload !== "object" || payload === null) {
      this.logger.log("warn", "envelope_unknown", { connection: conn.id, type: String(frame["type"]) });
      this.ack(conn, envelopeId, undefined);
      return;
    }
    const job = (async () => {
      const answer = await this.dispatcher.receive({
        kind,
        transport: "socket",
        payload: payload as Record<string, unknown>,
        key: deliveryKey(kind, payload as Record<string, unknown>, envelopeId),
        envelopeId,
      });
      // Draining: no ack, so Slack gives the envelope to another connection (another replica).
      if (answer !== "draining") this.ack(conn, envelopeId, answer);
    })().catch((e: unknown) =>
      this.logger.log("error", "envelope_failed", { envelope_id: envelopeId, error: errorText(e) }),
    );
    this.pendingAcks.add(job);
    void job.finally(() => this.pendingAcks.delete(job));
  }

  /** The socket an ack for an envelope that came on `conn` goes out on: that one, or any still open. */
  private ackTarget(conn: Conn): Conn | undefined {
    return conn.ws.readyState === WebSocket.OPEN
      ? conn
      : [...this.open].find((c) => c.ws.readyState === WebSocket.OPEN);
  }

  /** Acks on the socket the envelope came on, or, if that one has closed meanwhile, on any open one. */
  private ack(conn: Conn, envelopeId: string, payload: Record<string, unknown> | undefined): void {
    const frame = JSON.stringify(
      payload === undefined ? { envelope_id: envelopeId } : { envelope_id: envelopeId, payload },
    );
    const target = this.ackTarget(conn);
    if (target === undefined) {
      this.logger.log("warn", "ack_lost", { envelope_id: envelopeId, reason: "no open socket" });
      return;
    }
    target.ws.send(frame);
  }
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
