/**
 * The emulator: one node:http server on 127.0.0.1 serving `/api/<method>` (Web API),
 * `/services/<team>/<hook>/<secret>` (incoming webhooks) and `/_emulator/*` (controls).
 * Each request is read, matched against injected faults, answered by a handler and
 * recorded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { AppState } from "./app-state.js";
import { type ControlTarget, handleControl } from "./control.js";
import { type EmulatorContext } from "./context.js";
import { WorkspaceDirectory } from "./directory.js";
import { FaultBook, type FaultMatchInput, type FaultSpec, parseFaultSpec } from "./faults.js";
import { BodyTooLargeError, parseApiArgs, parseWebhookBody, readBody, writeJson, writeReply } from "./http-io.js";
import { LiveView } from "./live-view.js";
import { MessageStore } from "./message-store.js";
import {
  DEFAULT_RATE_LIMIT,
  STRICT_RATE_LIMIT,
  DEFAULT_WORKSPACE_RATE_LIMIT,
  RateLimiter,
  type RateLimitOptions,
  type WorkspaceRateLimitOptions,
} from "./rate-limit.js";
import { type EmulatorRecord, type RecordDraft, RecordLog } from "./records.js";
import { apiReply, type Reply, webhookReply } from "./reply.js";
import { handleResponseUrl } from "./response-url.js";
import {
  type CommandInput,
  type EventInput,
  type InteractInput,
  type SimulationResult,
  Simulator,
} from "./simulate.js";
import { type DisconnectReason, type SocketFault, SocketHub, type SocketState } from "./socket-mode.js";
import { HttpDeliverer, type HttpDelivery, type HttpDeliveryRecord } from "./http-delivery.js";
import { handleApiCall } from "./web-api.js";
import { WEBHOOK_ERROR_STATUS, isHookErrorCode } from "./webhook-errors.js";
import { handleWebhook } from "./webhooks.js";
import {
  defaultWorkspace,
  loadWorkspaceFile,
  type ResolvedWorkspace,
  resolveWorkspace,
  type WorkspaceSpec,
} from "./workspace.js";

export interface EmulatorOptions {
  /** Port on 127.0.0.1 (the emulator never binds other interfaces). @default 0, a free port */
  port?: number;
  /** A workspace object, or a path to a JSON or YAML file. @default defaultWorkspace() */
  workspace?: WorkspaceSpec | string;
  /**
   * Token bucket per channel (chat.postMessage, chat.update) and per webhook; `false` turns
   * it off; `"strict"` is `STRICT_RATE_LIMIT` (burst 1, measured at arrival).
   * @default { perSecond: 1, burst: 3 } (Slack: 1 message/s per channel, short bursts)
   */
  rateLimit?: RateLimitOptions | "strict" | false;
  /** Workspace-wide cap on posted messages. @default { perMinute: 600 } ("several hundred") */
  workspaceRateLimit?: WorkspaceRateLimitOptions | false;
  /** The app's request URL for HTTP delivery; overrides the workspace's `app.requestUrl`. */
  requestUrl?: string;
  /** Slack's receive-side timings and limits, shortened or raised for tests. */
  receive?: ReceiveOptions;
}

/** Deadlines and limits of the receive side (Socket Mode and HTTP delivery). */
export interface ReceiveOptions {
  /** How long an envelope may go unacked, and an HTTP delivery unanswered. @default 3000 (Slack: 3 s) */
  ackTimeoutMs?: number;
  /** How long a trigger_id can open a view. @default 3000 */
  triggerTtlMs?: number;
  /** Socket Mode connections per app; the next one gets a too_many_websockets disconnect. @default 10 */
  maxConnections?: number;
  /** Server pings on each socket; false for none. @default 10000 */
  pingIntervalMs?: number | false;
  /** Delay before each retry of an unacked event (its length is the number of retries). @default [0, 60000, 300000] */
  eventRetryDelaysMs?: readonly number[];
}

/** The app's values a receiver needs, as `GET /_emulator/app` shows them. */
export interface EmulatorAppInfo {
  app_id: string;
  app_token: string;
  signing_secret: string;
  request_url: string | null;
  bot_token: string | null;
  team_id: string;
  users: { id: string; name: string }[];
  usergroups: { id: string; handle: string; users: string[] }[];
}

export interface MessageFilter {
  /** Channel ID or name. */
  channel?: string;
  /** Hook name. */
  hook?: string;
}

