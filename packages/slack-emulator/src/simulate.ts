/**
 * Simulated users: a click on a recorded message's button or menu, a slash command, or an
 * event, built as Slack builds the payload and delivered to the app over Socket Mode or HTTP.
 * A click is checked against the message first: an action the message does not have is
 * refused, as Slack's client cannot send it.
 */
import { randomBytes } from "node:crypto";
import { type EmulatorContext } from "./context.js";
import { type DeliveryKind, type HttpDeliverer, type Tamper, TAMPERS } from "./http-delivery.js";
import { type EnvelopeType, type SocketHub, type SocketTarget } from "./socket-mode.js";
import { type ResolvedChannel, type ResolvedUser } from "./workspace.js";

export type Via = "socket" | "http";

export interface InteractInput {
  /** User ID or name. */
  readonly user: string;
  /** Channel ID or name. */
  readonly channel: string;
  /** ts of the message clicked on. */
  readonly ts: string;
  readonly action_id: string;
  /** For a button with several of the same action_id, which value; optional. */
  readonly value?: string;
  /** For a select or overflow menu: the option's value. */
  readonly selected_option?: string;
  /** A `confirm` dialog: false means the user pressed cancel (nothing is sent). @default true */
  readonly confirm?: boolean;
  readonly via?: Via;
  /**
   * Socket Mode only: the connection (its `id`) to deliver on, or `"all"`: every open connection
   * gets the same envelope, as Slack redelivers an unacked one on another connection.
   * @default the next open connection in turn
   */
  readonly connection?: SocketTarget;
  /** HTTP only: send it signed wrongly, with a stale/future timestamp, or oversized. */
  readonly tamper?: Tamper;
}

export interface CommandInput {
  readonly user: string;
  readonly channel: string;
  /** e.g. `/socket`. */
  readonly command: string;
  readonly text?: string;
  readonly via?: Via;
  /** As for a click. */
  readonly connection?: SocketTarget;
  readonly tamper?: Tamper;
}

export interface EventInput {
  /** The inner event, e.g. `{type: "app_mention", user, channel, text}`. */
  readonly event: Record<string, unknown>;
  readonly via?: Via;
  /** As for a click (redeliveries of an unacked event go round robin). */
  readonly connection?: SocketTarget;
  readonly tamper?: Tamper;
}

/** What a simulated user's action led to. */
export interface SimulationResult {
  ok: boolean;
  /** Why nothing was sent (a refused click, no receiver…). */
  error?: string;
  via?: Via;
  delivered: boolean;
  acked: boolean;
  ack_ms?: number;
  /** The ack's payload (Socket Mode) or the answer body (HTTP). */
  response?: unknown;
  /** HTTP: the status the request URL answered. */
  status?: number;
  envelope_id?: string;
  /** Socket Mode: the connection whose ack answered it; unacked, the one it went on (the first of several). */
  connection?: number;
  /** Socket Mode with `connection: "all"`: every connection it went on. */
  connections?: number[];
  trigger_id?: string;
  response_url?: string;
  event_id?: string;
}

/** A bad simulation request (unknown user, channel, message or action): HTTP 400/404. */
export class SimulationError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
  ) {
    super(message);
    this.name = "SimulationError";
  }
}

interface FoundElement {
  readonly blockId: string;
  readonly element: Record<string, unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Interactive elements of a message: actions blocks' elements, section accessories, input elements. */
function* elements(blocks: unknown): Generator<FoundElement> {
  if (!Array.isArray(blocks)) return;
  for (const [i, block] of (blocks as unknown[]).entries()) {
    if (!isObject(block)) continue;
    const blockId = typeof block["block_id"] === "string" ? block["block_id"] : `emu${i}`;
    const candidates: unknown[] = [];
    if (Array.isArray(block["elements"])) candidates.push(...(block["elements"] as unknown[]));
    if (block["accessory"] !== undefined) candidates.push(block["accessory"]);
    if (block["element"] !== undefined) candidates.push(block["element"]);
    for (const element of candidates) {
      if (isObject(element) && typeof element["action_id"] === "string") yield { blockId, element };
    }
  }
}

function options(element: Record<string, unknown>): Record<string, unknown>[] {
  const direct = Array.isArray(element["options"]) ? (element["options"] as unknown[]) : [];
  const grouped = Array.isArray(element["option_groups"])
    ? (element["option_groups"] as unknown[]).flatMap((g) =>
        isObject(g) && Array.isArray(g["options"]) ? (g["options"] as unknown[]) : [],
      )
    : [];
  return [...direct, ...grouped].filter(isObject);
}

function checkTamper(value: unknown): Tamper | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !(TAMPERS as readonly string[]).includes(value)) {
    throw new SimulationError(
      "invalid_tamper",
      `tamper must be one of ${TAMPERS.join(", ")} (got ${JSON.stringify(value)})`,
    );
  }
  return value as Tamper;
}

