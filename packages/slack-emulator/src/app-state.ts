/**
 * The app's short-lived credentials: Socket Mode tickets (single use), trigger IDs (3 s, single
 * use) and response URLs (30 min, 5 uses), plus the request URL, which can change while the
 * emulator runs. Clocks are injectable so expiry can be tested without waiting.
 */
import { randomBytes } from "node:crypto";
import { isHttpUrl } from "./workspace.js";

/** Where a response_url points: the message the click was on, and who clicked. */
export interface ResponseTarget {
  readonly channel: string;
  /** ts of the message the action was on; undefined for slash commands. */
  readonly messageTs?: string;
  readonly userId: string;
}

interface ResponseUrlState extends ResponseTarget {
  uses: number;
  readonly expiresAt: number;
}

export type TriggerCheck = "ok" | "invalid_trigger_id" | "expired_trigger_id" | "exchanged_trigger_id";

/** Slack: a response_url "can be used up to 5 times within 30 minutes". */
export const RESPONSE_URL_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60_000;

function token(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

export class AppState {
  private url: string | undefined;
  private readonly tickets = new Set<string>();
  private readonly triggers = new Map<string, { issuedAt: number; used: boolean }>();
  private readonly responses = new Map<string, ResponseUrlState>();
  /** Set once the server listens. */
  baseUrl = "";

  constructor(
    requestUrl: string | undefined,
    private readonly triggerTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.url = requestUrl;
  }

  get requestUrl(): string | undefined {
    return this.url;
  }

  /** Sets (or with undefined, clears) the request URL; throws for anything but http(s). */
  setRequestUrl(url: string | undefined): void {
    if (url !== undefined && !isHttpUrl(url))
      throw new TypeError(`request URL must be an http:// or https:// URL (got ${JSON.stringify(url)})`);
    this.url = url;
  }

  issueTicket(): string {
    const ticket = token(16);
    this.tickets.add(ticket);
    return ticket;
  }

  /** True once per ticket: a second upgrade with the same ticket is refused. */
  consumeTicket(ticket: string): boolean {
    return this.tickets.delete(ticket);
  }

  issueTrigger(): string {
    // Slack's look like "<digits>.<digits>.<hex>".
    const id = `${Math.floor(this.now() / 1000)}.${this.now() % 1000}.${token(12)}`;
    this.triggers.set(id, { issuedAt: this.now(), used: false });
    return id;
  }

  useTrigger(id: string): TriggerCheck {
    const trigger = this.triggers.get(id);
    if (trigger === undefined) return "invalid_trigger_id";
    if (trigger.used) return "exchanged_trigger_id";
    if (this.now() - trigger.issuedAt > this.triggerTtlMs) return "expired_trigger_id";
    trigger.used = true;
    return "ok";
  }

  /** A new response URL id for a click or command. */
  issueResponseUrl(target: ResponseTarget): string {
    const id = token(12);
    this.responses.set(id, { ...target, uses: 0, expiresAt: this.now() + RESPONSE_URL_TTL_MS });
    return id;
  }

  responseUrl(id: string): string {
    return `${this.baseUrl}/_emulator/response/${id}`;
  }

  /** The target of a response URL, using it once; an error string when unknown, expired or used up. */
  useResponseUrl(id: string): ResponseTarget | "no_such_url" | "expired_url" | "used_up" {
    const state = this.responses.get(id);
    if (state === undefined) return "no_such_url";
    if (this.now() > state.expiresAt) return "expired_url";
    if (state.uses >= RESPONSE_URL_USES) return "used_up";
    state.uses++;
    return state;
  }

  clear(): void {
    this.tickets.clear();
    this.triggers.clear();
    this.responses.clear();
  }
}