/** The rate limits a running emulator applies (defaults filled in). */
export interface EmulatorLimits {
  readonly rateLimit: RateLimitOptions | false;
  readonly workspaceRateLimit: WorkspaceRateLimitOptions | false;
}

export interface SlackEmulator {
  /** e.g. `http://127.0.0.1:43121` */
  readonly url: string;
  /** `url + "/api/"`, for WebClient's `slackApiUrl`. */
  readonly apiUrl: string;
  /** Full URL of a workspace hook; throws for an unknown name. */
  webhookUrl(hookName: string): string;
  /** Accepted messages (posts, updates, webhook posts), in order. */
  messages(filter?: MessageFilter): EmulatorRecord[];
  /** Every recorded request, accepted and refused, in order. */
  records(): EmulatorRecord[];
  /**
   * Clears records, stored messages, faults and rate-limit state. Requests not yet answered
   * (still being read, delayed by a latency fault, held by a hang fault) are dropped: their
   * connections are closed and nothing more is recorded for them.
   */
  reset(): void;
  /** Adds a fault; throws if it is malformed or names an unknown channel or hook. */
  fault(f: FaultSpec): void;
  /** Faults that still have uses left, with their remaining `count`. */
  activeFaults(): FaultSpec[];
  /** Closes the server, dropping open (including hanging) connections at once. */
  close(): Promise<void>;
  readonly workspace: ResolvedWorkspace;
  /** The per-channel/per-hook and workspace-wide limits in force. */
  readonly limits: EmulatorLimits;
  /** The app's ID, tokens, signing secret, request URL, users and user groups. */
  app(): EmulatorAppInfo;
  /** Sets or (with undefined) clears the request URL for HTTP delivery. */
  setRequestUrl(url: string | undefined): void;
  /** A user clicks a button or picks a menu option of a recorded message; resolves once acked or after the deadline. */
  interact(input: InteractInput): Promise<SimulationResult>;
  /** A user types a slash command. */
  command(input: CommandInput): Promise<SimulationResult>;
  /** An Events API event (wrapped in event_callback); unacked events are retried in the background. */
  event(input: EventInput): Promise<SimulationResult>;
  /** Slack's url_verification challenge to the request URL. */
  verifyRequestUrl(): Promise<SimulationResult & { challenge: string; verified: boolean }>;
  /** Socket Mode connections, envelopes, acks and redeliveries. */
  socket(): SocketState;
  /** Sends a `disconnect` frame to every open connection (or one); how many got it. */
  disconnectSockets(reason: DisconnectReason, connection?: number): number;
  /** Applies a Socket Mode fault; the number of open connections it acted on. */
  socketFault(fault: SocketFault): number;
  /** Every HTTP delivery to the request URL, with what it answered. */
  deliveries(): HttpDeliveryRecord[];
  /** Resends HTTP delivery `seq` (default the last) byte for byte; undefined when there is none. */
  replay(seq?: number): Promise<HttpDelivery | undefined>;
}

/** A request read and understood far enough to match faults and record it. */
interface Prepared {
  readonly style: "api" | "webhook";
  readonly draft: RecordDraft;
  readonly match: FaultMatchInput;
  /** Channel fields for a faulted record (the handler decides them otherwise). */
  readonly channel: Partial<RecordDraft>;
  readonly run: () => Reply;
}

const WEBHOOK_PATH = /^\/services\/([^/]+)\/([^/]+)\/([^/]+)\/?$/;

function resolveWorkspaceOption(workspace: WorkspaceSpec | string | undefined): ResolvedWorkspace {
  if (typeof workspace === "string") return loadWorkspaceFile(workspace);
  return resolveWorkspace(workspace ?? defaultWorkspace());
}

class Emulator implements SlackEmulator, ControlTarget {
  readonly workspace: ResolvedWorkspace;
  readonly limits: EmulatorLimits;
  private readonly ctx: EmulatorContext;
  private readonly hub: SocketHub;
  private readonly http: HttpDeliverer;
  private readonly simulator: Simulator;
  private readonly log: RecordLog;
  private readonly live: LiveView;
  private readonly faults = new FaultBook();
  private readonly sockets = new Set<Socket>();
  /**
   * Aborted by reset() and close(): requests not yet answered (body still arriving, waiting
   * out a latency fault, held by a hang fault) are dropped: connection closed, nothing
   * recorded, so they cannot use the next test's faults or land in its records.
   */
  private inFlight = new AbortController();
  private closed: Promise<void> | undefined;
  readonly server: Server;
  private baseUrl = "";

