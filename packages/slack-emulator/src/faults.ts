/**
 * Fault injection: make chosen requests slow, fail, drop the connection, hang or be rate
 * limited, so a client's timeout, retry and back-off paths can be tested against real HTTP.
 */

export type FaultKind = "latency" | "status" | "reset" | "hang" | "ratelimit";

export const FAULT_KINDS: readonly FaultKind[] = ["latency", "status", "reset", "hang", "ratelimit"];

/** Which requests a fault applies to; every field given must match, `{}` matches all. */
export interface FaultTarget {
  /** Channel ID or name: the API call's `channel` argument or the hook's channel. */
  readonly channel?: string;
  /** Hook name (webhook requests only). */
  readonly hook?: string;
  /** Web API method, e.g. `chat.postMessage` (API requests only). */
  readonly method?: string;
}

export interface FaultSpec {
  readonly target: FaultTarget;
  readonly kind: FaultKind;
  /** `latency`: delay in milliseconds before the request is handled normally. */
  readonly ms?: number;
  /** `status`: HTTP status to answer with. @default 500, or the webhook status of `error` */
  readonly status?: number;
  /**
   * `status`: error string to answer with. @default `internal_error`
   * (`service_unavailable` for 503). With a webhook error such as `no_service` and no
   * `status`, the status Slack uses for it is sent (404 here).
   */
  readonly error?: string;
  /** `ratelimit`: Retry-After seconds. @default 1 */
  readonly retryAfter?: number;
  /** How many requests it affects. @default Infinity for `latency`, 1 otherwise */
  readonly count?: number;
}

/** A fault with its channel target resolved to an ID and its remaining count. */
interface ActiveFault {
  readonly spec: FaultSpec;
  readonly channelId: string | undefined;
  remaining: number;
}

/** What is known about a request when faults are matched. */
export interface FaultMatchInput {
  readonly method?: string;
  readonly hook?: string;
  readonly channelId?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalNumber(
  spec: Record<string, unknown>,
  key: string,
  check: (n: number) => boolean,
  shape: string,
): number | undefined {
  const value = spec[key];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !check(value))
    throw new TypeError(`fault.${key} must be ${shape} (got ${JSON.stringify(value)})`);
  return value;
}

/**
 * Checks an untrusted fault (e.g. from `POST /_emulator/faults`). `count: null` means
 * Infinity, since JSON cannot spell it.
 */
export function parseFaultSpec(value: unknown): FaultSpec {
  if (!isObject(value)) throw new TypeError("fault must be an object");
  const kind = value["kind"];
  if (typeof kind !== "string" || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new TypeError(`fault.kind must be one of ${FAULT_KINDS.join(", ")} (got ${JSON.stringify(kind)})`);
  }
  const rawTarget = value["target"] ?? {};
  if (!isObject(rawTarget)) throw new TypeError("fault.target must be an object");
  const target: { channel?: string; hook?: string; method?: string } = {};
  for (const key of ["channel", "hook", "method"] as const) {
    const field = rawTarget[key];
    if (field === undefined) continue;
    if (typeof field !== "string" || field.length === 0)
      throw new TypeError(`fault.target.${key} must be a non-empty string`);
    target[key] = field;
  }
  const error = value["error"];
  if (error !== undefined && (typeof error !== "string" || error.length === 0)) {
    throw new TypeError("fault.error must be a non-empty string");
  }
  const count = value["count"] === null ? Infinity : value["count"];
  const ms = optionalNumber(value, "ms", (n) => Number.isFinite(n) && n >= 0, "a number of milliseconds >= 0");
  if (kind === "latency" && ms === undefined) throw new TypeError("fault.ms is required for a latency fault");
  const spec: FaultSpec = {
    target,
    kind: kind as FaultKind,
    ...(ms === undefined ? {} : { ms }),
    ...optionalField(
      "status",
      optionalNumber(value, "status", (n) => Number.isInteger(n) && n >= 200 && n <= 599, "an HTTP status 200..599"),
    ),
    ...optionalField(
      "retryAfter",
      optionalNumber(value, "retryAfter", (n) => Number.isInteger(n) && n >= 1, "a whole number of seconds >= 1"),
    ),
    ...optionalField(
      "count",
      optionalNumber(
        { count },
        "count",
        (n) => n === Infinity || (Number.isInteger(n) && n >= 1),
        "a whole number >= 1",
      ),
    ),
    ...(error === undefined ? {} : { error: error as string }),
  };
  return spec;
}

function optionalField<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

export class FaultBook {
  private faults: ActiveFault[] = [];

  /** `channelId` is the target channel already resolved by the caller. */
  add(spec: FaultSpec, channelId: string | undefined): void {
    const remaining = spec.count ?? (spec.kind === "latency" ? Infinity : 1);
    this.faults.push({ spec, channelId, remaining });
  }

  /** The first fault, in the order added, that matches and has uses left; uses one. */
  take(request: FaultMatchInput): FaultSpec | undefined {
    const fault = this.faults.find((f) => f.remaining > 0 && matches(f, request));
    if (fault === undefined) return undefined;
    fault.remaining--;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return fault.spec;
  }

  /** Faults that still have uses left. */
  list(): FaultSpec[] {
    return this.faults.map((f) => ({ ...f.spec, count: f.remaining }));
  }

  clear(): void {
    this.faults = [];
  }
}

function matches(fault: ActiveFault, request: FaultMatchInput): boolean {
  const { target } = fault.spec;
  if (target.method !== undefined && target.method !== request.method) return false;
  if (target.hook !== undefined && target.hook !== request.hook) return false;
  if (target.channel !== undefined && (fault.channelId === undefined || fault.channelId !== request.channelId))
    return false;
  return true;
}
