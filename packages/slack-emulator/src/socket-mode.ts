/**
 * Socket Mode over a real WebSocket (`ws`), as `@slack/socket-mode` expects it: an upgrade at
 * `/link/?ticket=…` with a single-use ticket from apps.connections.open, a `hello` frame, then
 * envelopes that the client acks by `envelope_id`. Each envelope goes to one ready connection
 * (round robin), or, when asked, to a chosen one or to every open one under one `envelope_id`
 * (as Slack redelivers an unacked envelope on another connection). An envelope not acked within the deadline fails (interactive, slash
 * commands) or is redelivered with `retry_attempt`/`retry_reason` (events). Faults make the
 * client's reconnect paths testable: no pongs, a socket dropped without a close frame, a refused
 * upgrade, a slow hello; `disconnect` frames are sent on request.
 */
import { randomUUID } from "node:crypto";
import { type IncomingMessage } from "node:http";
import { type Duplex } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { type WebSocket, WebSocketServer } from "ws";
import { type AppState } from "./app-state.js";

export type EnvelopeType = "events_api" | "interactive" | "slash_commands";
export type DisconnectReason = "warning" | "refresh_requested" | "link_disabled" | "too_many_websockets";
export const DISCONNECT_REASONS: readonly DisconnectReason[] = [
  "warning",
  "refresh_requested",
  "link_disabled",
  "too_many_websockets",
];

export type SocketFaultKind = "no_pong" | "drop" | "refuse_upgrade" | "hello_delay";
export const SOCKET_FAULT_KINDS: readonly SocketFaultKind[] = ["no_pong", "drop", "refuse_upgrade", "hello_delay"];

/**
 * `no_pong` (open connections stop answering the client's pings) and `drop` (open connections
 * are destroyed without a close frame) act at once; `refuse_upgrade` (HTTP `status`, 409 or 500)
 * and `hello_delay` (`ms` before hello) apply to the next `count` connection attempts.
 */
export interface SocketFault {
  readonly kind: SocketFaultKind;
  /** refuse_upgrade: @default 409 */
  readonly status?: number;
  /** hello_delay: milliseconds. */
  readonly ms?: number;
  /** refuse_upgrade, hello_delay: how many connection attempts. @default 1 */
  readonly count?: number;
  /** no_pong, drop: only this connection (its `id`). @default all open connections */
  readonly connection?: number;
}

/**
 * Where an envelope goes: a connection's `id`, or `"all"`: every open connection gets the same
 * envelope (same `envelope_id`). Without one, the next open connection in turn.
 */
export type SocketTarget = number | "all";

export interface SocketConnectionInfo {
  /** 1, 2, 3… in the order connections were accepted. */
  id: number;
  state: "connecting" | "open" | "closed";
  opened_at: string;
  hello_at?: string;
  closed_at?: string;
  close_code?: number;
  /** How it ended: the client closed, the emulator dropped it, or it was over the limit. */
  ended_by?: "client" | "drop" | "too_many_websockets" | "emulator";
  /** Envelopes sent on it. */
  envelopes: number;
  /** The client's pings seen, and whether they are answered. */
  pings_received: number;
  answers_pings: boolean;
}

export interface EnvelopeRecord {
  envelope_id: string;
  type: EnvelopeType;
  connection: number;
  sent_at: string;
  retry_attempt?: number;
  retry_reason?: string;
  /**
   * `acked` within the deadline, `timeout` without an ack, `pending` until one of them. An
   * envelope sent on several connections has a record per connection, each acked on its own.
   */
  outcome: "pending" | "acked" | "timeout";
  ack_ms?: number;
  /** The ack's `payload`, if it had one. */
  ack_payload?: unknown;
  /** Set on an events_api envelope when the event is redelivered. */
  event_id?: string;
}

export interface AckRecord {
  envelope_id: string;
  connection: number;
  at: string;
  payload?: unknown;
  /** Came after the deadline (the user already saw a failure, or the event was redelivered). */
  late?: boolean;
  /** Another ack of an envelope already acked (it was sent on several connections, or acked twice). */
  duplicate?: boolean;
  /** Names no envelope the emulator sent. */
  unknown?: boolean;
}