  constructor(options: EmulatorOptions) {
    this.workspace = resolveWorkspaceOption(options.workspace);
    const directory = new WorkspaceDirectory(this.workspace);
    this.limits = Object.freeze({
      rateLimit: options.rateLimit === "strict" ? STRICT_RATE_LIMIT : (options.rateLimit ?? DEFAULT_RATE_LIMIT),
      workspaceRateLimit: options.workspaceRateLimit ?? DEFAULT_WORKSPACE_RATE_LIMIT,
    });
    const receive = options.receive ?? {};
    this.ctx = {
      directory,
      limiter: new RateLimiter(this.limits.rateLimit, this.limits.workspaceRateLimit),
      store: new MessageStore(),
      app: new AppState(undefined, positiveMs(receive.triggerTtlMs, 3000, "receive.triggerTtlMs")),
    };
    this.ctx.app.setRequestUrl(options.requestUrl ?? this.workspace.app.requestUrl);
    const ackTimeoutMs = positiveMs(receive.ackTimeoutMs, 3000, "receive.ackTimeoutMs");
    const eventRetryDelaysMs = receive.eventRetryDelaysMs ?? [0, 60_000, 300_000];
    if (!eventRetryDelaysMs.every((ms) => Number.isFinite(ms) && ms >= 0))
      throw new RangeError("receive.eventRetryDelaysMs must be milliseconds >= 0");
    const maxConnections = receive.maxConnections ?? 10;
    if (!Number.isInteger(maxConnections) || maxConnections < 1)
      throw new RangeError(`receive.maxConnections must be a whole number >= 1 (got ${maxConnections})`);
    const pingIntervalMs =
      receive.pingIntervalMs === false ? false : positiveMs(receive.pingIntervalMs, 10_000, "receive.pingIntervalMs");
    this.hub = new SocketHub(this.ctx.app, this.workspace.app.id, {
      ackTimeoutMs,
      maxConnections,
      pingIntervalMs,
      eventRetryDelaysMs,
    });
    this.http = new HttpDeliverer(this.workspace.app.signingSecret, { timeoutMs: ackTimeoutMs, eventRetryDelaysMs });
    this.simulator = new Simulator(this.ctx, this.hub, this.http);
    this.live = new LiveView(
      () => this.log.all(),
      () => `Slack emulator · ${this.workspace.team.name}`,
    );
    this.log = new RecordLog(directory.secrets(), () => this.live.changed());
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        const status = error instanceof BodyTooLargeError ? 413 : 500;
        writeJson(res, status, { ok: false, error: status === 413 ? "request_too_large" : "internal_error" });
      });
    });
    this.server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
      if (!this.hub.handleUpgrade(req, socket, head))
        socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    });
    this.server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${address.port}`;
    this.ctx.app.baseUrl = this.baseUrl;
  }

  app(): EmulatorAppInfo {
    const { app, team, users, usergroups } = this.workspace;
    return {
      app_id: app.id,
      app_token: app.appToken,
      signing_secret: app.signingSecret,
      request_url: this.ctx.app.requestUrl ?? null,
      bot_token: app.botToken ?? null,
      team_id: team.id,
      users: users.map((u) => ({ id: u.id, name: u.name })),
      usergroups: usergroups.map((g) => ({ id: g.id, handle: g.handle, users: [...g.users] })),
    };
  }

  setRequestUrl(url: string | undefined): void {
    this.ctx.app.setRequestUrl(url);
  }

  interact(input: InteractInput): Promise<SimulationResult> {
    return this.simulator.interact(input);
  }

  command(input: CommandInput): Promise<SimulationResult> {
    return this.simulator.command(input);
  }

  event(input: EventInput): Promise<SimulationResult> {
    return this.simulator.event(input);
  }

  verifyRequestUrl(): Promise<SimulationResult & { challenge: string; verified: boolean }> {
    return this.simulator.urlVerification();
  }

  socket(): SocketState {
    return this.hub.state();
  }

  disconnectSockets(reason: DisconnectReason, connection?: number): number {
    return this.hub.disconnect(reason, connection);
  }

  socketFault(fault: SocketFault): number {
    return this.hub.fault(fault);
  }

  clearSocketFaults(): void {
    this.hub.clearFaults();
  }

  activeSocketFaults(): SocketFault[] {
    return this.hub.activeFaults();
  }

  deliveries(): HttpDeliveryRecord[] {
    return this.http.records();
  }

  replay(seq?: number): Promise<HttpDelivery | undefined> {
    return this.http.replay(seq);
  }

  /** `POST /_emulator/response/<id>`: the app answering through a response_url (recorded). */
  async respond(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const generation = this.inFlight.signal;
    const body = await readBody(req);
    if (generation.aborted) {
      req.socket.destroy();
      return;
    }
    this.send(res, handleResponseUrl(this.ctx, id, body));
  }

  get url(): string {
    return this.baseUrl;
  }

  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  webhookUrl(hookName: string): string {
    const hook = this.ctx.directory.hook(hookName);
    if (hook === undefined) {
      const known = this.workspace.hooks.map((h) => h.name).join(", ");
      throw new Error(`Unknown hook ${JSON.stringify(hookName)}; the workspace has: ${known || "(none)"}`);
    }
    return `${this.baseUrl}/services/${this.workspace.team.id}/${hook.id}/${hook.secret}`;
  }

  messages(filter: MessageFilter = {}): EmulatorRecord[] {
    const channel =
      filter.channel === undefined
        ? undefined
        : (this.ctx.directory.resolveChannel(filter.channel, "any")?.id ?? filter.channel);
    return this.log
      .all()
      .filter((r) => r.ok && r.ts !== undefined && r.action !== "delete_original" && r.method !== "chat.delete")
      .filter((r) => channel === undefined || r.channel === channel)
      .filter((r) => filter.hook === undefined || r.hook === filter.hook);
  }

  records(): EmulatorRecord[] {
    return this.log.all();
  }

  reset(): void {
    this.inFlight.abort();
    this.inFlight = new AbortController();
    this.log.clear();
    this.faults.clear();
    this.ctx.limiter.reset();
    this.ctx.store.clear();
    this.ctx.app.clear();
    this.hub.reset();
    this.http.reset();
  }

  fault(f: FaultSpec): void {
    const spec = parseFaultSpec(f);
    const { channel, hook } = spec.target;
    let channelId: string | undefined;
    if (channel !== undefined) {
      channelId = this.ctx.directory.resolveChannel(channel, "any")?.id;
      if (channelId === undefined)
        throw new Error(`fault.target.channel names no channel in the workspace: ${JSON.stringify(channel)}`);
    }
    if (hook !== undefined && this.ctx.directory.hook(hook) === undefined) {
      throw new Error(`fault.target.hook names no hook in the workspace: ${JSON.stringify(hook)}`);
    }
    this.faults.add(spec, channelId);
  }

  activeFaults(): FaultSpec[] {
    return this.faults.list();
  }

  clearFaults(): void {
    this.faults.clear();
  }

  close(): Promise<void> {
    if (this.closed !== undefined) return this.closed;
    this.inFlight.abort();
    this.live.close();
    this.hub.close();
    this.http.reset();
    this.closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Hanging and keep-alive connections would hold close() open; drop them now.
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    return this.closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // When the request arrived (its headers): what an arrival-measured limiter counts.
    const arrivedAt = performance.now();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    // The live view: GET / and its event stream (never recorded, faulted or limited).
    if (this.live.handle(req, res, url.pathname)) return;
    const response = /^\/_emulator\/response\/([0-9a-f]+)\/?$/.exec(url.pathname);
    if (response !== null && req.method === "POST") return this.respond(response[1] ?? "", req, res);
    if (url.pathname.startsWith("/_emulator/")) return handleControl(this, req, res, url);
    // The reset() generation this request arrived in. A request that is still unanswered
    // when reset() or close() runs is dropped, so it cannot use a fault or add a record
    // meant for the next test (its body may still be arriving when the next test starts).
    const generation = this.inFlight.signal;
    const prepared = await this.prepare(req, url);
    if (generation.aborted) {
      req.socket.destroy();
      return;
    }
    if (prepared === undefined) {
      writeJson(res, 404, { ok: false, error: "not_found" });
      return;
    }
    const fault = this.faults.take(prepared.match);
    if (fault !== undefined) {
      const faulted: RecordDraft = { ...prepared.draft, ...prepared.channel, fault: fault.kind };
      switch (fault.kind) {
        case "reset":
          this.log.add({ ...faulted, status: 0, ok: false });
          req.socket.destroy();
          return;
        case "hang":
          // Never answered: the client gives up, or reset()/close() drops the socket.
          this.log.add({ ...faulted, status: 0, ok: false });
          generation.addEventListener("abort", () => req.socket.destroy(), { once: true });
          return;
        case "status":
        case "ratelimit":
          this.send(res, faultReply(prepared.style, faulted, fault));
          return;
        case "latency":
          try {
            await sleep(fault.ms ?? 0, undefined, { signal: generation });
          } catch {
            req.socket.destroy(); // reset or closed while waiting
            return;
          }
          this.send(res, withFault(this.ctx.limiter.arrivedAt(arrivedAt, prepared.run), "latency"));
          return;
      }
    }
    this.send(res, this.ctx.limiter.arrivedAt(arrivedAt, prepared.run));
  }

  private send(res: ServerResponse, reply: Reply): void {
    this.log.add(reply.record);
    writeReply(res, reply);
  }

  private async prepare(req: IncomingMessage, url: URL): Promise<Prepared | undefined> {
    const { directory } = this.ctx;
    if (url.pathname.startsWith("/api/")) {
      const method = decodeURIComponent(url.pathname.slice("/api/".length));
      const body = await readBody(req);
      const parsed = await parseApiArgs(req, url, body);
      const draft: RecordDraft = { kind: "api", method, status: 0, ok: false, payload: parsed.ok ? parsed.args : {} };
      const ref = parsed.ok ? parsed.args["channel"] : undefined;
      const channel = typeof ref === "string" ? directory.resolveChannel(ref, "any") : undefined;
      return {
        style: "api",
        draft,
        match: { method, ...(channel === undefined ? {} : { channelId: channel.id }) },
        channel: channel === undefined ? {} : { channel: channel.id, channelName: channel.name },
        run: () =>
          parsed.ok
            ? handleApiCall(
                this.ctx,
                { method, httpMethod: req.method ?? "GET", args: parsed.args, token: parsed.token },
                draft,
              )
            : apiReply(draft, { ok: false, error: parsed.error }),
      };
    }
    const hookPath = WEBHOOK_PATH.exec(url.pathname);
    if (hookPath === null) return undefined;
    const [, teamId = "", hookId = "", secret = ""] = hookPath;
    const hook = directory.hookByPath(teamId, hookId, secret);
    const body = await readBody(req);
    const channel = hook === undefined ? undefined : directory.channelById(hook.channel);
    const channelFields = channel === undefined ? {} : { channel: channel.id, channelName: channel.name };
    const draft: RecordDraft = {
      kind: "webhook",
      ...(hook === undefined ? {} : { hook: hook.name }),
      ...channelFields,
      status: 0,
      ok: false,
      payload: parseWebhookBody(body) ?? {},
    };
    return {
      style: "webhook",
      draft,
      match: {
        ...(hook === undefined ? {} : { hook: hook.name }),
        ...(channel === undefined ? {} : { channelId: channel.id }),
      },
      channel: channelFields,
      run: () => handleWebhook(this.ctx, hook, body, draft),
    };
  }
}

function positiveMs(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`${name} must be a number of milliseconds > 0 (got ${value})`);
  return value;
}

function withFault(reply: Reply, fault: FaultSpec["kind"]): Reply {
  return { ...reply, record: { ...reply.record, fault } };
}

/** The answer for a `status` or `ratelimit` fault, in the style of the endpoint hit. */
function faultReply(style: "api" | "webhook", draft: RecordDraft, fault: FaultSpec): Reply {
  if (fault.kind === "ratelimit") {
    const retryAfter = fault.retryAfter ?? 1;
    const options = { status: 429, headers: { "retry-after": String(retryAfter) }, record: { retryAfter } };
    return style === "api"
      ? apiReply(draft, { ok: false, error: "ratelimited" }, options)
      : webhookReply(draft, 429, "rate_limited", options);
  }
  if (style === "api") {
    // With only an error, answer like a Slack platform error: HTTP 200, ok:false.
    const status = fault.status ?? (fault.error === undefined ? 500 : 200);
    const error = fault.error ?? (status === 503 ? "service_unavailable" : "internal_error");
    return apiReply(draft, { ok: false, error }, { status });
  }
  const status = fault.status ?? (isHookErrorCode(fault.error) ? WEBHOOK_ERROR_STATUS[fault.error] : 500);
  const error = fault.error ?? (status === 503 ? "service_unavailable" : "internal_error");
  return webhookReply(draft, status, error);
}

/** Starts an emulator on 127.0.0.1 and resolves once it is listening. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<SlackEmulator> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`port must be 0..65535 (got ${port})`);
  const emulator = new Emulator(options);
  await emulator.listen(port);
  return emulator;
}
