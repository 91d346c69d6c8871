import { inspect } from "node:util";

/**
 * A credential (webhook URL, bot token) that cannot be printed by accident: string
 * conversion, JSON and `util.inspect` all give the redacted form. Only `reveal()` returns
 * the value, and only transport code calls it.
 */
// Recognised across copies of core (a plugin's own next to the CLI's bundle), like errors.ts.
const SECRET_BRAND = Symbol.for("socket-notify:secret");

export class Secret {
  static [Symbol.hasInstance](value: unknown): boolean {
    return (value as { [SECRET_BRAND]?: unknown } | null)?.[SECRET_BRAND] === true;
  }

  readonly #value: string;
  /** What may be shown to a user, e.g. `hooks.slack.com/services/T…/B…/****`. */
  readonly redacted: string;

  /**
   * The environment variable it comes from was not set, and the run does not need it
   * (dry run, validate): the value is empty and checks of its shape are skipped.
   */
  readonly missing: boolean;

  constructor(value: string, redacted = "****", missing = false) {
    Object.defineProperty(this, SECRET_BRAND, { value: true });
    this.#value = value;
    this.redacted = redacted;
    this.missing = missing;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return this.redacted;
  }

  toJSON(): string {
    return this.redacted;
  }

  [inspect.custom](): string {
    return `Secret(${this.redacted})`;
  }

  /** Node's `console.log` of a template literal calls this. */
  [Symbol.toPrimitive](): string {
    return this.redacted;
  }
}

/**
 * Replace every occurrence of the given secrets (and their URL-encoded forms) in text.
 * Used on error messages that come from SDKs or servers and may echo a URL or token.
 */
export function scrubSecrets(text: string, secrets: Iterable<Secret>): string {
  let out = text;
  for (const s of secrets) {
    const raw = s.reveal();
    if (raw.length < 6) continue; // too short to be a credential; replacing would mangle text
    for (const form of new Set([raw, encodedForm(raw), raw.replace(/^https?:\/\//, ""), ...urlParts(raw)])) {
      if (form.length >= 6) out = out.split(form).join(s.redacted);
    }
  }
  return out;
}

/** URL-encoded form; a lone surrogate (which encodeURIComponent throws on) has none. */
function encodedForm(raw: string): string {
  try {
    return encodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The parts of a secret URL a server may echo on their own: path and query, and long path
 * segments or query values (the token in `/services/T…/B…/<token>`, `?key=<token>`).
 */
function urlParts(raw: string): string[] {
  if (!/^https?:\/\//i.test(raw)) return [];
  try {
    const u = new URL(raw);
    const parts = [u.pathname + u.search, ...u.pathname.split("/"), ...[...u.searchParams.values()]];
    return parts.filter((p) => p.length >= 16 || (p.startsWith("/") && p.length >= 6));
  } catch {
    return [];
  }
}

/** Display form of a Slack webhook URL: host, path shape, no secret. */
export function redactWebhookUrl(url: string): string {
  try {
    const u = new URL(url);
    const parts = u.pathname.split("/").filter(Boolean);
    if (parts[0] === "services" && parts.length >= 4) {
      const t = (parts[1] ?? "").slice(0, 1) || "T";
      const b = (parts[2] ?? "").slice(0, 1) || "B";
      return `${u.host}/services/${t}…/${b}…/****`;
    }
    return `${u.host}/****`;
  } catch {
    return "****";
  }
}

/**
 * Slack credentials recognised by their shape, for text that no `Secret` covers (a value echoed
 * from a config that failed to load, a URL quoted back by an SDK): incoming-webhook URLs (also
 * on loopback, the emulator) and bot, user and app-level tokens.
 */
const SLACK_WEBHOOK_URL = /(?:https?:\/\/)?(?:hooks\.slack(?:-gov)?\.com|(?:127\.0\.0\.1|localhost|\[::1\]):\d+)\/services\/[A-Za-z0-9_]+\/[A-Za-z0-9_]+\/[A-Za-z0-9_]+/g;
const SLACK_TOKEN = /\b(xox[abpre]|xapp)-[A-Za-z0-9-]+/g;

/** Whether a string looks like a Slack webhook URL or token (e.g. a literal secret in a config file). */
export function looksLikeSlackCredential(text: string): boolean {
  return new RegExp(SLACK_WEBHOOK_URL.source).test(text) || new RegExp(SLACK_TOKEN.source).test(text);
}

/** Every Slack webhook URL and token in the text, in its redacted display form. */
export function redactSlackCredentials(text: string): string {
  return text
    .replace(SLACK_WEBHOOK_URL, (url) => redactWebhookUrl(/^https?:\/\//.test(url) ? url : `https://${url}`))
    .replace(SLACK_TOKEN, (_m, kind: string) => `${kind}-****`);
}