function checkVia(value: unknown): Via | undefined {
  if (value === undefined) return undefined;
  if (value !== "socket" && value !== "http")
    throw new SimulationError("invalid_via", `via must be "socket" or "http" (got ${JSON.stringify(value)})`);
  return value;
}

/** `connection`: a connection id or "all"; Socket Mode only, so not with `via: "http"`. */
function checkConnection(value: unknown, via: Via | undefined): SocketTarget | undefined {
  if (value === undefined) return undefined;
  if (value !== "all" && !(typeof value === "number" && Number.isInteger(value) && value >= 1))
    throw new SimulationError(
      "invalid_arguments",
      `connection must be a connection id (see GET /_emulator/socket) or "all" (got ${JSON.stringify(value)})`,
    );
  if (via === "http")
    throw new SimulationError("invalid_arguments", "connection applies to Socket Mode only, not via http");
  return value;
}

/** The optional delivery fields every simulation takes. */
function deliveryFields(body: Record<string, unknown>): Pick<InteractInput, "via" | "connection" | "tamper"> {
  const via = checkVia(body["via"]);
  const connection = checkConnection(body["connection"], via);
  const tamper = checkTamper(body["tamper"]);
  return {
    ...(via === undefined ? {} : { via }),
    ...(connection === undefined ? {} : { connection }),
    ...(tamper === undefined ? {} : { tamper }),
  };
}

function requireString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== "string" || value.length === 0)
    throw new SimulationError("invalid_arguments", `${key} must be a non-empty string`);
  return value;
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new SimulationError("invalid_arguments", `${key} must be a string`);
  return value;
}

/** Checks an untrusted `POST /_emulator/interact` body. */
export function parseInteract(body: unknown): InteractInput {
  if (!isObject(body)) throw new SimulationError("invalid_arguments", "body must be a JSON object");
  const confirm = body["confirm"];
  if (confirm !== undefined && typeof confirm !== "boolean")
    throw new SimulationError("invalid_arguments", "confirm must be true or false");
  const value = optionalString(body, "value");
  const selected = optionalString(body, "selected_option");
  return {
    user: requireString(body, "user"),
    channel: requireString(body, "channel"),
    ts: requireString(body, "ts"),
    action_id: requireString(body, "action_id"),
    ...(value === undefined ? {} : { value }),
    ...(selected === undefined ? {} : { selected_option: selected }),
    ...(confirm === undefined ? {} : { confirm }),
    ...deliveryFields(body),
  };
}

/** Checks an untrusted `POST /_emulator/command` body. */
export function parseCommand(body: unknown): CommandInput {
  if (!isObject(body)) throw new SimulationError("invalid_arguments", "body must be a JSON object");
  const command = requireString(body, "command");
  if (!/^\/[a-z0-9_-]+$/i.test(command))
    throw new SimulationError("invalid_arguments", `command must look like /name (got ${JSON.stringify(command)})`);
  const text = optionalString(body, "text");
  return {
    user: requireString(body, "user"),
    channel: requireString(body, "channel"),
    command,
    ...(text === undefined ? {} : { text }),
    ...deliveryFields(body),
  };
}

/** Checks an untrusted `POST /_emulator/event` body. */
export function parseEvent(body: unknown): EventInput {
  if (!isObject(body) || !isObject(body["event"]) || typeof body["event"]["type"] !== "string") {
    throw new SimulationError("invalid_arguments", 'body must be {"event": {"type": "…", …}}');
  }
  return { event: body["event"], ...deliveryFields(body) };
}

export class Simulator {
  constructor(
    private readonly ctx: EmulatorContext,
    private readonly socket: SocketHub,
    private readonly http: HttpDeliverer,
  ) {}