export interface SocketState {
  connections: SocketConnectionInfo[];
  envelopes: EnvelopeRecord[];
  acks: AckRecord[];
  /** Envelopes that were redeliveries of an unacked event (retry_attempt ≥ 1). */
  redeliveries: EnvelopeRecord[];
}

export interface SocketDelivery {
  /** Sent on some connection. False when no connection was ready. */
  delivered: boolean;
  acked: boolean;
  ack_ms?: number;
  /** The ack's payload. */
  response?: unknown;
  envelope_id?: string;
  /**
   * The connection whose ack answered it; unacked, the one it went on (the first of several).
   * With `"all"`, the ack that counted may come on any of them, as Slack takes the first.
   */
  connection?: number;
  /** Every connection it went on, when the target was `"all"`. */
  connections?: number[];
}

export interface SocketOptions {
  readonly ackTimeoutMs: number;
  readonly maxConnections: number;
  readonly pingIntervalMs: number | false;
  readonly eventRetryDelaysMs: readonly number[];
}

interface Connection {
  readonly info: SocketConnectionInfo;
  readonly ws: WebSocket;
  ready: boolean;
  pinger?: NodeJS.Timeout;
}

/** The first ack of a delivery: its payload, how long it took, the socket it came on. */
interface Ack {
  readonly payload?: unknown;
  readonly ms: number;
  readonly connection: number;
}

interface Pending {
  /** One per connection it was sent on. */
  readonly records: EnvelopeRecord[];
  readonly sentAt: number;
  /** The delivery has its answer (a first ack came). */
  acked: boolean;
  readonly done: (ack: Ack) => void;
  /** reset(): stop waiting, resolving as unacked. */
  readonly cancel: () => void;
}