  private user(ref: string): ResolvedUser {
    const user = this.ctx.directory.user(ref);
    if (user === undefined)
      throw new SimulationError("user_not_found", `user names no user in the workspace: ${JSON.stringify(ref)}`, 404);
    return user;
  }

  private channel(ref: string): ResolvedChannel {
    const channel = this.ctx.directory.resolveChannel(ref, "any");
    if (channel === undefined)
      throw new SimulationError(
        "channel_not_found",
        `channel names no channel in the workspace: ${JSON.stringify(ref)}`,
        404,
      );
    return channel;
  }

  private get team(): Record<string, unknown> {
    const { team } = this.ctx.directory.workspace;
    return { id: team.id, domain: team.name.toLowerCase().replace(/[^a-z0-9-]+/g, "-") };
  }

  /** Socket Mode when a connection is open (or asked for), else HTTP when a request URL is set. */
  private route(via: Via | undefined, connection: SocketTarget | undefined): Via | undefined {
    if (via !== undefined) return via;
    if (connection !== undefined) return "socket";
    if (this.socket.openConnections() > 0) return "socket";
    return this.ctx.app.requestUrl === undefined ? undefined : "http";
  }

  private async send(
    input: { readonly via?: Via; readonly connection?: SocketTarget; readonly tamper?: Tamper },
    envelope: EnvelopeType,
    kind: DeliveryKind,
    payload: Record<string, unknown>,
  ): Promise<SimulationResult> {
    const { via, connection, tamper } = input;
    if (via === "http" && connection !== undefined)
      throw new SimulationError("invalid_arguments", "connection applies to Socket Mode only, not via http");
    const route = this.route(via, connection);
    if (route === undefined) {
      return { ok: false, error: "no_receiver", delivered: false, acked: false };
    }
    if (route === "socket") {
      if (tamper !== undefined)
        throw new SimulationError(
          "invalid_arguments",
          "tamper applies to HTTP delivery only (Socket Mode has no signatures)",
        );
      const outcome = await this.socket.deliver(envelope, payload, envelope !== "events_api", connection);
      return {
        ok: outcome.delivered,
        ...(outcome.delivered ? {} : { error: "no_connection" }),
        via: route,
        ...outcome,
      };
    }
    const url = this.ctx.app.requestUrl;
    if (url === undefined) return { ok: false, error: "no_request_url", via: route, delivered: false, acked: false };
    const outcome = await this.http.deliver(url, kind, payload, tamper);
    const { seq: _seq, ...rest } = outcome;
    return { ok: outcome.delivered, via: route, ...rest };
  }

  async interact(input: InteractInput): Promise<SimulationResult> {
    const user = this.user(input.user);
    const channel = this.channel(input.channel);
    const message = this.ctx.store.get(channel.id, input.ts);
    if (message === undefined)
      throw new SimulationError("message_not_found", `no message ${input.ts} in #${channel.name}`, 404);
    const candidates = [...elements(message.blocks)].filter((f) => f.element["action_id"] === input.action_id);
    const found =
      input.value === undefined ? candidates[0] : candidates.find((f) => f.element["value"] === input.value);
    if (found === undefined) {
      const what =
        input.value === undefined
          ? `action_id ${JSON.stringify(input.action_id)}`
          : `action_id ${JSON.stringify(input.action_id)} with value ${JSON.stringify(input.value)}`;
      throw new SimulationError("no_such_action", `the message has no ${what}: a user cannot click it`);
    }
    const { element, blockId } = found;
    const type = typeof element["type"] === "string" ? element["type"] : "button";
    if (element["confirm"] !== undefined && input.confirm === false) {
      return { ok: true, error: "cancelled", delivered: false, acked: false };
    }
    const actionTs = this.ctx.store.nextTs();
    const action: Record<string, unknown> = {
      action_id: input.action_id,
      block_id: blockId,
      type,
      action_ts: actionTs,
    };
    if (type === "button") {
      if (element["text"] !== undefined) action["text"] = element["text"];
      if (element["value"] !== undefined) action["value"] = element["value"];
      if (element["style"] !== undefined) action["style"] = element["style"];
    } else {
      const opts = options(element);
      if (opts.length > 0) {
        const chosen = opts.find((o) => o["value"] === input.selected_option);
        if (chosen === undefined) {
          throw new SimulationError(
            "no_such_option",
            `selected_option must be one of the menu's values: ${opts.map((o) => JSON.stringify(o["value"])).join(", ")}`,
          );
        }
        action["selected_option"] = chosen;
      }
    }
    const triggerId = this.ctx.app.issueTrigger();
    const responseId = this.ctx.app.issueResponseUrl({ channel: channel.id, messageTs: message.ts, userId: user.id });
    const responseUrl = this.ctx.app.responseUrl(responseId);
    const { app, team } = this.ctx.directory.workspace;
    const payload: Record<string, unknown> = {
      type: "block_actions",
      user: { id: user.id, username: user.name, name: user.name, team_id: team.id },
      api_app_id: app.id,
      token: "emulator-verification-token",
      container: { type: "message", message_ts: message.ts, channel_id: channel.id, is_ephemeral: false },
      trigger_id: triggerId,
      team: this.team,
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: channel.id, name: channel.name },
      message: {
        type: "message",
        ts: message.ts,
        text: message.text ?? "",
        ...(message.userId === undefined ? {} : { user: message.userId }),
        ...(message.blocks === undefined ? {} : { blocks: message.blocks }),
        ...(message.threadTs === undefined ? {} : { thread_ts: message.threadTs }),
      },
      state: { values: {} },
      response_url: responseUrl,
      actions: [action],
    };
    const result = await this.send(input, "interactive", "interactive", payload);
    return { ...result, trigger_id: triggerId, response_url: responseUrl };
  }

  async command(input: CommandInput): Promise<SimulationResult> {
    const user = this.user(input.user);
    const channel = this.channel(input.channel);
    const triggerId = this.ctx.app.issueTrigger();
    const responseUrl = this.ctx.app.responseUrl(
      this.ctx.app.issueResponseUrl({ channel: channel.id, userId: user.id }),
    );
    const { app, team } = this.ctx.directory.workspace;
    const payload: Record<string, unknown> = {
      token: "emulator-verification-token",
      team_id: team.id,
      team_domain: this.team["domain"],
      channel_id: channel.id,
      channel_name: channel.name,
      user_id: user.id,
      user_name: user.name,
      command: input.command,
      text: input.text ?? "",
      api_app_id: app.id,
      is_enterprise_install: "false",
      response_url: responseUrl,
      trigger_id: triggerId,
    };
    const result = await this.send(input, "slash_commands", "command", payload);
    return { ...result, trigger_id: triggerId, response_url: responseUrl };
  }

  async event(input: EventInput): Promise<SimulationResult> {
    const { app, team } = this.ctx.directory.workspace;
    const eventId = `Ev${randomBytes(5).toString("hex").toUpperCase()}`;
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      token: "emulator-verification-token",
      team_id: team.id,
      api_app_id: app.id,
      event: { event_ts: this.ctx.store.nextTs(), ...input.event },
      type: "event_callback",
      event_id: eventId,
      event_time: now,
      authorizations: [{ team_id: team.id, user_id: this.botUserId(), is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    };
    const result = await this.send(input, "events_api", "event", payload);
    return { ...result, event_id: eventId };
  }

  /** Slack's url_verification handshake with the request URL: did it echo the challenge in time? */
  async urlVerification(): Promise<SimulationResult & { challenge: string; verified: boolean }> {
    const url = this.ctx.app.requestUrl;
    const challenge = randomBytes(16).toString("hex");
    if (url === undefined)
      return { ok: false, error: "no_request_url", delivered: false, acked: false, challenge, verified: false };
    const outcome = await this.http.deliver(url, "url_verification", {
      token: "emulator-verification-token",
      challenge,
      type: "url_verification",
    });
    const body = outcome.response;
    // Slack accepts the challenge as plain text, a form field, or JSON {"challenge": …}.
    const echoed =
      body === challenge ||
      (isObject(body) && body["challenge"] === challenge) ||
      (typeof body === "string" && new URLSearchParams(body).get("challenge") === challenge);
    const { seq: _seq, ...rest } = outcome;
    return { ok: outcome.acked && echoed, via: "http", ...rest, challenge, verified: outcome.acked && echoed };
  }

  private botUserId(): string {
    const { app, tokens } = this.ctx.directory.workspace;
    return tokens.find((t) => t.token === app.botToken)?.userId ?? "";
  }
}