const HELLO_DEBUG = { host: "applink-emulator", build_number: 1, approximate_connection_time: 18060 };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks an untrusted socket fault (from `POST /_emulator/socket/faults`). */
export function parseSocketFault(value: unknown): SocketFault {
  if (!isObject(value)) throw new TypeError("socket fault must be an object");
  const kind = value["kind"];
  if (typeof kind !== "string" || !(SOCKET_FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new TypeError(
      `socket fault kind must be one of ${SOCKET_FAULT_KINDS.join(", ")} (got ${JSON.stringify(kind)})`,
    );
  }
  const int = (key: string, ok: (n: number) => boolean, shape: string): number | undefined => {
    const n = value[key];
    if (n === undefined) return undefined;
    if (typeof n !== "number" || !Number.isInteger(n) || !ok(n))
      throw new TypeError(`socket fault ${key} must be ${shape} (got ${JSON.stringify(n)})`);
    return n;
  };
  const status = int("status", (n) => n === 409 || n === 500, "409 or 500");
  const ms = int("ms", (n) => n >= 0, "whole milliseconds >= 0");
  const count = int("count", (n) => n >= 1, "a whole number >= 1");
  const connection = int("connection", (n) => n >= 1, "a connection id");
  if (kind === "hello_delay" && ms === undefined) throw new TypeError("socket fault ms is required for hello_delay");
  return {
    kind: kind as SocketFaultKind,
    ...(status === undefined ? {} : { status }),
    ...(ms === undefined ? {} : { ms }),
    ...(count === undefined ? {} : { count }),
    ...(connection === undefined ? {} : { connection }),
  };
}

export class SocketHub {
  private readonly wss = new WebSocketServer({ noServer: true, autoPong: false });
  private connections: Connection[] = [];
  private nextId = 1;
  private cursor = 0;
  private envelopes: EnvelopeRecord[] = [];
  private acks: AckRecord[] = [];
  private readonly pending = new Map<string, Pending>();
  private upgradeFaults: { fault: SocketFault; remaining: number }[] = [];
  /** Aborted by reset() and close(): pending redeliveries stop. */
  private generation = new AbortController();

  constructor(
    private readonly app: AppState,
    private readonly appId: string,
    private readonly options: SocketOptions,
  ) {}

  /** Handles an HTTP upgrade; false when the path is not Socket Mode's (the caller refuses it). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname.replace(/\/+$/, "") !== "/link") return false;
    const refuse = this.takeUpgradeFault("refuse_upgrade");
    if (refuse !== undefined) {
      rejectUpgrade(socket, refuse.status ?? 409);
      return true;
    }
    const ticket = url.searchParams.get("ticket") ?? "";
    if (!this.app.consumeTicket(ticket)) {
      // A missing, unknown or already used ticket: Slack refuses the upgrade.
      rejectUpgrade(socket, 401);
      return true;
    }
    const helloDelay = this.takeUpgradeFault("hello_delay");
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, helloDelay?.ms ?? 0));
    return true;
  }

  private takeUpgradeFault(kind: SocketFaultKind): SocketFault | undefined {
    const entry = this.upgradeFaults.find((f) => f.fault.kind === kind && f.remaining > 0);
    if (entry === undefined) return undefined;
    entry.remaining--;
    this.upgradeFaults = this.upgradeFaults.filter((f) => f.remaining > 0);
    return entry.fault;
  }

  private accept(ws: WebSocket, helloDelayMs: number): void {
    const info: SocketConnectionInfo = {
      id: this.nextId++,
      state: "connecting",
      opened_at: new Date().toISOString(),
      envelopes: 0,
      pings_received: 0,
      answers_pings: true,
    };
    const conn: Connection = { info, ws, ready: false };
    const over = this.connections.filter((c) => c.info.state !== "closed").length >= this.options.maxConnections;
    this.connections.push(conn);
    ws.on("ping", (data: Buffer) => {
      info.pings_received++;
      if (info.answers_pings) ws.pong(data);
    });
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (!isBinary) this.onMessage(conn, data.toString("utf8"));
    });
    ws.on("close", (code: number) => {
      if (conn.pinger !== undefined) clearInterval(conn.pinger);
      conn.ready = false;
      info.state = "closed";
      info.closed_at = new Date().toISOString();
      info.close_code = code;
      info.ended_by ??= "client";
    });
    ws.on("error", () => {
      // A broken socket ends in "close"; nothing else to do.
    });
    if (over) {
      // Slack's answer to the 11th connection: a disconnect frame, then the socket closes.
      info.ended_by = "too_many_websockets";
      this.sendDisconnect(conn, "too_many_websockets");
      ws.close(1000);
      return;
    }
    const hello = (): void => {
      if (info.state === "closed") return;
      const open = this.connections.filter((c) => c.ready).length + 1;
      ws.send(
        JSON.stringify({
          type: "hello",
          num_connections: open,
          debug_info: HELLO_DEBUG,
          connection_info: { app_id: this.appId },
        }),
      );
      info.state = "open";
      info.hello_at = new Date().toISOString();
      conn.ready = true;
      if (this.options.pingIntervalMs !== false) {
        const interval = this.options.pingIntervalMs;
        conn.pinger = setInterval(() => ws.ping(), interval);
        conn.pinger.unref();
      }
    };
    if (helloDelayMs > 0) setTimeout(hello, helloDelayMs).unref();
    else hello();
  }

  private onMessage(conn: Connection, text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return; // Not an ack; Slack ignores it too.
    }
    if (!isObject(frame) || typeof frame["envelope_id"] !== "string") return;
    const id = frame["envelope_id"];
    const hasPayload = frame["payload"] !== undefined;
    const ack: AckRecord = {
      envelope_id: id,
      connection: conn.info.id,
      at: new Date().toISOString(),
      ...(hasPayload ? { payload: frame["payload"] } : {}),
    };
    const pending = this.pending.get(id);
    // The copy sent on this connection, else (acked on another socket) any copy not yet acked.
    const record =
      pending?.records.find((r) => r.connection === conn.info.id && r.outcome === "pending") ??
      pending?.records.find((r) => r.outcome === "pending");
    if (pending === undefined || record === undefined) {
      const sent = this.envelopes.filter((e) => e.envelope_id === id);
      const flag =
        sent.length === 0
          ? { unknown: true }
          : sent.every((e) => e.outcome === "acked")
            ? { duplicate: true }
            : { late: true };
      this.acks.push({ ...ack, ...flag });
      return;
    }
    record.outcome = "acked";
    record.ack_ms = Math.round(performance.now() - pending.sentAt);
    if (hasPayload) record.ack_payload = frame["payload"];
    this.acks.push(pending.acked ? { ...ack, duplicate: true } : ack);
    if (pending.records.every((r) => r.outcome !== "pending")) this.pending.delete(id);
    if (!pending.acked) {
      pending.acked = true;
      pending.done({
        ...(hasPayload ? { payload: frame["payload"] } : {}),
        ms: record.ack_ms,
        connection: conn.info.id,
      });
    }
  }

  private sendDisconnect(conn: Connection, reason: DisconnectReason): void {
    conn.ws.send(JSON.stringify({ type: "disconnect", reason, debug_info: { host: HELLO_DEBUG.host } }));
  }

  /** Ready connections (hello sent, not closed). */
  openConnections(): number {
    return this.connections.filter((c) => c.ready).length;
  }

  /** Sends a disconnect frame to every ready connection, or to one; how many got it. */
  disconnect(reason: DisconnectReason, connection?: number): number {
    const targets = this.connections.filter((c) => c.ready && (connection === undefined || c.info.id === connection));
    for (const conn of targets) this.sendDisconnect(conn, reason);
    return targets.length;
  }

  /** Applies a socket fault; the number of open connections it acted on (for no_pong and drop). */
  fault(fault: SocketFault): number {
    if (fault.kind === "refuse_upgrade" || fault.kind === "hello_delay") {
      this.upgradeFaults.push({ fault, remaining: fault.count ?? 1 });
      return 0;
    }
    const targets = this.connections.filter(
      (c) => c.info.state !== "closed" && (fault.connection === undefined || c.info.id === fault.connection),
    );
    for (const conn of targets) {
      if (fault.kind === "no_pong") conn.info.answers_pings = false;
      else {
        // No close frame: the TCP connection just ends, as when a network path dies.
        conn.info.ended_by = "drop";
        conn.ready = false;
        conn.ws.terminate();
      }
    }
    return targets.length;
  }

  clearFaults(): void {
    this.upgradeFaults = [];
  }

  activeFaults(): SocketFault[] {
    return this.upgradeFaults.map((f) => ({ ...f.fault, count: f.remaining }));
  }

  /** The connections an envelope goes on: the next ready one in turn, a chosen one, or all of them. */
  private pick(target?: SocketTarget): Connection[] {
    const ready = this.connections.filter((c) => c.ready);
    if (target === "all") return ready;
    if (target !== undefined) return ready.filter((c) => c.info.id === target);
    if (ready.length === 0) return [];
    const conn = ready[this.cursor % ready.length] as Connection;
    this.cursor++;
    return [conn];
  }

  /**
   * One envelope on one or more connections (one `envelope_id`); resolves with the first ack, or
   * undefined at the deadline. Copies not acked by the deadline are `timeout`.
   */
  private sendOnce(
    conns: readonly Connection[],
    type: EnvelopeType,
    payload: Record<string, unknown>,
    accepts: boolean,
    retry: { attempt: number; eventId?: string } | undefined,
  ): { record: EnvelopeRecord; ack: Promise<Ack | undefined> } {
    const envelopeId = randomUUID();
    const sentAtIso = new Date().toISOString();
    const records = conns.map(
      (conn): EnvelopeRecord => ({
        envelope_id: envelopeId,
        type,
        connection: conn.info.id,
        sent_at: sentAtIso,
        ...(retry === undefined || retry.attempt === 0
          ? {}
          : { retry_attempt: retry.attempt, retry_reason: "timeout" }),
        ...(retry?.eventId === undefined ? {} : { event_id: retry.eventId }),
        outcome: "pending",
      }),
    );
    const record = records[0] as EnvelopeRecord;
    this.envelopes.push(...records);
    for (const conn of conns) conn.info.envelopes++;
    const sentAt = performance.now();
    const ack = new Promise<Ack | undefined>((resolve) => {
      const timer = setTimeout(() => {
        const pending = this.pending.get(envelopeId);
        if (pending === undefined) return;
        this.pending.delete(envelopeId);
        for (const r of records) if (r.outcome === "pending") r.outcome = "timeout";
        if (!pending.acked) resolve(undefined);
      }, this.options.ackTimeoutMs);
      this.pending.set(envelopeId, {
        records,
        sentAt,
        acked: false,
        done: (a) => {
          // Further copies may still be acked until the deadline; the timer then marks the rest.
          if (records.every((r) => r.outcome !== "pending")) clearTimeout(timer);
          resolve(a);
        },
        cancel: () => {
          clearTimeout(timer);
          resolve(undefined);
        },
      });
    });
    const frame = {
      envelope_id: envelopeId,
      payload,
      type,
      accepts_response_payload: accepts,
      ...(record.retry_attempt === undefined
        ? {}
        : { retry_attempt: record.retry_attempt, retry_reason: record.retry_reason }),
    };
    const text = JSON.stringify(frame);
    for (const conn of conns) conn.ws.send(text);
    return { record, ack };
  }

  /**
   * Delivers a payload as one envelope and waits for its (first) ack or the deadline: on the next
   * open connection in turn, or on `target` (one connection, or all open ones). For
   * `events_api`, an unacked envelope is redelivered (in the background, after
   * `eventRetryDelaysMs`, round robin) with `retry_attempt` 1, 2, 3; the answer is the first attempt's.
   */
  async deliver(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    accepts: boolean,
    target?: SocketTarget,
  ): Promise<SocketDelivery> {
    const conns = this.pick(target);
    const conn = conns[0];
    if (conn === undefined) return { delivered: false, acked: false };
    const eventId = type === "events_api" && typeof payload["event_id"] === "string" ? payload["event_id"] : undefined;
    const first = this.sendOnce(conns, type, payload, accepts, {
      attempt: 0,
      ...(eventId === undefined ? {} : { eventId }),
    });
    const ack = await first.ack;
    if (ack === undefined && type === "events_api")
      void this.redeliver(payload, accepts, eventId, this.generation.signal);
    return {
      delivered: true,
      acked: ack !== undefined,
      ...(ack === undefined ? {} : { ack_ms: ack.ms }),
      ...(ack?.payload === undefined ? {} : { response: ack.payload }),
      envelope_id: first.record.envelope_id,
      connection: ack?.connection ?? conn.info.id,
      ...(target === "all" ? { connections: conns.map((c) => c.info.id) } : {}),
    };
  }

  private async redeliver(
    payload: Record<string, unknown>,
    accepts: boolean,
    eventId: string | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    for (const [i, delay] of this.options.eventRetryDelaysMs.entries()) {
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        return; // reset() or close()
      }
      const conns = this.pick();
      if (conns.length === 0) continue; // Slack counts an attempt with nobody connected as failed.
      const attempt = this.sendOnce(conns, "events_api", payload, accepts, {
        attempt: i + 1,
        ...(eventId === undefined ? {} : { eventId }),
      });
      if ((await attempt.ack) !== undefined) return;
    }
  }

  state(): SocketState {
    const envelopes = structuredClone(this.envelopes);
    return {
      connections: this.connections.map((c) => ({ ...c.info })),
      envelopes,
      acks: structuredClone(this.acks),
      redeliveries: envelopes.filter((e) => e.retry_attempt !== undefined),
    };
  }

  /** Forgets logs, faults and closed connections; open connections stay open. */
  reset(): void {
    this.generation.abort();
    this.generation = new AbortController();
    this.envelopes = [];
    this.acks = [];
    for (const p of this.pending.values()) p.cancel();
    this.pending.clear();
    this.upgradeFaults = [];
    this.connections = this.connections.filter((c) => c.info.state !== "closed");
  }

  close(): void {
    this.generation.abort();
    for (const conn of this.connections) {
      if (conn.info.state !== "closed") conn.info.ended_by = "emulator";
      conn.ws.terminate();
    }
    this.wss.close();
  }
}

function rejectUpgrade(socket: Duplex, status: number): void {
  const text = status === 409 ? "Conflict" : status === 401 ? "Unauthorized" : "Internal Server Error";
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`,
  );
}
